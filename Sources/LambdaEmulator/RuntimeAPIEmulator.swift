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
/// - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../error`, on any
///   connection: 202, and the invoker gets the body; 400 for an id that is unknown or
///   already answered, 410 for a stale `Lambda-Runtime-Invocation-Id` (or, in Lambda
///   Managed Instances mode, for an invocation that timed out: `InvokeTimeout`), 413 for
///   a response over 6 MiB (the invoker then gets `Function.ResponseSizeTooLarge`; at
///   once, before the body, when its Content-Length says so). A streamed response goes to
///   the invoker as it comes, paced by the invoker (``StreamRelay``) and cut at 200 MiB.
///   A request cut off mid-way answers its invocation with `Runtime.TruncatedResponse`.
///   `Expect: 100-continue` is honoured.
/// - `POST /2018-06-01/runtime/init/error`: 202 during INIT, and every waiting invoker
///   gets the error; 403 `InvalidStateTransition` after the first `/next`.
/// - `POST /2020-01-01/extension/register` and `GET /2020-01-01/extension/event/next`:
///   an extension may register; its `event/next` waits for the life of the emulator.
///
/// Cost: one event-loop thread, started with the emulator.
public final class RuntimeAPIEmulator: @unchecked Sendable {
    private let server: LoopbackHTTPServer
    private let state: EmulatorState
    /// Hands work to the loop until `shutdown` begins; from then on nothing reaches the
    /// loop, which is going away.
    private var gate: LoopGate { state.gate }

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
        // A streamed error's document comes base64 in a trailer: a 256 KiB message
        // (escaped, then encoded) is far over SwiftNIO's default 80 KiB for headers.
        let server = try await LoopbackHTTPServer.start(port: port, group: group, headerLimit: Self.headerLimit) {
            RuntimeAPIHandler(state: state)
        }
        return RuntimeAPIEmulator(server: server, state: state)
    }

    /// The most header (or trailer) bytes a runtime's request may carry: room for a
    /// streamed error document whose 256 KiB message is all escapes (6 bytes each), in
    /// base64.
    static let headerLimit = 256 * 1024 * 6 * 4 / 3 + 64 * 1024

    /// Runs `work` on the loop and returns its value; `fallback` once shut down.
    private func onLoop<T: Sendable>(_ fallback: T, _ work: @escaping @Sendable () -> T) async -> T {
        guard let future = gate.submit(work) else { return fallback }
        return (try? await future.get()) ?? fallback
    }

    /// Queues an invocation and waits for the runtime's answer, or for the timeout, exit
    /// or init error that ends it.
    public func invoke(_ invocation: EmulatedInvocation) async throws -> InvocationResult {
        let queued = gate.submit { () -> EventLoopFuture<InvocationResult> in
            let promise = self.state.eventLoop.makePromise(of: InvocationResult.self)
            self.state.enqueue(invocation, promise: promise)
            return promise.futureResult
        }
        guard let queued else { return Self.shuttingDown }
        return try await queued.flatMap { $0 }.get()
    }

    /// A fresh runtime is about to start: forget what the last one reported.
    public func reset() async {
        await onLoop(()) { self.state.reset() }
    }

    /// The runtime process started: its INIT is timed from now.
    public func runtimeStarted() async {
        await onLoop(()) { self.state.runtimeStarted() }
    }

    /// The runtime process could not be started (`message` says why): the invocations
    /// waiting for it get `Runtime.Unavailable`.
    public func runtimeNotStarted(_ message: String) async {
        await onLoop(()) { self.state.runtimeNotStarted(.failure(type: "Runtime.Unavailable", message: message)) }
    }

    /// INIT failures in a row (or runtimes that could not start), and how long ago the
    /// last one was: what the pause before the next start is made from.
    public func initFailures() async -> (count: Int, since: Duration) {
        let (count, since) = await onLoop((0, TimeAmount.zero)) { self.state.initFailures }
        return (count, .nanoseconds(since.nanoseconds))
    }

    /// Waits until the current runtime asks for its first invocation (true) or reports
    /// an init error, exits or runs out of INIT time (false).
    public func waitUntilReady() async -> Bool {
        guard let future = await onLoop(nil, { self.state.ready }) else { return false }
        return (try? await future.get()) ?? false
    }

    /// The runtime exited with `status` (in words: `exit status 3`, `signal: killed`).
    /// Once what it sent before its exit has been read, the invocation it was handed gets
    /// `Runtime.ExitError` in Lambda's words; queued ones get it too if it died during
    /// INIT, or wait for the next runtime. Returns whether it died during INIT.
    @discardableResult
    public func runtimeExited(status: String) async -> Bool {
        let reason = status == "exit status 0" ? "Runtime exited without providing a reason" : "Runtime exited with error: \(status)"
        let dealt = gate.submit {
            self.state.runtimeExited { requestID in
                .failure(type: "Runtime.ExitError", message: "RequestId: \(requestID) Error: \(reason)")
            }
        }
        guard let dealt else { return false }
        return (try? await dealt.flatMap { $0 }.get()) ?? false
    }

    /// The `errorType: errorMessage` of the init error the current runtime reported, or
    /// of its INIT running out of time, if either.
    public func lastInitError() async -> String? {
        let (reported, timedOut) = await onLoop((nil, false)) { (self.state.runtime.initError, self.state.runtime.initTimedOut) }
        if timedOut {
            return "Sandbox.Timedout: INIT timed out after \(state.configuration.initTimeout).00 seconds "
                + "(the runtime did not call GET /2018-06-01/runtime/invocation/next)"
        }
        guard case .error(let type, let body)? = reported else { return nil }
        struct Document: Decodable { var errorMessage: String? }
        let message = (try? JSONDecoder().decode(Document.self, from: Data(body)))?.errorMessage
        return "\(type): \(message ?? String(decoding: body, as: UTF8.self))"
    }

    /// Sets how to stop the runtime when it misses a deadline, runs out of INIT time or
    /// stays after an init error. Called on the loop, before the invoker is answered.
    public func onStuckRuntime(_ action: @escaping @Sendable () -> Void) {
        _ = gate.submit { self.state.stopRuntime = action }
    }

    /// Sets how to read the runtime process's peak resident memory in KiB (nil once it is
    /// gone), for the REPORT lines. Called on the loop.
    public func onPeakMemory(_ read: @escaping @Sendable () -> Int?) {
        _ = gate.submit { self.state.peakMemory = read }
    }

    /// The format of the START, END and REPORT lines from now on: the one the runtime
    /// about to start was given (`AWS_LAMBDA_LOG_FORMAT`).
    public func useLogFormat(_ format: PlatformLogFormat) async {
        await onLoop(()) { self.state.logFormat = format }
    }

    /// Sets how to ask for a runtime: invocations are queued and none is running. Called
    /// on the loop.
    public func onNeedRuntime(_ action: @escaping @Sendable () -> Void) {
        _ = gate.submit { self.state.needRuntime = action }
    }

    /// What an invocation gets once ``handOver()`` has been called and it was not handed
    /// to a runtime: its caller should take it elsewhere.
    public static let handedOver = InvocationResult.failure(
        type: "Runtime.Unavailable", message: "this build of the function was replaced before the invocation reached it")

    /// Gives up the invocations not yet handed to a runtime, queued now or later: each is
    /// answered ``handedOver`` at once. Those handed out still get their runtime's answer.
    public func handOver() async {
        await onLoop(()) { self.state.handOver(with: Self.handedOver) }
    }

    /// What an invocation gets once the emulator is shutting down.
    static let shuttingDown = InvocationResult.failure(type: "Runtime.Shutdown", message: "the emulator is shutting down")

    /// Answers whatever is left with `Runtime.Shutdown` and stops the emulator. Later
    /// calls are answered at once, without touching the loop.
    public func shutdown() async {
        guard let last = gate.close(after: { self.state.failAll(with: Self.shuttingDown) }) else { return }
        try? await last.get()
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
    /// How long a runtime may take from its start to its first `/next` (Lambda: 10 s).
    public var initTimeoutSeconds: Int
    /// Where the emulator reports what happens to a runtime (an INIT that timed out).
    public var log: @Sendable (String) -> Void
    /// Lambda Managed Instances mode, as AWS's emulator runs it with
    /// `AWS_LAMBDA_MAX_CONCURRENCY`: at most this many invocations out at once (1 to 1024),
    /// and a missed deadline answers its caller `Sandbox.Timedout` without stopping the
    /// runtime; a late answer then gets 410 `InvokeTimeout`. Nil (the default): Lambda's
    /// usual environment, where a missed deadline stops the runtime.
    public var maxConcurrency: Int?
    /// The function's memory size in MB, as its REPORT lines give it.
    public var memorySizeMB: Int
    /// The function's version, as its START lines give it.
    public var functionVersion: String
    /// Where the START, END and REPORT lines of each invocation go, in Lambda's words
    /// (``PlatformLogFormat``); nil writes none.
    public var platformLog: (@Sendable (String) -> Void)?

    /// Lambda's limits: the longest timeout a function may have, and the INIT it gets.
    public static let maxTimeoutSeconds = 900
    public static let defaultInitTimeoutSeconds = 10
    /// The values ``maxConcurrency`` takes: those `AWS_LAMBDA_MAX_CONCURRENCY` takes.
    public static let maxConcurrencyRange = 1...1024

    /// Creates a configuration.
    public init(
        functionName: String = "function", region: String = "us-east-1", timeoutSeconds: Int = 300,
        initTimeoutSeconds: Int = defaultInitTimeoutSeconds, maxConcurrency: Int? = nil, memorySizeMB: Int = 128,
        functionVersion: String = "$LATEST", platformLog: (@Sendable (String) -> Void)? = nil,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.memorySizeMB = memorySizeMB
        self.functionVersion = functionVersion
        self.platformLog = platformLog
        self.functionName = functionName
        self.region = region
        self.timeoutSeconds = timeoutSeconds
        self.initTimeoutSeconds = initTimeoutSeconds
        self.maxConcurrency = maxConcurrency
        self.log = log
    }

    /// The timeouts in force: each within 1...``maxTimeoutSeconds``, so that no setting
    /// can overflow a deadline.
    var timeout: Int { min(max(timeoutSeconds, 1), Self.maxTimeoutSeconds) }
    var initTimeout: Int { min(max(initTimeoutSeconds, 1), Self.maxTimeoutSeconds) }

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
