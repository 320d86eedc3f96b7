import NIOCore
import NIOHTTP1
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
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let state: EmulatorState

    /// `host:port` to put in `AWS_LAMBDA_RUNTIME_API`.
    public let endpoint: String

    private init(group: MultiThreadedEventLoopGroup, channel: Channel, state: EmulatorState, port: Int) {
        self.group = group
        self.channel = channel
        self.state = state
        endpoint = "127.0.0.1:\(port)"
    }

    /// Starts an emulator on 127.0.0.1; port 0 picks a free one.
    public static func start(port: Int = 0, configuration: EmulatorConfiguration = .init()) async throws
        -> RuntimeAPIEmulator
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let state = EmulatorState(eventLoop: loop, configuration: configuration)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RuntimeAPIHandler(state: state))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
            let bound = channel.localAddress?.port ?? port
            return RuntimeAPIEmulator(group: group, channel: channel, state: state, port: bound)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Queues an invocation and waits for the runtime's answer.
    public func invoke(_ invocation: EmulatedInvocation) async throws -> InvocationResult {
        let promise = channel.eventLoop.makePromise(of: InvocationResult.self)
        channel.eventLoop.execute { self.state.enqueue(invocation, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Answers every waiting invoker with `result` (for instance when the runtime exited).
    public func failPending(with result: InvocationResult) {
        channel.eventLoop.execute { self.state.failAll(with: result) }
    }

    /// The init error the runtime reported, if any.
    public func initError() async -> InvocationResult? {
        try? await channel.eventLoop.submit { self.state.initError }.get()
    }

    /// Stops the emulator.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
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
}
