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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Both pipes drain at once, so a chatty stderr cannot block the child.
    let stderrData = CollectedData()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        stderrData.data = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandOutcome(
        status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: stderrData.data, as: UTF8.self))
}

/// Bytes read on another thread; the DispatchGroup orders the write before the read.
private final class CollectedData: @unchecked Sendable {
    var data = Data()
}
