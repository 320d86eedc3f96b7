import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on 127.0.0.1 with its own event-loop thread, one handler per
/// connection. The emulator's Runtime API and the invoke endpoint both run on it.
struct LoopbackHTTPServer {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel

    /// The port it listens on.
    var port: Int { channel.localAddress?.port ?? 0 }

    /// Binds 127.0.0.1:`port` (0 picks a free port) on `group`, a one-thread group the
    /// server owns from now on. A request's headers (and trailers) may take `headerLimit`
    /// bytes; more is refused with 400.
    static func start(
        port: Int,
        group: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1),
        headerLimit: Int = 80 * 1024,
        handler: @escaping @Sendable () -> any ChannelHandler & Sendable
    ) async throws -> LoopbackHTTPServer {
        var configured = NIOHTTPDecoderLimitConfiguration()
        configured.maxHeaderFieldSize = headerLimit
        configured.maxHeaderListSize = headerLimit
        let limits = configured
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true, withDecoderLimitConfiguration: limits).flatMap {
                    channel.pipeline.addHandler(handler())
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
            return LoopbackHTTPServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw EmulatorError("cannot listen on 127.0.0.1:\(port): \(error)")
        }
    }

    /// Stops listening and ends the thread.
    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

extension ChannelHandlerContext {
    /// Writes a whole response with its Content-Length. When the request did not ask to
    /// keep the connection alive, the response says `Connection: close` and the
    /// connection is closed once it is written.
    func writeResponse(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, keepAlive: Bool) {
        var headers = headers
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        let ended = writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive {
            let channel = self.channel
            ended.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
