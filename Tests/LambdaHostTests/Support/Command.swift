import Foundation

/// What a finished command printed, and how it ended.
struct CommandOutcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` to the end, feeding it `stdin` (or nothing).
/// `environment` replaces the inherited variables it names.
func runCommand(
    _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    in folder: String? = nil
) throws -> CommandOutcome {
    try runInBackground(executable, arguments, stdin: stdin, environment: environment, in: folder).finish()
}

/// Starts `executable` with `arguments` (see ``runCommand``); ``BackgroundCommand/finish()``
/// waits for it.
func runInBackground(
    _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    in folder: String? = nil
) throws -> BackgroundCommand {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let command = BackgroundCommand(process: process)
    let input = Pipe()
    process.standardOutput = command.out
    process.standardError = command.err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Both pipes drain at once, so a chatty stderr cannot block the child.
    command.group.enter()
    DispatchQueue.global().async {
        command.stderrData = command.err.fileHandleForReading.readDataToEndOfFile()
        command.group.leave()
    }
    command.group.enter()
    DispatchQueue.global().async {
        command.stdoutData = command.out.fileHandleForReading.readDataToEndOfFile()
        command.group.leave()
    }
    return command
}

/// A child process started by ``runInBackground``, its output collected as it comes.
/// The DispatchGroup orders the reading threads' writes before ``finish()`` reads.
final class BackgroundCommand: @unchecked Sendable {
    let process: Process
    let out = Pipe()
    let err = Pipe()
    let group = DispatchGroup()
    var stdoutData = Data()
    var stderrData = Data()

    init(process: Process) { self.process = process }

    /// Waits for the process to end and both pipes to close.
    func finish() -> CommandOutcome {
        group.wait()
        process.waitUntilExit()
        return CommandOutcome(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}
