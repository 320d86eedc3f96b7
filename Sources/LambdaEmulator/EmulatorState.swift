import NIOCore

/// The emulator's bookkeeping: queued invocations, runtimes waiting on `/next`,
/// invocations handed out and not yet answered, and the current runtime's phase (in
/// `EmulatorState+Runtime.swift`).
///
/// Each `/next` gets its own invocation: a runtime that asks once at a time (every
/// runtime that follows the Runtime API) gets one invocation at a time. One that waits on
/// several connections at once gets several; each is still answered exactly once, by
/// request id, whatever connection the answer comes on. In Lambda Managed Instances mode
/// (``managed``) at most N are out at once, and a missed deadline ends only its invocation.
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
        /// When the runtime got it: its REPORT's duration counts from here.
        var startedAt = NIODeadline.now()
        /// The INIT before it, for the first invocation of a fresh runtime.
        var initDurationMs: Double?
    }

    /// A runtime parked on `GET /next`; `deliver` is false when its connection is gone.
    struct Waiter {
        var token: ObjectIdentifier
        var deliver: (Pending) -> Bool
    }

    let eventLoop: EventLoop
    /// Hands work to `eventLoop` from other threads until the emulator shuts down.
    let gate: LoopGate
    let configuration: EmulatorConfiguration
    var queue: [Pending] = []
    var waiters: [Waiter] = []
    /// `/next` requests that came while the runtime was being stopped, or after it
    /// reported an init error: they get work once a fresh runtime starts (a runtime started
    /// by hand may be among them). A closed connection's is forgotten.
    var held: [Waiter] = []
    var inflight: [String: Pending] = [:]
    /// Set when the runtime is being stopped (a missed deadline, an INIT that took too
    /// long): it gets no more work, and what is queued waits for its successor.
    var draining = false
    /// Stops the current runtime at once (a missed deadline, an INIT that took too long,
    /// an init error it stays alive after). Set by the supervisor.
    var stopRuntime: (@Sendable () -> Void)?
    /// Asks for a runtime: invocations are queued and none is running. Set by the supervisor.
    var needRuntime: (@Sendable () -> Void)?
    /// The current runtime's phase: see `EmulatorState+Runtime.swift`.
    var runtime = RuntimePhase()
    /// Set by ``handOver(with:)``: invocations not yet handed out belong to a successor.
    var handingOver = false
    /// Lambda Managed Instances mode (`--max-concurrency`); nil for Lambda's default, where
    /// a missed deadline stops the runtime.
    var managed: ManagedConcurrency?
    /// The format of the START, END and REPORT lines: the runtime's `AWS_LAMBDA_LOG_FORMAT`.
    var logFormat = PlatformLogFormat.text
    /// Reads the runtime process's peak resident memory (KiB); set by the supervisor.
    var peakMemory: (@Sendable () -> Int?)?

    init(eventLoop: EventLoop, configuration: EmulatorConfiguration) {
        self.eventLoop = eventLoop
        gate = LoopGate(eventLoop)
        self.configuration = configuration
        managed = configuration.maxConcurrency.map(ManagedConcurrency.init(limit:))
    }

    /// The runtime's state in the words of AWS's emulator, for a refused transition.
    var runtimeStateName: String { inflight.isEmpty ? "Ready" : "Running" }

    func enqueue(_ invocation: EmulatedInvocation, promise: EventLoopPromise<InvocationResult>) {
        if handingOver {
            promise.succeed(RuntimeAPIEmulator.handedOver)
            return
        }
        if let initError = runtime.initError {
            promise.succeed(initError)
            return
        }
        queue.append(
            Pending(
                requestID: EmulatorIdentifiers.uuid(), invocationID: EmulatorIdentifiers.hex(16),
                traceID: EmulatorIdentifiers.traceID(), invocation: invocation, promise: promise))
        // Decided here, on the loop, so that no invocation is left queued with no runtime
        // however its arrival and the last runtime's exit interleave.
        if !runtime.present { needRuntime?() }
        dispatch()
    }

    /// A runtime asks for the next invocation.
    func next(token: ObjectIdentifier, deliver: @escaping (Pending) -> Bool) {
        let waiter = Waiter(token: token, deliver: deliver)
        // A runtime being stopped, or one that reported an init error, gets nothing more;
        // its request stays open until it is gone, or until a fresh runtime starts.
        if draining || runtime.initError != nil {
            held.append(waiter)
            return
        }
        finishInit()
        waiters.append(waiter)
        dispatch()
    }

    /// A connection closed: its parked `/next` can no longer be answered.
    func forget(token: ObjectIdentifier) {
        waiters.removeAll { $0.token == token }
        held.removeAll { $0.token == token }
    }

    /// Hands queued invocations to waiting runtimes, in order, as many as ``managed``
    /// leaves room for.
    func dispatch() {
        while !draining, !queue.isEmpty, !waiters.isEmpty, managed?.hasRoom(inFlight: inflight.count) ?? true {
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
        pending.startedAt = .now()
        pending.initDurationMs = runtime.initDurationMs
        inflight[requestID] = pending
        if !waiter.deliver(pending) {
            pending.timer?.cancel()
            inflight[requestID] = nil
            queue.insert(pending, at: 0)
            return
        }
        runtime.initDurationMs = nil
        reportStart(requestID)
    }

    /// The runtime missed a deadline. By default it is stopped before its invoker is
    /// answered, and what it would have been handed waits for its successor. In Lambda
    /// Managed Instances mode only the invocation ends: the runtime and its other
    /// invocations go on, and the freed slot may take the next one.
    private func timedOut(_ requestID: String) {
        guard let pending = inflight.removeValue(forKey: requestID) else { return }
        if managed != nil {
            managed?.recordTimeout(requestID)
        } else {
            stopHandingOut()
            stopRuntime?()
        }
        let message = "RequestId: \(requestID) Error: Task timed out after \(configuration.timeout).00 seconds"
        let result = InvocationResult.failure(type: "Sandbox.Timedout", message: message)
        reportEnd(pending, result, platformFailure: true)
        pending.promise.succeed(result)
        dispatch()
    }

    /// The runtime is being stopped: its parked `/next` requests wait for a fresh runtime.
    func stopHandingOut() {
        draining = true
        held += waiters
        waiters.removeAll()
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

    /// The runtime answers `requestID` on the connection `token` (any connection: answers
    /// are matched by id). Says what the runtime is told (``AnswerOutcome``).
    func answer(
        requestID: String, invocationID: String?, token: ObjectIdentifier, with result: InvocationResult
    ) -> AnswerOutcome {
        guard let pending = inflight[requestID] else {
            return managed?.takeLateAnswer(requestID) == true ? .timedOut : .invalidRequestID
        }
        if let invocationID, invocationID != pending.invocationID { return .staleInvocationID }
        if let owner = pending.streamedBy, owner != token { return .invalidRequestID }
        inflight[requestID] = nil
        pending.timer?.cancel()
        reportEnd(pending, result, platformFailure: false)
        pending.promise.succeed(result)
        dispatch()
        return .accepted
    }

    /// Answers every invocation handed out with `result`.
    func failInflight(with result: InvocationResult) {
        for pending in inflight.values {
            pending.timer?.cancel()
            reportEnd(pending, result, platformFailure: true)
            pending.promise.succeed(result)
        }
        inflight.removeAll()
    }

    /// Answers every queued invocation with `result`.
    func failQueued(with result: (Pending) -> InvocationResult) {
        for pending in queue { pending.promise.succeed(result(pending)) }
        queue.removeAll()
    }

    /// Answers every queued invocation, and every later one, with `result` at once; those
    /// already handed out still get their runtime's answer.
    func handOver(with result: InvocationResult) {
        handingOver = true
        failQueued { _ in result }
    }

    /// Answers every invocation, handed out or queued, with `result` (shutdown).
    func failAll(with result: InvocationResult) {
        runtime.initTimer?.cancel()
        abandonExit()
        settle(false)
        failInflight(with: result)
        failQueued { _ in result }
    }
}
