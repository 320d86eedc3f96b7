import Glibc
import NIOCore
import NIOHTTP1

/// The emulator's bookkeeping: queued invocations, runtimes waiting on `/next`,
/// invocations handed out and not yet answered, and what the current runtime reported.
///
/// Confined to the emulator's event loop: every method runs on it.
final class EmulatorState: @unchecked Sendable {
    /// An invocation from the moment it is queued until it is answered.
    struct Pending {
        var requestID: String
        var invocationID: String
        var traceID: String
        var deadlineMs: Int64 = 0
        var invocation: EmulatedInvocation
        var promise: EventLoopPromise<InvocationResult>
        var timer: Scheduled<Void>?
    }

    /// A runtime parked on `GET /next`.
    struct Waiter {
        var token: ObjectIdentifier
        var deliver: (Pending) -> Void
    }

    let eventLoop: EventLoop
    let configuration: EmulatorConfiguration
    private var queue: [Pending] = []
    private var waiters: [Waiter] = []
    private var inflight: [String: Pending] = [:]
    /// The init error the current runtime reported, if any.
    private(set) var initError: InvocationResult?
    /// Completed when the current runtime first asks for an invocation (true) or reports
    /// an init error (false).
    private var readiness: EventLoopPromise<Bool>
    private var readinessSettled = false
    /// Set when the runtime missed a deadline and is being stopped: it gets no more work.
    private var draining = false
    /// Called when an invocation times out, so that its runtime can be stopped.
    var onTimeout: (@Sendable () -> Void)?

    init(eventLoop: EventLoop, configuration: EmulatorConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        readiness = eventLoop.makePromise()
    }

    /// Forgets what the previous runtime reported: a fresh runtime starts.
    func reset() {
        initError = nil
        settle(false)
        readiness = eventLoop.makePromise()
        readinessSettled = false
        draining = false
        // Waiters stay: a dead runtime's are dropped when its connection closes, and a
        // runtime started by hand may already be waiting.
    }

    private func settle(_ ready: Bool) {
        guard !readinessSettled else { return }
        readinessSettled = true
        readiness.succeed(ready)
    }

    /// Whether the current runtime got ready (true) or failed its init (false).
    var ready: EventLoopFuture<Bool> { readiness.futureResult }

    /// Invocations queued and not yet handed out.
    var queuedCount: Int { queue.count }

    /// Invocations handed out and not yet answered.
    var inflightCount: Int { inflight.count }

    func enqueue(_ invocation: EmulatedInvocation, promise: EventLoopPromise<InvocationResult>) {
        if let initError {
            promise.succeed(initError)
            return
        }
        let pending = Pending(
            requestID: Self.uuid(), invocationID: Self.hex(16), traceID: Self.traceID(),
            invocation: invocation, promise: promise)
        if waiters.isEmpty {
            queue.append(pending)
        } else {
            hand(pending, to: waiters.removeFirst())
        }
    }

    /// A runtime asks for the next invocation.
    func next(token: ObjectIdentifier, deliver: @escaping (Pending) -> Void) {
        // A runtime being stopped keeps its request open until it is gone.
        if draining { return }
        settle(true)
        let waiter = Waiter(token: token, deliver: deliver)
        if queue.isEmpty {
            waiters.append(waiter)
        } else {
            hand(queue.removeFirst(), to: waiter)
        }
    }

    /// A connection closed: its parked `/next` can no longer be answered.
    func forget(token: ObjectIdentifier) {
        waiters.removeAll { $0.token == token }
    }

    /// Hands an invocation to a runtime: its deadline and its timeout start now.
    private func hand(_ pending: Pending, to waiter: Waiter) {
        var pending = pending
        let timeout = Int64(configuration.timeoutSeconds)
        pending.deadlineMs = Self.nowMs() + timeout * 1000
        let requestID = pending.requestID
        pending.timer = eventLoop.scheduleTask(in: .seconds(timeout)) { [self] in
            timedOut(requestID)
        }
        inflight[requestID] = pending
        waiter.deliver(pending)
    }

    private func timedOut(_ requestID: String) {
        guard let pending = inflight.removeValue(forKey: requestID) else { return }
        draining = true
        waiters.removeAll()
        let message = "RequestId: \(requestID) Error: Task timed out after \(configuration.timeoutSeconds).00 seconds"
        pending.promise.succeed(.failure(type: "Sandbox.Timedout", message: message))
        onTimeout?()
    }

    /// The stream an invocation handed out wants its response sent to, if any.
    func stream(for requestID: String) -> (any ResponseStream)? {
        inflight[requestID]?.invocation.stream
    }

    /// The runtime answers `requestID`. Returns the status for the runtime: 202, 400 for
    /// an unknown or answered id, 410 for a stale invocation id.
    func answer(requestID: String, invocationID: String?, with result: InvocationResult) -> HTTPResponseStatus {
        guard let pending = inflight[requestID] else { return .badRequest }
        if let invocationID, invocationID != pending.invocationID { return .gone }
        inflight[requestID] = nil
        pending.timer?.cancel()
        pending.promise.succeed(result)
        return .accepted
    }

    /// The runtime reported an init error: whoever waits gets it, and so does every
    /// invocation queued until a fresh runtime starts.
    func recordInitError(_ result: InvocationResult) {
        initError = result
        settle(false)
        failInflight(with: result)
        for pending in queue { pending.promise.succeed(result) }
        queue.removeAll()
    }

    /// The runtime is gone: every invocation it was handed fails with `result`
    /// (`message` gets each request id in front). Queued ones wait for the next runtime.
    func runtimeExited(_ describe: (String) -> InvocationResult) {
        settle(false)
        waiters.removeAll()
        if initError != nil { return }
        for (requestID, pending) in inflight {
            pending.timer?.cancel()
            pending.promise.succeed(describe(requestID))
        }
        inflight.removeAll()
    }

    /// Answers every invocation, handed out or queued, with `result`.
    func failInflight(with result: InvocationResult) {
        for pending in inflight.values {
            pending.timer?.cancel()
            pending.promise.succeed(result)
        }
        inflight.removeAll()
    }

    /// Answers every invocation, handed out or queued, with `result` (shutdown).
    func failAll(with result: InvocationResult) {
        failInflight(with: result)
        for pending in queue { pending.promise.succeed(result) }
        queue.removeAll()
    }

    // MARK: Identifiers

    static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    static func hex(_ digits: Int) -> String {
        var text = ""
        while text.count < digits {
            let chunk = String(UInt64.random(in: .min ... .max), radix: 16)
            text += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        return String(text.prefix(digits))
    }

    static func uuid() -> String {
        let h = hex(32)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(h.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    static func traceID() -> String {
        let seconds = String(nowMs() / 1000, radix: 16)
        return "Root=1-\(seconds)-\(hex(24));Parent=\(hex(16));Sampled=0"
    }
}
