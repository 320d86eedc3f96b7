import NIOCore
import NIOHTTP1

/// The emulator's bookkeeping: queued invocations, runtimes waiting on `/next`,
/// invocations handed out and not yet answered, and the current runtime's phase.
///
/// Each `/next` gets its own invocation: a runtime that asks once at a time (every
/// runtime that follows the Runtime API) gets one invocation at a time. One that waits on
/// several connections at once gets several; each is still answered exactly once.
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
        /// The connection streaming the answer, once a stream has begun.
        var streamedBy: ObjectIdentifier?
    }

    /// A runtime parked on `GET /next`; `deliver` is false when its connection is gone.
    struct Waiter {
        var token: ObjectIdentifier
        var deliver: (Pending) -> Bool
    }

    let eventLoop: EventLoop
    let configuration: EmulatorConfiguration
    private var queue: [Pending] = []
    private var waiters: [Waiter] = []
    private var inflight: [String: Pending] = [:]
    /// The init error the current runtime reported, if any: it answers every invocation
    /// until a fresh runtime starts.
    private(set) var initError: InvocationResult?
    /// Whether the current runtime finished INIT (asked for its first invocation).
    private(set) var initialized = false
    /// Whether the current runtime ran out of INIT time.
    private(set) var initTimedOut = false
    /// Completed when the current runtime first asks for an invocation (true), or fails
    /// its INIT (false). Made on first use, so an emulator that never started leaks none.
    private var readiness: EventLoopPromise<Bool>?
    private var readinessSettled = false
    private var initTimer: Scheduled<Void>?
    /// Set when the runtime is being stopped (a missed deadline, an INIT that took too
    /// long): it gets no more work, and what is queued waits for its successor.
    private var draining = false
    /// Stops the current runtime (it missed a deadline or its INIT took too long).
    var stopRuntime: (@Sendable () -> Void)?

    init(eventLoop: EventLoop, configuration: EmulatorConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
    }

    /// A fresh runtime starts: forget what the previous one reported and bound its INIT.
    func reset() {
        initError = nil
        settle(false)
        readiness = nil
        readinessSettled = false
        initialized = false
        initTimedOut = false
        draining = false
        initTimer?.cancel()
        initTimer = eventLoop.scheduleTask(in: .seconds(Int64(configuration.initTimeout))) { [self] in
            stopSlowInit()
        }
        // Waiters stay: a dead runtime's are dropped when its connection closes, and a
        // runtime started by hand may already be waiting.
    }

    private func settle(_ ready: Bool) {
        guard !readinessSettled else { return }
        readinessSettled = true
        readiness?.succeed(ready)
    }

    /// Whether the current runtime got ready (true) or failed its INIT (false).
    var ready: EventLoopFuture<Bool> {
        if readinessSettled { return eventLoop.makeSucceededFuture(initialized) }
        let promise = readiness ?? eventLoop.makePromise()
        readiness = promise
        return promise.futureResult
    }

    /// The runtime's state in the words of AWS's emulator, for a refused transition.
    var runtimeStateName: String { inflight.isEmpty ? "Ready" : "Running" }

    /// Invocations queued and not yet handed out.
    var queuedCount: Int { queue.count }

    /// Invocations handed out and not yet answered.
    var inflightCount: Int { inflight.count }

    func enqueue(_ invocation: EmulatedInvocation, promise: EventLoopPromise<InvocationResult>) {
        if let initError {
            promise.succeed(initError)
            return
        }
        queue.append(
            Pending(
                requestID: EmulatorIdentifiers.uuid(), invocationID: EmulatorIdentifiers.hex(16),
                traceID: EmulatorIdentifiers.traceID(), invocation: invocation, promise: promise))
        dispatch()
    }

    /// A runtime asks for the next invocation.
    func next(token: ObjectIdentifier, deliver: @escaping (Pending) -> Bool) {
        // A runtime being stopped keeps its request open until it is gone.
        if draining { return }
        finishInit()
        waiters.append(Waiter(token: token, deliver: deliver))
        dispatch()
    }

    /// A connection closed: its parked `/next` can no longer be answered.
    func forget(token: ObjectIdentifier) {
        waiters.removeAll { $0.token == token }
    }

    private func finishInit() {
        initTimer?.cancel()
        initTimer = nil
        initialized = true
        settle(true)
    }

    /// Hands queued invocations to waiting runtimes, in order.
    private func dispatch() {
        while !draining, !queue.isEmpty, !waiters.isEmpty {
            hand(queue.removeFirst(), to: waiters.removeFirst())
        }
    }

    /// Hands an invocation to a runtime: its deadline and its timeout start now. If the
    /// waiter's connection has closed, the invocation goes back to the head of the queue.
    private func hand(_ pending: Pending, to waiter: Waiter) {
        finishInit()
        var pending = pending
        let timeout = Int64(configuration.timeout)
        pending.deadlineMs = EmulatorIdentifiers.nowMs() + timeout * 1000
        let requestID = pending.requestID
        pending.timer = eventLoop.scheduleTask(in: .seconds(timeout)) { [self] in
            timedOut(requestID)
        }
        inflight[requestID] = pending
        if !waiter.deliver(pending) {
            pending.timer?.cancel()
            inflight[requestID] = nil
            queue.insert(pending, at: 0)
        }
    }

    private func timedOut(_ requestID: String) {
        guard let pending = inflight.removeValue(forKey: requestID) else { return }
        draining = true
        waiters.removeAll()
        let message = "RequestId: \(requestID) Error: Task timed out after \(configuration.timeout).00 seconds"
        pending.promise.succeed(.failure(type: "Sandbox.Timedout", message: message))
        stopRuntime?()
    }

    /// INIT took longer than allowed: the waiting invocations are told so, and the runtime
    /// is stopped; what comes later waits for a fresh one.
    private func stopSlowInit() {
        initTimer = nil
        guard !initialized, initError == nil else { return }
        initTimedOut = true
        let seconds = configuration.initTimeout
        configuration.log(
            "INIT_REPORT Init Duration: \(seconds * 1000).00 ms\tPhase: init\tStatus: timeout "
                + "(the runtime did not call GET /2018-06-01/runtime/invocation/next in time; it is replaced)")
        draining = true
        waiters.removeAll()
        settle(false)
        for pending in queue {
            let message =
                "RequestId: \(pending.requestID) Error: INIT timed out after \(seconds).00 seconds: the runtime did not "
                + "call GET /2018-06-01/runtime/invocation/next; make its INIT faster or raise --init-timeout"
            pending.promise.succeed(.failure(type: "Sandbox.Timedout", message: message))
        }
        queue.removeAll()
        stopRuntime?()
    }

    /// Claims the stream of the invocation `requestID` for the connection `token`, if that
    /// invocation is out, `invocationID` (when given) is its own, and no other connection
    /// streams to it: a stale or foreign stream never reaches the invoker.
    func claimStream(requestID: String, invocationID: String?, token: ObjectIdentifier) -> (any ResponseStream)? {
        guard var pending = inflight[requestID], let stream = pending.invocation.stream, pending.streamedBy == nil,
            invocationID == nil || invocationID == pending.invocationID
        else { return nil }
        pending.streamedBy = token
        inflight[requestID] = pending
        return stream
    }

    /// The runtime answers `requestID` on the connection `token`. Returns the status for
    /// the runtime: 202, 400 for an unknown or answered id (or one another connection is
    /// streaming to), 410 for a stale invocation id.
    func answer(
        requestID: String, invocationID: String?, token: ObjectIdentifier, with result: InvocationResult
    ) -> HTTPResponseStatus {
        guard let pending = inflight[requestID] else { return .badRequest }
        if let invocationID, invocationID != pending.invocationID { return .gone }
        if let owner = pending.streamedBy, owner != token { return .badRequest }
        inflight[requestID] = nil
        pending.timer?.cancel()
        pending.promise.succeed(result)
        return .accepted
    }

    /// The runtime reported an init error: whoever waits gets it, and so does every
    /// invocation until a fresh runtime starts. False (nothing changes) once INIT is over.
    func recordInitError(_ result: InvocationResult) -> Bool {
        guard !initialized else { return false }
        initTimer?.cancel()
        initError = result
        settle(false)
        failInflight(with: result)
        for pending in queue { pending.promise.succeed(result) }
        queue.removeAll()
        return true
    }

    /// The runtime is gone: the invocation it was handed fails with `describe(requestID)`.
    /// One that died during INIT fails the queued ones too; otherwise they wait for the
    /// next runtime. Returns whether it died during INIT.
    func runtimeExited(_ describe: (String) -> InvocationResult) -> Bool {
        let duringInit = !initialized
        initTimer?.cancel()
        settle(false)
        waiters.removeAll()
        if initError != nil { return duringInit }
        for (requestID, pending) in inflight {
            pending.timer?.cancel()
            pending.promise.succeed(describe(requestID))
        }
        inflight.removeAll()
        // A runtime replaced for a slow INIT already told its invocations.
        if duringInit && !draining {
            for pending in queue { pending.promise.succeed(describe(pending.requestID)) }
            queue.removeAll()
        }
        return duringInit
    }

    /// Answers every invocation handed out with `result`.
    func failInflight(with result: InvocationResult) {
        for pending in inflight.values {
            pending.timer?.cancel()
            pending.promise.succeed(result)
        }
        inflight.removeAll()
    }

    /// Answers every invocation, handed out or queued, with `result` (shutdown).
    func failAll(with result: InvocationResult) {
        initTimer?.cancel()
        settle(false)
        failInflight(with: result)
        for pending in queue { pending.promise.succeed(result) }
        queue.removeAll()
    }
}
