import Glibc

/// Runs a program to its end and says how it ended: `posix_spawn`, then `waitpid`. The
/// child inherits this process's environment and standard streams. Costs one process.
public enum ChildProcess {
    /// How a child ended.
    public enum Ending: Equatable, CustomStringConvertible, Sendable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal killed it.
        case signalled(Int32)
        /// It could not be started (an errno value).
        case notStarted(Int32)

        public var description: String {
            switch self {
            case .exited(let status): "status \(status)"
            case .signalled(let signal): "signal \(signal) (\(String(cString: strsignal(signal))))"
            case .notStarted(let error): "could not start: \(String(cString: strerror(error)))"
            }
        }
    }

    /// Runs `arguments` (the program's path first) and waits for it.
    public static func run(_ arguments: [String]) -> Ending {
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let started = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
        guard started == 0 else { return .notStarted(started) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED, WEXITSTATUS and WTERMSIG, which Swift cannot call as macros.
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }
}
