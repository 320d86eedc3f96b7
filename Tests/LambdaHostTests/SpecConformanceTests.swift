import Foundation
import Glibc
import Testing

/// The emulator against AWS's own OpenAPI file for the Runtime API
/// (`Tests/Fixtures/runtime-api.yaml`), fuzzed by schemathesis: no server error, and no
/// status, header, content type or body that the spec does not allow.
///
/// One schemathesis check is left out: `positive_data_acceptance`, which expects any
/// schema-valid request to succeed. A random `{AwsRequestId}` is schema-valid but unknown,
/// and the Runtime API answers it with 400 `InvalidRequestID`, as Lambda does and as the
/// spec declares.
@Suite struct SpecConformanceTests {
    static let spec = BuildProducts.fixture("runtime-api.yaml")

    static let hasSchemathesis = (try? runCommand("/usr/bin/env", ["schemathesis", "--version"]))?.status == 0

    /// Runs schemathesis on some operations of a fresh emulator whose runtime never
    /// answers (`sleep`), with `queued` invocations waiting so that `GET /next` returns.
    func fuzz(_ selection: [String], queued: Int) throws -> (status: Int32, output: String) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let emulator = try HostProcess(
            handler: nil, api: nil, environment: ["PATH": path],
            arguments: ["emulate", "--port", "0", "--runtime-api-port", "0", "--", "sleep", "3600"])
        let invokePort = try #require(emulator.invokePort(), "emulate did not start: \(emulator.stderr)")
        let apiPort = try #require(emulator.runtimeAPIPort())

        // Invocations to hand out: requests sent and left waiting for their answers.
        var feeders: [Int32] = []
        defer { feeders.forEach { close($0) } }
        for i in 0..<queued {
            if let fd = Self.sendWithoutWaiting(port: invokePort, body: #"{"i":\#(i)}"#) { feeders.append(fd) }
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "schemathesis", "run", Self.spec, "--url", "http://127.0.0.1:\(apiPort)/2018-06-01",
            "--exclude-checks", "positive_data_acceptance", "--request-timeout", "5", "--seed", "20261123",
        ] + selection
        process.environment = ["PATH": path, "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp", "NO_COLOR": "1"]
        // schemathesis keeps a cache (.schemathesis/) in its working folder: not in the
        // repository.
        let scratch = try TemporaryFolder()
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        _ = emulator
        return (process.terminationStatus, output)
    }

    static func sendWithoutWaiting(port: Int, body: String) -> Int32? {
        guard let fd = HTTPPost.connect(port: port) else { return nil }
        let request = Array(
            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    @Test(
        .enabled(if: hasSchemathesis, "SKIPPED: schemathesis is not installed (pip install schemathesis); .ci/run installs it"))
    func theEmulatorHoldsToTheRuntimeAPISpec() throws {
        // The invocation routes, with invocations to hand out.
        let invocations = try fuzz(["--exclude-path", "/runtime/init/error"], queued: 300)
        #expect(invocations.status == 0, "\(invocations.output)")
        #expect(invocations.output.contains("passed"), "\(invocations.output)")
        // The init error route on its own: an init error ends an emulated runtime's life.
        let initError = try fuzz(["--include-path", "/runtime/init/error"], queued: 0)
        #expect(initError.status == 0, "\(initError.output)")
        #expect(initError.output.contains("passed"), "\(initError.output)")
        print("schemathesis: \(Self.summary(invocations.output)); \(Self.summary(initError.output))")
    }

    static func summary(_ output: String) -> String {
        output.split(separator: "\n").first { $0.contains("generated,") }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
    }
}
