import Glibc

/// Keeps one runtime serving one emulated function, the way Lambda does.
///
/// The runtime starts with the first invocation (INIT happens then, as in Lambda). A
/// runtime that exits fails the invocation it was handling with `Runtime.ExitError`; one
/// that exits during INIT fails the invocations waiting for it too, at once; one that
/// misses a deadline is stopped and its invocation fails with `Sandbox.Timedout`; one
/// whose INIT outlasts the init timeout is stopped and its waiting invocations are told
/// so; one that reports an init error fails the invocations waiting for it. In every case
/// the next invocation starts a fresh runtime. Invocations are queued, never dropped, and
/// handed to the runtime one at a time.
///
/// Runtimes that keep failing INIT are restarted with a growing pause (``backoff(after:)``),
/// never in a tight loop.
public actor FunctionSupervisor {
    /// The Runtime API the runtime talks to.
    public let emulator: RuntimeAPIEmulator
    private var launch: @Sendable (String) -> RuntimeProcess.Launch
    private var runtime: RuntimeProcess?
    private var generation = 0
    /// A start under way (waiting out a back-off), which later callers join.
    private var starting: Task<Void, Error>?
    /// Runtimes in a row that died before finishing INIT, and when the last one did.
    private var initFailures = 0
    private var lastFailure = ContinuousClock.now
    private var closed = false

    private let cleanup: (@Sendable () -> Void)?

    /// Creates a supervisor around an emulator; `launch` describes the runtime to start
    /// for a Runtime API endpoint; `cleanup` runs once the supervisor has shut down.
    public init(
        emulator: RuntimeAPIEmulator,
        cleanup: (@Sendable () -> Void)? = nil,
        launch: @escaping @Sendable (String) -> RuntimeProcess.Launch
    ) {
        self.emulator = emulator
        self.cleanup = cleanup
        self.launch = launch
        // Weak, so that a retired supervisor is not kept alive by its emulator's callback.
        emulator.onStuckRuntime { [weak self] in Task { await self?.stopRuntime() } }
    }

    /// The pause before starting a runtime after `failures` in a row died during INIT:
    /// none after none, then 100 ms doubling up to 5 s.
    public static func backoff(after failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        return .milliseconds(min(100 << min(failures - 1, 6), 5_000))
    }

    /// Runs one invocation, starting a runtime if none is running.
    public func invoke(_ invocation: EmulatedInvocation) async throws -> InvocationResult {
        try await startRuntimeIfNeeded()
        return try await emulator.invoke(invocation)
    }

    /// Starts a runtime now rather than at the first invocation; `emulator.waitUntilReady()`
    /// then tells whether it got ready.
    public func startRuntime() async throws {
        try await startRuntimeIfNeeded()
    }

    /// Waits until every queued and handed-out invocation is answered, then shuts down.
    public func retire() async {
        while await emulator.isBusy() {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        await shutdown()
    }

    /// Stops the runtime (it is started again for the next invocation).
    public func stopRuntime() {
        runtime?.signal(SIGKILL)
    }

    /// Stops the runtime and the emulator.
    public func shutdown() async {
        guard !closed else { return }
        closed = true
        let process = runtime
        runtime = nil
        generation += 1
        starting?.cancel()
        await process?.stop()
        await emulator.shutdown()
        cleanup?()
    }

    private func startRuntimeIfNeeded() async throws {
        if let starting { return try await starting.value }
        guard runtime == nil, !closed else { return }
        let task = Task { try await self.spawnAfterBackoff() }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    private func spawnAfterBackoff() async throws {
        let pause = Self.backoff(after: initFailures) - (ContinuousClock.now - lastFailure)
        if pause > .zero { try await Task.sleep(for: pause) }
        guard !closed else { return }
        await emulator.reset()
        guard !closed else { return }
        let process = try RuntimeProcess.spawn(launch(emulator.endpoint))
        runtime = process
        generation += 1
        let started = generation
        Task { await self.watch(process, generation: started) }
    }

    private func watch(_ process: RuntimeProcess, generation started: Int) async {
        let status = await process.waitForExit()
        guard started == generation, !closed else { return }
        runtime = nil
        let duringInit = await emulator.runtimeExited(status: status)
        if duringInit {
            initFailures += 1
            lastFailure = .now
        } else {
            initFailures = 0
        }
        // Invocations queued behind one that was handling work wait for a fresh runtime.
        guard started == generation, !closed, runtime == nil else { return }
        if await emulator.hasQueuedInvocations() {
            try? await startRuntimeIfNeeded()
        }
    }
}
