import NIOCore

/// What the emulator knows of the current runtime: its INIT, what it reported, its exit.
struct RuntimePhase {
    /// A runtime is starting or running, or its exit is being dealt with: queued
    /// invocations will be served or answered without asking for another.
    var present = false
    /// Counts runtimes, so that a timer set for one never acts on its successor.
    var generation = 0
    /// The init error the runtime reported, if any: it answers every invocation until a
    /// fresh runtime starts.
    var initError: InvocationResult?
    /// Whether the runtime finished INIT (asked for its first invocation).
    var initialized = false
    /// Whether the runtime ran out of INIT time.
    var initTimedOut = false
    /// Completed when the runtime first asks for an invocation (true), or fails its INIT
    /// (false). Made on first use, so that an emulator that never started leaks none.
    var readiness: EventLoopPromise<Bool>?
    var readinessSettled = false
    var initTimer: Scheduled<Void>?
    var initErrorTimer: Scheduled<Void>?
    /// An exit being dealt with: it waits for the runtime's connections to close.
    var exit: (describe: (String) -> InvocationResult, promise: EventLoopPromise<Bool>)?
    var exitTimer: Scheduled<Void>?
    /// Runtime API connections open now.
    var connections = 0
    /// Runtimes in a row that ended during INIT (or could not start), and when the last did.
    var initFailures = 0
    var lastFailure = NIODeadline.now()
    /// When the runtime process started, until its INIT ends.
    var startedAt: NIODeadline?
    /// How long its INIT took, until the first invocation's REPORT carries it.
    var initDurationMs: Double?
    /// The runtime's peak resident memory last read (KiB): what a REPORT says once the
    /// process is gone.
    var peakKiB: Int?
}

/// The runtime's life as the emulator sees it: it starts, finishes INIT or fails it, exits.
extension EmulatorState {
    /// How long the emulator waits, once the runtime process has exited, for its Runtime API
    /// connections to close before it answers the invocation the runtime had. The kernel
    /// closes them at the exit, after the last bytes the runtime sent, so an answer already
    /// on its way is delivered instead of being reported as an exit (as a user of AWS's
    /// emulator expects: the response was sent). Only a connection held open by another
    /// process (a runtime started by hand) makes the wait last this long.
    static let exitGrace = TimeAmount.seconds(2)

    /// How long a runtime that reported an init error may stay before it is stopped: Lambda
    /// ends the environment, and the next invocation runs INIT again in a fresh one.
    static let initErrorGrace = TimeAmount.seconds(1)

    /// A fresh runtime is about to start: forget what the previous one reported. `/next`
    /// requests held meanwhile (a runtime started by hand) may get work now.
    func reset() {
        runtime.initError = nil
        settle(false)
        runtime.readiness = nil
        runtime.readinessSettled = false
        runtime.initialized = false
        runtime.initTimedOut = false
        runtime.initErrorTimer?.cancel()
        runtime.initErrorTimer = nil
        runtime.present = true
        runtime.generation += 1
        // INIT is timed from here until runtimeStarted() says when the process began: a
        // runtime the emulator did not start (one started by hand, or a test playing it)
        // may ask for its first invocation before then.
        runtime.startedAt = .now()
        runtime.initDurationMs = nil
        runtime.peakKiB = nil
        draining = false
        waiters += held
        held.removeAll()
        dispatch()
    }

    /// The runtime process started: its INIT is timed from now (not before, so that a
    /// runtime that could not be started never "times out").
    func runtimeStarted() {
        guard !runtime.initialized else { return }
        runtime.startedAt = .now()
        runtime.initTimer?.cancel()
        let generation = runtime.generation
        runtime.initTimer = eventLoop.scheduleTask(in: .seconds(Int64(configuration.initTimeout))) { [self] in
            if runtime.generation == generation { stopSlowInit() }
        }
    }

    /// The runtime process could not be started: the invocations waiting for it get
    /// `result`, and it counts as a failed INIT for the back-off.
    func runtimeNotStarted(_ result: InvocationResult) {
        runtime.present = false
        runtime.initTimer?.cancel()
        runtime.initTimer = nil
        runtime.startedAt = nil
        countInitFailure()
        settle(false)
        failQueued { _ in result }
    }

    /// INIT failures in a row, and how long ago the last one was.
    var initFailures: (count: Int, since: TimeAmount) { (runtime.initFailures, .now() - runtime.lastFailure) }

    private func countInitFailure() {
        runtime.initFailures += 1
        runtime.lastFailure = .now()
    }

    func finishInit() {
        guard !runtime.initialized else { return }
        runtime.initTimer?.cancel()
        runtime.initTimer = nil
        runtime.initialized = true
        runtime.initFailures = 0
        if let started = runtime.startedAt {
            runtime.initDurationMs = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
            runtime.startedAt = nil
        }
        settle(true)
    }

    func settle(_ ready: Bool) {
        guard !runtime.readinessSettled else { return }
        runtime.readinessSettled = true
        runtime.readiness?.succeed(ready)
    }

    /// Whether the current runtime got ready (true) or failed its INIT (false).
    var ready: EventLoopFuture<Bool> {
        if runtime.readinessSettled { return eventLoop.makeSucceededFuture(runtime.initialized) }
        let promise = runtime.readiness ?? eventLoop.makePromise()
        runtime.readiness = promise
        return promise.futureResult
    }

    /// INIT took longer than allowed: the runtime is stopped, then the invocations waiting
    /// for it are told so; what comes later waits for a fresh one.
    private func stopSlowInit() {
        runtime.initTimer = nil
        guard runtime.present, runtime.exit == nil, !runtime.initialized, runtime.initError == nil else { return }
        runtime.initTimedOut = true
        let seconds = configuration.initTimeout
        configuration.log(
            "INIT_REPORT Init Duration: \(seconds * 1000).00 ms\tPhase: init\tStatus: timeout "
                + "(the runtime did not call GET /2018-06-01/runtime/invocation/next in time; it is replaced)")
        stopHandingOut()
        stopRuntime?()
        settle(false)
        failQueued { pending in
            .failure(
                type: "Sandbox.Timedout",
                message: "RequestId: \(pending.requestID) Error: INIT timed out after \(seconds).00 seconds: the runtime did not "
                    + "call GET /2018-06-01/runtime/invocation/next; make its INIT faster or raise --init-timeout")
        }
    }

    /// The runtime reported an init error: whoever waits gets it, and so does every
    /// invocation until a fresh runtime starts. False (nothing changes) once INIT is over.
    func recordInitError(_ result: InvocationResult) -> Bool {
        guard !runtime.initialized else { return false }
        runtime.initTimer?.cancel()
        runtime.initError = result
        settle(false)
        failInflight(with: result)
        failQueued { _ in result }
        let generation = runtime.generation
        runtime.initErrorTimer?.cancel()
        runtime.initErrorTimer = eventLoop.scheduleTask(in: Self.initErrorGrace) { [self] in
            guard runtime.generation == generation, runtime.present, runtime.exit == nil else { return }
            stopHandingOut()
            stopRuntime?()
        }
        return true
    }

    /// The runtime process exited. Once its connections have closed (what it sent before
    /// its exit has been read), or after ``exitGrace``: the invocations it was handed fail
    /// with `describe(requestID)`; if it died during INIT the queued ones do too, otherwise
    /// they wait for a fresh runtime, which is asked for. Gives whether it died during INIT.
    func runtimeExited(_ describe: @escaping (String) -> InvocationResult) -> EventLoopFuture<Bool> {
        finishExit()
        let promise = eventLoop.makePromise(of: Bool.self)
        runtime.exit = (describe, promise)
        runtime.initTimer?.cancel()
        runtime.initTimer = nil
        if runtime.connections == 0 {
            finishExit()
        } else {
            runtime.exitTimer = eventLoop.scheduleTask(in: Self.exitGrace) { [self] in finishExit() }
        }
        return promise.futureResult
    }

    func connectionOpened() {
        runtime.connections += 1
    }

    func connectionClosed() {
        runtime.connections -= 1
        if runtime.connections == 0 { finishExit() }
    }

    private func finishExit() {
        guard let exit = runtime.exit else { return }
        runtime.exit = nil
        runtime.exitTimer?.cancel()
        runtime.exitTimer = nil
        runtime.initErrorTimer?.cancel()
        runtime.initErrorTimer = nil
        runtime.present = false
        let duringInit = !runtime.initialized
        if duringInit { countInitFailure() }
        settle(false)
        if runtime.initError == nil {
            for (requestID, pending) in inflight {
                pending.timer?.cancel()
                let result = exit.describe(requestID)
                reportEnd(pending, result, platformFailure: true)
                pending.promise.succeed(result)
            }
            inflight.removeAll()
            // A runtime replaced for a slow INIT already told its invocations.
            if duringInit && !draining { failQueued { exit.describe($0.requestID) } }
        }
        if !queue.isEmpty { needRuntime?() }
        exit.promise.succeed(duringInit)
    }

    /// Shutdown: an exit being dealt with is over.
    func abandonExit() {
        runtime.exitTimer?.cancel()
        runtime.exitTimer = nil
        runtime.initErrorTimer?.cancel()
        runtime.initErrorTimer = nil
        runtime.exit?.promise.succeed(false)
        runtime.exit = nil
    }
}
