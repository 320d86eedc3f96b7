import ArgumentParser
import Glibc

/// The `lambda-host` runtime binary run as a child process, its stdout sent to stderr so
/// that the invoker's stdout carries only the response.
struct RuntimeProcess {
    let pid: pid_t

    /// The runtime binary: `lambda-host` next to this executable.
    static var hostPath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { return "lambda-host" }
        let own = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let folder = own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return folder + "/lambda-host"
    }

    /// Starts the runtime with the current environment plus `environment`.
    static func spawn(environment: [String: String]) throws -> RuntimeProcess {
        let path = hostPath
        guard access(path, X_OK) == 0 else {
            throw ValidationError("the runtime binary \(path) is missing; build it with 'swift build'")
        }
        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                merged[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        merged.merge(environment) { $1 }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("lambda-host"), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        var pid = pid_t()
        let status = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard status == 0 else {
            throw ValidationError("cannot start \(path): \(String(cString: strerror(status)))")
        }
        return RuntimeProcess(pid: pid)
    }

    /// Waits for the process to exit and returns its wait status.
    func waitForExit() async -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || result < 0 { return status }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// Sends SIGTERM.
    func terminate() {
        kill(pid, SIGTERM)
    }

    /// Replaces this process with the runtime binary.
    static func execHost(arguments: [String]) throws -> Never {
        let path = hostPath
        let argv: [UnsafeMutablePointer<CChar>?] = (["lambda-host"] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        throw ValidationError("cannot run \(path): \(String(cString: strerror(errno)))")
    }

    /// A wait status in words.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal \(signal)"
    }
}
