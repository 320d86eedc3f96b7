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
    /// server owns from now on.
    static func start(
        port: Int,
        group: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1),
        handler: @escaping @Sendable () -> any ChannelHandler & Sendable
    ) async throws -> LoopbackHTTPServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
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
