import CLambdaProcess
import Glibc
import LambdaPackaging

/// A build program (swift, cargo, make) run to its end for `lambda-host build`: its stderr
/// passes through, and its stdout either goes to our stderr too (so that our stdout holds
/// nothing but the plugin's path) or is read, for the commands whose output is data.
/// Costs one process; the output read is held in memory.
enum BuildProgram {
    /// The absolute path of `name` on PATH, or nil.
    static func find(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where folder.hasPrefix("/") {
            let candidate = folder + "/" + name
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        return nil
    }

    /// Runs `arguments` (an absolute program path first). With `capture`, returns what it
    /// wrote to stdout; otherwise its stdout goes to this process's stderr.
    static func run(_ arguments: [String], capture: Bool = false) -> (ending: ChildProcess.Ending, output: [UInt8]) {
        var pipeEnds: [Int32] = [-1, -1]
        if capture {
            guard pipe(&pipeEnds) == 0 else { return (.notStarted(errno), []) }
            // Only the child's stdout is to hold the write end, so that its end is seen.
            pipeEnds.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        }
        defer { if capture { close(pipeEnds[0]) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, capture ? pipeEnds[1] : 2, 1)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let started = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        if capture { close(pipeEnds[1]) }
        guard started == 0 else { return (.notStarted(started), []) }
        // Stopped with the tool when it is stopped (lh_forward_termination).
        lh_children_add(pid)

        var output: [UInt8] = []
        if capture {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { break }
                output += chunk[0..<got]
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED, WEXITSTATUS and WTERMSIG, which Swift cannot call as macros.
        return (status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f), output)
    }

    /// Runs `arguments` and throws unless it exits 0; returns its stdout when `capture`.
    @discardableResult
    static func require(_ arguments: [String], capture: Bool = false, verbose: Bool) throws -> [UInt8] {
        if verbose { Output.write(Array(("+ " + arguments.joined(separator: " ") + "\n").utf8), to: 2, asIs: true) }
        let (ending, output) = run(arguments, capture: capture)
        guard ending == .exited(0) else {
            let program = FileSystem.baseName(of: arguments[0])
            let shown = ([program] + arguments.dropFirst()).joined(separator: " ")
            throw ScaffoldError(.buildFailed, "the build failed: \(shown) ended with \(ending); its output is above")
        }
        return output
    }
}
