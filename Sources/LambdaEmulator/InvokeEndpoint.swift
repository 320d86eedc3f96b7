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
/// function queues them. Optional headers, checked as ``InvokeHeaders`` says:
/// `X-Amz-Client-Context` (a JSON object in base64, as the Invoke API takes it),
/// `X-Amz-Cognito-Identity`, `X-Amz-Tenant-Id`, and `X-Amz-Invocation-Type`
/// (``InvocationType``: `Event` answers 202 and runs after, `DryRun` answers 204).
public final class InvokeEndpoint: @unchecked Sendable {
    /// The path RIE serves.
    public static let path = "/2015-03-31/functions/function/invocations"

    /// The largest event Lambda's Invoke API takes (6 MiB).
    public static let maxEventBytes = 6 * 1024 * 1024

    /// The Invoke API's refusal of a larger event, as the 413's body.
    public static let eventTooLarge =
        #"{"errorMessage":"Request must be smaller than \#(maxEventBytes) bytes for the InvokeFunction operation","errorType":"RequestEntityTooLarge"}"#

    /// The largest event Lambda's Invoke API takes for an asynchronous (`Event`)
    /// invocation (1 MiB).
    public static let maxAsyncEventBytes = 1024 * 1024

    /// The refusal of a larger `Event`, as the 413's body.
    public static let asyncEventTooLarge =
        #"{"errorMessage":"Request must be smaller than \#(maxAsyncEventBytes) bytes for an asynchronous (Event) invocation","errorType":"RequestEntityTooLarge"}"#

    private let server: LoopbackHTTPServer

    /// The port it listens on (127.0.0.1).
    public var port: Int { server.port }

    private init(server: LoopbackHTTPServer) {
        self.server = server
    }

    /// Starts listening on 127.0.0.1:`port` (0 picks a free port); `invoke` runs each
    /// request's event; `log` gets how each `Event` invocation ended (by default, a line
    /// on stderr).
    public static func start(
        port: Int,
        log: @escaping @Sendable (String) -> Void = StandardError.line,
        invoke: @escaping @Sendable (EmulatedInvocation) async -> InvocationResult
    ) async throws -> InvokeEndpoint {
        try await start(port: port, functions: .single(invoke), log: log)
    }

    /// Starts listening on 127.0.0.1:`port` for `functions`: their invoke paths
    /// (`/2015-03-31/functions/NAME/invocations`) and, when their router says so, every
    /// other path as the HTTP front end (``HTTPFrontHandler``). `log` gets how each `Event`
    /// invocation ended.
    public static func start(
        port: Int, functions: ServedFunctions, log: @escaping @Sendable (String) -> Void = StandardError.line
    ) async throws -> InvokeEndpoint {
        // A caller may half-close and wait for a slow function's answer. (The Runtime API
        // takes no half-closure: a runtime's end of input means it is gone, and its parked
        // `/next` with it.)
        let front: (@Sendable () -> any ChannelHandler & Sendable)? =
            functions.router.http ? { @Sendable in HTTPFrontHandler(functions: functions) } : nil
        return InvokeEndpoint(
            server: try await LoopbackHTTPServer.start(port: port, halfClosure: true, front: front) {
                InvokeHandler(functions: functions, log: log)
            })
    }

    /// The URL to POST events to.
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }

    /// Stops listening.
    public func shutdown() async {
        await server.shutdown()
    }
}
