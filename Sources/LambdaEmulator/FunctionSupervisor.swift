import Glibc
import Synchronization

/// Keeps one runtime serving one emulated function, the way Lambda does.
///
/// The runtime starts with the first invocation (INIT happens then, as in Lambda). A
/// runtime that exits fails the invocation it was handling with `Runtime.ExitError`; one
/// that exits during INIT fails the invocations waiting for it too, at once; one that
/// misses a deadline is stopped and its invocation fails with `Sandbox.Timedout`; one
/// whose INIT outlasts the init timeout is stopped and its waiting invocations are told
/// so; one that reports an init error fails the invocations waiting for it, and is stopped
/// if it stays. In every case the next invocation starts a fresh runtime. Invocations are
/// queued, never dropped, and each `GET /next` of the runtime takes one (at most
/// `maxConcurrency` at once in Lambda Managed Instances mode, where a missed deadline ends
/// only its invocation and the runtime goes on).
///
/// Runtimes that keep failing INIT are restarted with a growing pause (``backoff(after:)``),
/// never in a tight loop.
public actor FunctionSupervisor {
    /// The Runtime API the runtime talks to.
    public let emulator: RuntimeAPIEmulator
    private let launch: @Sendable (String) -> RuntimeProcess.Launch
    private let cleanup: (@Sendable () -> Void)?
    /// The runtime, from its start until the emulator has dealt with its exit. Readable off
    /// the actor, so that a runtime that missed its deadline is killed before its invoker
    /// is answered.
    private nonisolated let current = Mutex<RuntimeProcess?>(nil)
    /// Set by the emulator's loop when invocations wait and no runtime is there for them.
    private nonisolated let wanted = Atomic(false)
    /// A start under way (waiting out a back-off), which later callers join.
    private var starting: Task<Void, Error>?
    private var closed = false
    /// Set by ``retire()``: new invocations go elsewhere.
    private var retiring = false
    /// Invocations inside ``invoke(_:)``, and who waits for there to be none.
    private var admitted = 0
    private var drained: [CheckedContinuation<Void, Never>] = []

    /// Thrown by ``invoke(_:)`` once the supervisor is retiring: the invocation was not
    /// queued here and should go to its successor.
    public struct Retired: Error, CustomStringConvertible {
        public var description: String { "this build of the function was replaced" }
    }

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
        // Weak, so that a retired supervisor is not kept alive by its emulator's callbacks.
        emulator.onStuckRuntime { [weak self] in self?.killRuntime() }
        emulator.onPeakMemory { [weak self] in self?.current.withLock { $0?.peakResidentKiB } }
        emulator.onNeedRuntime { [weak self] in
            guard let self else { return }
            self.wanted.store(true, ordering: .sequentiallyConsistent)
            Task { try? await self.startRuntimeIfNeeded() }
        }
    }

    /// The pause before starting a runtime after `failures` in a row died during INIT:
    /// none after none, then 100 ms doubling up to 5 s.
    public static func backoff(after failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        return .milliseconds(min(100 << min(failures - 1, 6), 5_000))
    }

    /// Runs one invocation, starting a runtime if none is running. Throws ``Retired`` if
    /// the supervisor retires before the invocation is queued (while it waits out a
    /// back-off, say).
    public func invoke(_ invocation: EmulatedInvocation) async throws -> InvocationResult {
        guard !retiring else { throw Retired() }
        admitted += 1
        defer {
            admitted -= 1
            if admitted == 0 {
                drained.forEach { $0.resume() }
                drained.removeAll()
            }
        }
        do {
            try await startRuntimeIfNeeded()
        } catch where retiring {
            throw Retired()
        }
        if retiring { throw Retired() }
        let result = try await emulator.invoke(invocation)
        // Queued here but given up by `retire()` before a runtime took it: an INIT that
        // never finishes, or a start cancelled while a dying runtime was still current.
        if retiring && result == RuntimeAPIEmulator.handedOver { throw Retired() }
        return result
    }

    /// Starts a runtime now rather than at the first invocation; `emulator.waitUntilReady()`
    /// then tells whether it got ready.
    public func startRuntime() async throws {
        try await startRuntimeIfNeeded()
    }

    /// Lets the invocations already handed to the runtime finish, sends the rest (those
    /// waiting out a back-off or queued for a runtime still in INIT) to the successor by
    /// throwing ``Retired``, then shuts down.
    public func retire() async {
        retiring = true
        starting?.cancel()
        await emulator.handOver()
        while admitted > 0 {
            await withCheckedContinuation { drained.append($0) }
        }
        await shutdown()
    }

    /// Kills the runtime's process group at once; a fresh runtime replaces it when an
    /// invocation needs one.
    private nonisolated func killRuntime() {
        current.withLock { $0?.signal(SIGKILL) }
    }

    /// Stops the runtime and the emulator.
    public func shutdown() async {
        guard !closed else { return }
        closed = true
        starting?.cancel()
        await current.withLock { $0 }?.stop()
        await emulator.shutdown()
        cleanup?()
    }

    private func startRuntimeIfNeeded() async throws {
        if let starting { return try await starting.value }
        guard !closed, current.withLock({ $0 == nil }) else { return }
        wanted.store(false, ordering: .sequentiallyConsistent)
        let task = Task { try await self.spawnAfterBackoff() }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    private func spawnAfterBackoff() async throws {
        let (failures, since) = await emulator.initFailures()
        let pause = Self.backoff(after: failures) - since
        if pause > .zero { try await Task.sleep(for: pause) }
        guard !closed else { return }
        await emulator.reset()
        guard !closed else { return }
        let process: RuntimeProcess
        let described = launch(emulator.endpoint)
        // The runtime's format, so that its lines and these agree: this process's variable
        // counts only when the runtime inherits it, as RuntimeProcess merges it then.
        var format = described.environment["AWS_LAMBDA_LOG_FORMAT"]
        if format == nil && described.inheritsEnvironment { format = getenv("AWS_LAMBDA_LOG_FORMAT").map { String(cString: $0) } }
        await emulator.useLogFormat(PlatformLogFormat(environment: format))
        // INIT is timed from before the spawn: a quick runtime's first GET /next may reach
        // the emulator before anything after the spawn does, and its Init Duration with it.
        await emulator.runtimeStarted()
        do {
            process = try RuntimeProcess.spawn(described)
        } catch {
            await emulator.runtimeNotStarted(error.message)
            throw error
        }
        current.withLock { $0 = process }
        Task { await self.watch(process) }
    }

    private func watch(_ process: RuntimeProcess) async {
        let status = await process.waitForExit()
        await emulator.runtimeExited(status: status)
        current.withLock { if $0 === process { $0 = nil } }
        // Invocations queued while the emulator dealt with the exit asked for a runtime
        // (`wanted`) before this point, or will find none and start one themselves.
        if wanted.load(ordering: .sequentiallyConsistent) { try? await startRuntimeIfNeeded() }
    }
}
