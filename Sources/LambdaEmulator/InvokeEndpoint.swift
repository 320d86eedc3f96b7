import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// An invoke endpoint compatible with AWS's Runtime Interface Emulator:
/// `POST /2015-03-31/functions/function/invocations` with the event as the body.
///
/// The response body is the function's response with status 200. A function error is
/// also status 200, with the error document as the body and `X-Amz-Function-Error:
/// Unhandled`, as Lambda's Invoke API does. An event over 6 MiB gets 413
/// `RequestEntityTooLarge` (see ``InvokeHandler``). Callers are served concurrently; the
/// function queues them. Optional headers: `X-Amz-Client-Context` (base64, as the Invoke API takes
/// it), `X-Amz-Cognito-Identity`, `X-Amz-Tenant-Id`.
public final class InvokeEndpoint: @unchecked Sendable {
    /// The path RIE serves.
    public static let path = "/2015-03-31/functions/function/invocations"

    private let server: LoopbackHTTPServer

    /// The port it listens on (127.0.0.1).
    public var port: Int { server.port }

    private init(server: LoopbackHTTPServer) {
        self.server = server
    }

    /// Starts listening on 127.0.0.1:`port` (0 picks a free port); `invoke` runs each
    /// request's event.
    public static func start(
        port: Int,
        invoke: @escaping @Sendable (EmulatedInvocation) async -> InvocationResult
    ) async throws -> InvokeEndpoint {
        InvokeEndpoint(server: try await LoopbackHTTPServer.start(port: port) { InvokeHandler(invoke: invoke) })
    }

    /// The URL to POST events to.
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }

    /// Stops listening.
    public func shutdown() async {
        await server.shutdown()
    }
}
