import Foundation
import Glibc

/// The build folder that holds the products under test: the real `lambda-host` binary
/// and the plugin `.so` files SwiftPM built next to the test bundle.
enum BuildProducts {
    static let folder: URL = {
        // /proc/self/exe is .../.build/<triple>/<configuration>/lambda-hostPackageTests.xctest
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }()

    static var host: String { folder.appendingPathComponent("lambda-host").path }

    /// The package's root folder (three folders above the build folder).
    static var packageRoot: URL {
        folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A file in `Tests/Fixtures`, copied in so that the tests need nothing beside the
    /// repository (see its README for where each came from and its licence).
    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures/" + name).path
    }

    static func plugin(_ name: String) -> String { folder.appendingPathComponent("lib\(name).so").path }
}

/// A running `lambda-host` process with its stderr collected.
final class HostProcess: @unchecked Sendable {
    let process = Process()
    /// The read end of the host's stderr. The channel is made close-on-exec, so that no other
    /// process a concurrent test starts inherits it: its end then means the host is done.
    private let errorReader: FileHandle
    private let lock = NSLock()
    private var collected = Data()
    /// The pipe reached its end: every writer (the host, and any child that inherited
    /// it) has closed it, so nothing more will come.
    private var ended = false

    /// Starts the host (`executable`, by default the one built beside the tests) against
    /// `api` with `_HANDLER=handler` (or the bytes `rawHandler`, set by a shell, since
    /// Foundation passes only UTF-8), the task root defaulting to the build folder.
    init(
        executable: String = BuildProducts.host,
        handler: String?,
        rawHandler: [UInt8]? = nil,
        api: TestRuntimeAPI?,
        taskRoot: String = BuildProducts.folder.path,
        environment extra: [String: String] = [:],
        arguments: [String] = [],
        currentDirectory: String? = nil,
        stdoutToLog: Bool = false
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let rawHandler {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let script = "_HANDLER=\"$(printf '\(printfFormat(rawHandler))')\"; export _HANDLER; exec \"$0\" \"$@\""
            process.arguments = ["-c", script, executable] + arguments
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        var environment = ["PATH": "/usr/bin:/bin", "LAMBDA_TASK_ROOT": taskRoot]
        if let handler { environment["_HANDLER"] = handler }
        if let api { environment["AWS_LAMBDA_RUNTIME_API"] = api.endpoint }
        environment.merge(extra) { $1 }
        process.environment = environment
        // A socket pair rather than pipe(): it is created close-on-exec at once (Glibc's
        // module does not show pipe2).
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw POSIXError(.EMFILE)
        }
        shutdown(ends[0], Int32(SHUT_WR))
        errorReader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        let errorWriter = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        process.standardError = errorWriter
        // In Lambda, stdout and stderr both go to the function's log.
        process.standardOutput = stdoutToLog ? errorWriter : FileHandle.nullDevice
        errorReader.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock()
            if data.isEmpty { self.ended = true } else { self.collected.append(data) }
            self.lock.unlock()
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        try process.run()
        try errorWriter.close()
    }

    /// What the host wrote to stderr so far.
    var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits for the process to exit; returns its status, or nil on timeout (after
    /// killing it).
    func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.interrupt()
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            usleep(5_000)
        }
        // Wait for the pipe's end, so that stderr holds everything the host wrote (a child
        // the host started may keep it open a little longer: then stop waiting).
        let drained = Date().addingTimeInterval(5)
        while !pipeEnded && Date() < drained { usleep(1_000) }
        return process.terminationStatus
    }

    private var pipeEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// The signal that ended the process, or nil when it exited (or still runs).
    var terminationSignal: Int32? {
        guard !process.isRunning, process.terminationReason == .uncaughtSignal else { return nil }
        return process.terminationStatus
    }

    /// Waits until stderr contains `text`.
    func waitForLog(_ text: String, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            usleep(5_000)
        }
        return false
    }

    func terminate() { kill(process.processIdentifier, SIGTERM) }

    /// The Runtime API port an `emulate` command printed ("Runtime API on 127.0.0.1:PORT").
    func runtimeAPIPort(timeout: TimeInterval = 20) -> Int? {
        guard waitForLog("Runtime API on 127.0.0.1:", timeout: timeout) else { return nil }
        let text = stderr
        guard let range = text.range(of: "Runtime API on 127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// The port a `serve` or `emulate` command printed ("POST events to http://127.0.0.1:PORT/...").
    func invokePort(timeout: TimeInterval = 20) -> Int? {
        guard waitForLog("POST events to http://127.0.0.1:", timeout: timeout) else { return nil }
        let text = stderr
        guard let range = text.range(of: "POST events to http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    deinit {
        // SIGTERM first, so that serve and emulate stop the runtimes they started.
        // Given time to end by itself (on a busy machine too), since a SIGKILL would leave
        // what it made behind: its runtimes, --watch's copies.
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<2_500 where process.isRunning { usleep(2_000) }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        errorReader.readabilityHandler = nil
    }
}

/// Decodes a JSON object body into a dictionary.
func jsonObject(_ request: TestRuntimeAPI.Request?) -> [String: Any]? {
    guard let request else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
}
