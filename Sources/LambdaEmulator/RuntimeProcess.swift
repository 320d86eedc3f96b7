import CLambdaProcess
import Glibc
import Synchronization

/// A runtime run as a child process, the leader of a process group of its own. Its stdout
/// goes to this process's stderr, so that a command's stdout carries only the function's
/// response; its stdin is /dev/null, as in Lambda.
///
/// A thread of its own waits for it (blocked in the kernel, so an idle tool uses no CPU);
/// when it exits, what is left of its group is killed, as Lambda ends an environment.
public final class RuntimeProcess: Sendable {
    /// The child's process id (and its process group's).
    public let pid: pid_t

    private enum Exit {
        case running([@Sendable (String) -> Void])
        case exited(String)
    }

    private let exit = Mutex(Exit.running([]))

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// What to run: `arguments[0]` is the program (a path, or a name looked up in PATH).
    public struct Launch: Sendable {
        /// The program and its arguments.
        public var arguments: [String]
        /// The runtime's variables: all of them, unless ``inheritsEnvironment``.
        public var environment: [String: String]
        /// Whether ``environment`` is added to this process's environment rather than being
        /// the whole of it. Off by default: a runtime gets what it was given, as in Lambda.
        public var inheritsEnvironment: Bool

        /// Creates a launch description.
        public init(arguments: [String], environment: [String: String], inheritsEnvironment: Bool = false) {
            self.arguments = arguments
            self.environment = environment
            self.inheritsEnvironment = inheritsEnvironment
        }
    }

    /// Starts `launch`, and the thread that waits for it.
    public static func spawn(_ launch: Launch) throws(EmulatorError) -> RuntimeProcess {
        guard let program = launch.arguments.first else { throw EmulatorError("no runtime command to run") }
        var merged = launch.inheritsEnvironment ? LambdaEnvironment.shell() : [:]
        merged.merge(launch.environment) { $1 }
        let argv: [UnsafeMutablePointer<CChar>?] = launch.arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        // Nothing but stdin, stdout and stderr: an inherited client connection would stay
        // open in the runtime after the emulator closed it.
        lh_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        lh_spawn_setup(&attributes)
        var pid = pid_t()
        // posix_spawnp looks `program` up in this process's PATH, not the runtime's.
        let status = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw EmulatorError("cannot start \(program): \(String(cString: strerror(status)))")
        }
        lh_children_add(pid)
        let process = RuntimeProcess(pid: pid)
        // The watch thread owns one reference until it reports the exit.
        let context = Unmanaged.passRetained(process).toOpaque()
        let watching = lh_child_watch(pid, { context, status in
            guard let context else { return }
            Unmanaged<RuntimeProcess>.fromOpaque(context).takeRetainedValue().exited(RuntimeProcess.describe(status))
        }, context)
        guard watching == 0 else {
            Unmanaged<RuntimeProcess>.fromOpaque(context).release()
            throw EmulatorError("cannot watch \(program): \(String(cString: strerror(watching)))")
        }
        return process
    }

    private func exited(_ status: String) {
        let waiting = exit.withLock { state -> [@Sendable (String) -> Void] in
            guard case .running(let handlers) = state else { return [] }
            state = .exited(status)
            return handlers
        }
        for handler in waiting { handler(status) }
    }

    /// Calls `handler` with the exit status in words once the process has exited: at once,
    /// on this thread, if it has; otherwise on the watch thread.
    private func onExit(_ handler: @escaping @Sendable (String) -> Void) {
        let status = exit.withLock { state -> String? in
            switch state {
            case .exited(let status):
                return status
            case .running(let handlers):
                state = .running(handlers + [handler])
                return nil
            }
        }
        if let status { handler(status) }
    }

    /// Waits for the process to exit and returns its status in words.
    public func waitForExit() async -> String {
        await withCheckedContinuation { continuation in onExit { continuation.resume(returning: $0) } }
    }

    /// The process's peak resident memory in KiB (`VmHWM` in `/proc/PID/status`), what
    /// Lambda's "Max Memory Used" reports; nil once it has exited. Costs one small read
    /// of procfs.
    public var peakResidentKiB: Int? {
        let fd = open("/proc/\(pid)/status", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard got > 0 else { return nil }
        let text = String(decoding: buffer[0..<got], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }

    /// Sends a signal (SIGTERM by default) to the process's group; nothing once it has exited.
    public func signal(_ number: Int32 = SIGTERM) {
        lh_child_signal(pid, number)
    }

    /// Stops the process as Lambda does: SIGTERM to its group, then SIGKILL if it is still
    /// there after ``stopGrace``, then waits (at most as long again) until it is gone.
    public func stop() async {
        signal(SIGTERM)
        if await exits(within: Self.stopGrace) { return }
        signal(SIGKILL)
        _ = await exits(within: Self.stopGrace)
    }

    /// How long a runtime is given between SIGTERM and SIGKILL.
    public static let stopGrace = Duration.milliseconds(Int(LH_STOP_GRACE_MS))

    /// Whether the process exits within `limit`: whichever comes first, the exit or the end
    /// of the pause, answers.
    private func exits(within limit: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            onExit { _ in answer.give(true) }
            Task {
                try? await Task.sleep(for: limit)
                answer.give(false)
            }
        }
    }

    /// A wait status in words, as Lambda's `Runtime.ExitError` puts it.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal: \(Self.signalName(signal))"
    }

    /// A signal's name as Go's `syscall.Signal.String()` gives it, the wording Lambda's
    /// `Runtime.ExitError` uses ("signal: segmentation fault").
    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGHUP: "hangup"
        case SIGINT: "interrupt"
        case SIGQUIT: "quit"
        case SIGILL: "illegal instruction"
        case SIGTRAP: "trace/breakpoint trap"
        case SIGABRT: "aborted"
        case SIGBUS: "bus error"
        case SIGFPE: "floating point exception"
        case SIGKILL: "killed"
        case SIGUSR1: "user defined signal 1"
        case SIGSEGV: "segmentation fault"
        case SIGUSR2: "user defined signal 2"
        case SIGPIPE: "broken pipe"
        case SIGALRM: "alarm clock"
        case SIGTERM: "terminated"
        case SIGXCPU: "CPU time limit exceeded"
        case SIGXFSZ: "file size limit exceeded"
        case SIGSYS: "bad system call"
        default: "signal \(number)"
        }
    }
}

/// A continuation resumed by the first of several callers.
private final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ answer: Bool) {
        continuation.withLock { pending in
            pending?.resume(returning: answer)
            pending = nil
        }
    }
}

/// A failure of the emulator or of starting a runtime, with a message for the user.
public struct EmulatorError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
