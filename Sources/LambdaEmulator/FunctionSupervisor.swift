import Glibc

/// Keeps one runtime serving one emulated function, the way Lambda does.
///
/// The runtime starts with the first invocation (INIT happens then, as in Lambda). A
/// runtime that exits fails the invocation it was handling with `Runtime.ExitError`; one
/// that misses a deadline is stopped and its invocation fails with `Sandbox.Timedout`;
/// one that reports an init error fails the invocations waiting for it. In every case the
/// next invocation starts a fresh runtime. Invocations are queued, never dropped, and
/// handed to the runtime one at a time.
public actor FunctionSupervisor {
    /// The Runtime API the runtime talks to.
    public let emulator: RuntimeAPIEmulator
    private var launch: @Sendable (String) -> RuntimeProcess.Launch
    private var runtime: RuntimeProcess?
    private var generation = 0

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
        emulator.onTimeout { [weak self] in Task { await self?.stopRuntime() } }
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
        let process = runtime
        runtime = nil
        generation += 1
        await process?.stop()
        emulator.failAll(with: .failure(type: "Runtime.Shutdown", message: "the emulator is shutting down"))
        await emulator.shutdown()
        cleanup?()
    }

    private func startRuntimeIfNeeded() async throws {
        guard runtime == nil else { return }
        await emulator.reset()
        let process = try RuntimeProcess.spawn(launch(emulator.endpoint))
        runtime = process
        generation += 1
        let started = generation
        Task { await self.watch(process, generation: started) }
    }

    private func watch(_ process: RuntimeProcess, generation started: Int) async {
        let status = await process.waitForExit()
        guard started == generation else { return }
        runtime = nil
        await emulator.runtimeExited(status: status)
        if await emulator.hasQueuedInvocations() {
            try? await startRuntimeIfNeeded()
        }
    }
}
