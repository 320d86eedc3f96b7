import Glibc
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
    /// bytes; more is refused with 400. With `halfClosure`, a client that half-closes after
    /// its request (`nc -N`) still gets its reply, and the connection closes after it;
    /// without, the end of a client's input ends the connection at once. `front`, when
    /// given, makes a handler that sees each request before `handler`'s.
    static func start(
        port: Int,
        group: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1),
        headerLimit: Int = 80 * 1024,
        halfClosure: Bool = false,
        front: (@Sendable () -> any ChannelHandler & Sendable)? = nil,
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
            .childChannelOption(.allowRemoteHalfClosure, value: halfClosure)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true, withDecoderLimitConfiguration: limits).flatMap {
                    let own = (front.map { [$0()] } ?? []) + [handler()]
                    return channel.pipeline.addHandlers(halfClosure ? [HalfClosureHandler()] + own : own)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
            return LoopbackHTTPServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            // SwiftNIO's own description names its internals ("bind(descriptor:ptr:bytes:)").
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw EmulatorError("cannot listen on 127.0.0.1:\(port): \(reason)")
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
        let written = write(status, headers: headers, body: body, keepAlive: keepAlive)
        if !keepAlive {
            let channel = self.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Writes a response that refuses a request before its body has been read, with
    /// `Connection: close`, then closes the output once it is written: the caller sees
    /// the end of the reply (a FIN, not a reset, which would lose the reply while the caller
    /// is still sending). The handler drops the rest of the request and closes the
    /// connection at its end.
    func writeRefusal(_ status: HTTPResponseStatus, headers: HTTPHeaders, body text: String) {
        let written = write(status, headers: headers, body: channel.allocator.buffer(string: text), keepAlive: false)
        let channel = self.channel
        written.whenComplete { _ in channel.close(mode: .output, promise: nil) }
    }

    /// Answers `Expect: 100-continue` with `100 Continue`, so that the client sends the body.
    func continueIfExpected(_ head: HTTPRequestHead) {
        guard head.headers.first(name: "Expect")?.lowercased() == "100-continue" else { return }
        writeAndFlush(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
    }

    private func write(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, keepAlive: Bool) -> EventLoopFuture<Void> {
        var headers = headers
        // A 204 carries no body, and so no Content-Length (RFC 9110, 8.6).
        if status != .noContent { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        return writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
    }
}
