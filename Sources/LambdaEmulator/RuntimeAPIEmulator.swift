import FoundationEssentials
import LambdaRuntimeAPI
import NIOCore
import NIOPosix

/// The service side of the Lambda Runtime API (2018-06-01), embedded, for running a
/// runtime on a laptop: `lambda-host invoke` starts one, queues an event, and prints
/// what the runtime answers.
///
/// Routes:
/// - `GET /2018-06-01/runtime/invocation/next`: waits until an invocation is queued,
///   then answers 200 with the event and every `Lambda-Runtime-*` header (request id,
///   deadline, function ARN, trace id, invocation id; client context, Cognito identity
///   and tenant id when the invocation has them).
/// - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../error`: 202, and the
///   invoker gets the body; 400 for an id that is unknown or already answered, 410 for a
///   stale `Lambda-Runtime-Invocation-Id`, 413 for a response over 6 MiB.
/// - `POST /2018-06-01/runtime/init/error`: 202; every waiting invoker gets the error.
/// - `POST /2020-01-01/extension/register` and `GET /2020-01-01/extension/event/next`:
///   an extension may register; its `event/next` waits for the life of the emulator.
///
/// Cost: one event-loop thread, started with the emulator.
public final class RuntimeAPIEmulator: @unchecked Sendable {
    private let server: LoopbackHTTPServer
    private let state: EmulatorState
    private var channel: Channel { server.channel }

    /// `host:port` to put in `AWS_LAMBDA_RUNTIME_API`.
    public let endpoint: String

    private init(server: LoopbackHTTPServer, state: EmulatorState) {
        self.server = server
        self.state = state
        endpoint = "127.0.0.1:\(server.port)"
    }

    /// Starts an emulator on 127.0.0.1; port 0 picks a free one.
    public static func start(port: Int = 0, configuration: EmulatorConfiguration = .init()) async throws
        -> RuntimeAPIEmulator
    {
        // One thread: the state lives on the loop that serves every connection.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = EmulatorState(eventLoop: group.next(), configuration: configuration)
        let server = try await LoopbackHTTPServer.start(port: port, group: group) { RuntimeAPIHandler(state: state) }
        return RuntimeAPIEmulator(server: server, state: state)
    }

    /// Queues an invocation and waits for the runtime's answer, or for the timeout, exit
    /// or init error that ends it.
    public func invoke(_ invocation: EmulatedInvocation) async throws -> InvocationResult {
        let promise = channel.eventLoop.makePromise(of: InvocationResult.self)
        channel.eventLoop.execute { self.state.enqueue(invocation, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// A fresh runtime is about to start: forget what the last one reported.
    public func reset() async {
        try? await channel.eventLoop.submit { self.state.reset() }.get()
    }

    /// Waits until the current runtime asks for its first invocation (true) or reports
    /// an init error or exits (false).
    public func waitUntilReady() async -> Bool {
        guard let future = try? await channel.eventLoop.submit({ self.state.ready }).get() else { return false }
        return (try? await future.get()) ?? false
    }

    /// The runtime exited: the invocations it was handed get `Runtime.ExitError` with the
    /// exit status in words; queued ones wait for the next runtime.
    public func runtimeExited(status: String) async {
        try? await channel.eventLoop.submit {
            self.state.runtimeExited { requestID in
                .failure(type: "Runtime.ExitError", message: "RequestId: \(requestID) Error: Runtime exited with error: \(status)")
            }
        }.get()
    }

    /// Whether invocations are queued or handed out.
    public func isBusy() async -> Bool {
        (try? await channel.eventLoop.submit { self.state.queuedCount + self.state.inflightCount > 0 }.get()) ?? false
    }

    /// The `errorType: errorMessage` of the init error the current runtime reported, if any.
    public func lastInitError() async -> String? {
        guard case .error(let type, let body)? = try? await channel.eventLoop.submit({ self.state.initError }).get()
        else { return nil }
        struct Document: Decodable { var errorMessage: String? }
        let message = (try? JSONDecoder().decode(Document.self, from: Data(body)))?.errorMessage
        return "\(type): \(message ?? String(decoding: body, as: UTF8.self))"
    }

    /// Whether invocations are queued, waiting for a runtime.
    public func hasQueuedInvocations() async -> Bool {
        (try? await channel.eventLoop.submit { self.state.queuedCount > 0 }.get()) ?? false
    }

    /// Sets what to do when an invocation times out (stop the runtime).
    public func onTimeout(_ action: @escaping @Sendable () -> Void) {
        channel.eventLoop.execute { self.state.onTimeout = action }
    }

    /// Answers every queued and handed-out invocation with `result`.
    public func failAll(with result: InvocationResult) {
        channel.eventLoop.execute { self.state.failAll(with: result) }
    }

    /// Stops the emulator.
    public func shutdown() async {
        await server.shutdown()
    }
}

/// Settings that shape the Lambda environment the emulator imitates.
public struct EmulatorConfiguration: Sendable {
    /// The function's name, used in the ARN.
    public var functionName: String
    /// The region, used in the ARN.
    public var region: String
    /// The invocation timeout, in seconds: the deadline the runtime is given.
    public var timeoutSeconds: Int

    /// Creates a configuration.
    public init(functionName: String = "function", region: String = "us-east-1", timeoutSeconds: Int = 300) {
        self.functionName = functionName
        self.region = region
        self.timeoutSeconds = timeoutSeconds
    }

    /// The function ARN every invocation carries.
    public var functionARN: String { "arn:aws:lambda:\(region):012345678912:function:\(functionName)" }
}

/// One invocation to hand to the runtime.
public struct EmulatedInvocation: Sendable {
    /// The event.
    public var payload: [UInt8]
    /// `Lambda-Runtime-Client-Context`, if any.
    public var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`, if any.
    public var cognitoIdentity: String?
    /// `Lambda-Runtime-Aws-Tenant-Id`, if any.
    public var tenantID: String?
    /// Where a streamed response goes as it arrives; without one, the invoker gets the
    /// whole stream at its end.
    public var stream: (any ResponseStream)?

    /// Creates an invocation of `payload`.
    public init(payload: [UInt8], clientContext: String? = nil, cognitoIdentity: String? = nil, tenantID: String? = nil) {
        self.payload = payload
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.tenantID = tenantID
    }
}

/// What an invoker gets back.
public enum InvocationResult: Sendable, Equatable {
    /// The runtime's response body.
    case response([UInt8])
    /// The runtime's error: its type and the error document
    /// (`{"errorMessage", "errorType", "stackTrace"}`).
    case error(type: String, body: [UInt8])

    /// The response was streamed to the invocation's ``ResponseStream``, and ended with
    /// this error type after its first byte, or cleanly (nil).
    case streamed(errorType: String?)

    /// An error the emulator itself reports (a timeout, an exit), as Lambda words it.
    public static func failure(type: String, message: String) -> InvocationResult {
        .error(type: type, body: Array(#"{"errorMessage":"\#(JSONText.escaped(message))","errorType":"\#(JSONText.escaped(type))","stackTrace":[]}"#.utf8))
    }
}
