import CLambdaProcess
import Glibc

/// A runtime run as a child process. Its stdout goes to this process's stderr, so that a
/// command's stdout carries only the function's response.
public struct RuntimeProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t

    /// What to run: `arguments[0]` is the program (a path, or a name looked up in PATH).
    public struct Launch: Sendable {
        /// The program and its arguments.
        public var arguments: [String]
        /// Variables added to (or replacing) the current environment.
        public var environment: [String: String]

        /// Creates a launch description.
        public init(arguments: [String], environment: [String: String]) {
            self.arguments = arguments
            self.environment = environment
        }
    }

    /// Starts `launch`.
    public static func spawn(_ launch: Launch) throws(EmulatorError) -> RuntimeProcess {
        guard let program = launch.arguments.first else { throw EmulatorError("no runtime command to run") }
        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                merged[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
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
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        // Nothing but stdin, stdout and stderr: an inherited client connection would stay
        // open in the runtime after the emulator closed it.
        lh_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        lh_spawn_reset_signals(&attributes)
        var pid = pid_t()
        let status = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw EmulatorError("cannot start \(program): \(String(cString: strerror(status)))")
        }
        lh_children_add(pid)
        return RuntimeProcess(pid: pid)
    }

    /// Waits for the process to exit and returns its status in words.
    public func waitForExit() async -> String {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                lh_children_remove(pid)
                return Self.describe(status)
            }
            if result < 0 {
                lh_children_remove(pid)
                return "exit status unknown"
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// Sends a signal (SIGTERM by default).
    public func signal(_ number: Int32 = SIGTERM) {
        kill(pid, number)
    }

    /// Stops the process as Lambda does: SIGTERM, then SIGKILL if it is still there after
    /// `grace` milliseconds.
    public func stop(grace milliseconds: Int = 500) async {
        kill(pid, SIGTERM)
        for _ in 0..<(milliseconds / 10) {
            var status: Int32 = 0
            // Still running (0) or already gone? A zombie is reaped by whoever waits for it.
            if waitpid(pid, &status, WNOHANG | WNOWAIT | __WALL) != 0 || kill(pid, 0) != 0 { return }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        kill(pid, SIGKILL)
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

/// A failure of the emulator or of starting a runtime, with a message for the user.
public struct EmulatorError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
