import Foundation
import Testing

@testable import LambdaEmulator

/// The START, END and REPORT lines of every local invocation: the formatting alone, then
/// the real `invoke` and `serve` with real plugins, in the text and JSON formats.
@Suite struct PlatformLogTests {
    static let id = "0f3c9a12-7b4e-4d6a-9c21-5e8f7a6b4c3d"

    @Test func theTextLinesHaveLambdasWords() {
        let report = InvocationReport(
            requestID: Self.id, durationMs: 12.341, memorySizeMB: 256, maxMemoryUsedMB: 20, initDurationMs: 5.666, status: .success)
        #expect(PlatformLog.start(requestID: Self.id, version: "$LATEST", format: .text) == "START RequestId: \(Self.id) Version: $LATEST")
        #expect(PlatformLog.end(report, format: .text) == "END RequestId: \(Self.id)")
        #expect(
            PlatformLog.report(report, format: .text)
                == "REPORT RequestId: \(Self.id)\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 20 MB\tInit Duration: 5.67 ms"
        )
        var timedOut = report
        timedOut.initDurationMs = nil
        timedOut.status = .timeout
        timedOut.errorType = "Sandbox.Timedout"
        timedOut.platformFailure = true
        #expect(PlatformLog.report(timedOut, format: .text).hasSuffix("Max Memory Used: 20 MB\tStatus: timeout"))
    }

    @Test(arguments: [(0.0, 1), (0.2, 1), (1.0, 1), (1.001, 2), (999.5, 1000), (3000.02, 3001)])
    func billingRoundsUpToTheMillisecond(duration: Double, billed: Int) {
        let report = InvocationReport(requestID: "r", durationMs: duration, memorySizeMB: 128, status: .success)
        #expect(report.billedDurationMs == billed)
    }

    @Test(arguments: [(0.0, "0.00"), (0.004, "0.00"), (0.005, "0.01"), (12.3, "12.30"), (1234567.891, "1234567.89"), (-1.0, "0.00")])
    func durationsHaveTwoDecimals(value: Double, text: String) {
        #expect(PlatformLog.decimal(value) == text)
    }

    @Test func theJSONRecordsHaveTheTelemetryShapes() throws {
        var report = InvocationReport(
            requestID: Self.id, durationMs: 2.5, memorySizeMB: 512, maxMemoryUsedMB: 31, initDurationMs: 7.25, status: .error)
        report.errorType = "Runtime.ExitError"
        let lines = [
            PlatformLog.start(requestID: Self.id, version: "7", format: .json), PlatformLog.end(report, format: .json),
            PlatformLog.report(report, format: .json),
        ]
        let records = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(records.map { $0["type"] as? String } == ["platform.start", "platform.runtimeDone", "platform.report"])
        for record in records {
            let time = try #require(record["time"] as? String)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            #expect(formatter.date(from: time) != nil && time.hasSuffix("Z") && time.count == 24, "\(time)")
            #expect((record["record"] as? [String: Any])?["requestId"] as? String == Self.id)
        }
        #expect((records[0]["record"] as? [String: Any])?["version"] as? String == "7")
        let done = try #require(records[1]["record"] as? [String: Any])
        #expect(done["status"] as? String == "error")
        #expect((done["metrics"] as? [String: Any])?["durationMs"] as? Double == 2.5)
        let final = try #require(records[2]["record"] as? [String: Any])
        let metrics = try #require(final["metrics"] as? [String: Any])
        #expect(metrics["billedDurationMs"] as? Int == 3 && metrics["memorySizeMB"] as? Int == 512)
        #expect(metrics["maxMemoryUsedMB"] as? Int == 31 && metrics["initDurationMs"] as? Double == 7.25)
        #expect(final["status"] as? String == "error" && final["errorType"] as? String == "Runtime.ExitError")
    }

    /// The fields of the text REPORT line in `log`, by name.
    static func reports(in log: String) -> [[String: String]] {
        log.split(separator: "\n").filter { $0.hasPrefix("REPORT RequestId: ") }.map { line in
            var fields: [String: String] = [:]
            for field in line.split(separator: "\t") {
                guard let colon = field.range(of: ": ") else { continue }
                fields[String(field[..<colon.lowerBound])] = String(field[colon.upperBound...])
            }
            return fields
        }
    }

    /// A number of `unit` ("12.34 ms" → 12.34).
    static func number(_ text: String?, _ unit: String) -> Double? {
        guard let text, text.hasSuffix(" " + unit) else { return nil }
        return Double(text.dropLast(unit.count + 1))
    }

    @Test func invokePrintsTheThreeLinesWithPlausibleNumbers() throws {
        let outcome = try runCommand(
            BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("Echo"), "--memory-size", "256", "--event", #"{"a":1}"#])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == #"{"a":1}"#)
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("START RequestId: ") }, "\(outcome.stderr)")
        let id = String(lines[start].dropFirst("START RequestId: ".count).prefix { $0 != " " })
        #expect(lines[start] == "START RequestId: \(id) Version: $LATEST")
        let end = try #require(lines.firstIndex(of: "END RequestId: \(id)"))
        #expect(end > start && lines.indices.contains(end + 1) && lines[end + 1].hasPrefix("REPORT RequestId: \(id)\t"))
        let report = try #require(Self.reports(in: outcome.stderr).first)
        let duration = try #require(Self.number(report["Duration"], "ms"))
        let billed = try #require(Self.number(report["Billed Duration"], "ms"))
        #expect(duration > 0 && duration < 5_000)
        // Billed from the exact duration, which the line shows to two decimals: a printed
        // 1.00 may be billed 2 ms (1.004 ms was), as in Lambda.
        #expect(billed >= max(1, duration.rounded(.up)) && billed <= max(1, (duration + 0.005).rounded(.up)), "\(report)")
        #expect(report["Memory Size"] == "256 MB")
        // The runtime's peak RSS: a few MB at least, far under the memory size.
        let memory = try #require(Self.number(report["Max Memory Used"], "MB"))
        #expect(memory >= 2 && memory < 256, "\(report)")
        let initMs = try #require(Self.number(report["Init Duration"], "ms"), "a cold start reports its INIT: \(report)")
        #expect(initMs > 0 && initMs < 10_000)
    }

    @Test func serveReportsTheInitDurationOnlyOnTheFirstInvocation() throws {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("Echo")])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        for event in ["one", "two"] {
            #expect(HTTPPost.invoke(port: port, event)?.body == event)
        }
        let deadline = Date().addingTimeInterval(20)
        while Self.reports(in: host.stderr).count < 2 && Date() < deadline { usleep(5_000) }
        let reports = Self.reports(in: host.stderr)
        #expect(reports.count == 2, "\(host.stderr)")
        #expect(reports.first?["Init Duration"] != nil, "\(host.stderr)")
        #expect(reports.last?["Init Duration"] == nil, "\(host.stderr)")
    }

    @Test func aRuntimeExitStillEndsWithAReport() throws {
        let outcome = try runCommand(BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("Probe"), "--event", "exit"])
        #expect(outcome.status == 1)
        let report = try #require(Self.reports(in: outcome.stderr).first, "\(outcome.stderr)")
        #expect(report["Status"] == "error" && report["Error Type"] == "Runtime.ExitError", "\(report)")
        // The error document still comes last, after the REPORT.
        let last = try #require(outcome.stderr.split(separator: "\n").last)
        #expect(last.contains(#""errorType":"Runtime.ExitError""#), "\(outcome.stderr)")
    }

    @Test func theJSONFormatGivesPlatformRecords() throws {
        let outcome = try runCommand(
            BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("Echo"), "--event", "{}", "--env", "AWS_LAMBDA_LOG_FORMAT=JSON"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("START RequestId"))
        let records = outcome.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { ($0["type"] as? String)?.hasPrefix("platform.") == true }
        #expect(records.map { $0["type"] as? String } == ["platform.start", "platform.runtimeDone", "platform.report"], "\(outcome.stderr)")
        let ids = Set(records.compactMap { ($0["record"] as? [String: Any])?["requestId"] as? String })
        #expect(ids.count == 1)
        let metrics = try #require((records.last?["record"] as? [String: Any])?["metrics"] as? [String: Any])
        #expect(metrics["memorySizeMB"] as? Int == 128)
        #expect((metrics["maxMemoryUsedMB"] as? Int ?? 0) >= 2)
        #expect((metrics["durationMs"] as? Double ?? -1) >= 0 && (metrics["billedDurationMs"] as? Int ?? 0) >= 1)
        #expect(metrics["initDurationMs"] is Double)
    }

    /// The lines follow the runtime's format, which is what it was given: a format in the
    /// tool's shell does not reach the runtime (unless --inherit-env), so it must not turn
    /// the platform lines to JSON around the runtime's text lines.
    @Test func theFormatIsTheRuntimesNotTheShells() throws {
        func run(_ flags: [String]) throws -> (platform: [Substring], probe: [Substring]) {
            let outcome = try runCommand(
                BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("Probe"), "--event", "log"] + flags,
                environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            return (lines.filter { $0.contains("RequestId: ") || $0.contains(#""type":"platform."#) }, lines.filter { $0.contains("probe log level 3") })
        }
        let shellOnly = try run([])
        #expect(shellOnly.platform.count == 3 && shellOnly.platform.allSatisfy { !$0.hasPrefix("{") }, "\(shellOnly)")
        #expect(shellOnly.probe.count == 1 && shellOnly.probe.allSatisfy { !$0.hasPrefix("{") }, "\(shellOnly)")
        for flags in [["--inherit-env"], ["--env", "AWS_LAMBDA_LOG_FORMAT=JSON"]] {
            let json = try run(flags)
            #expect(json.platform.count == 3 && json.platform.allSatisfy { $0.hasPrefix("{") }, "\(flags): \(json)")
            #expect(json.probe.count == 1 && json.probe.allSatisfy { $0.hasPrefix("{") }, "\(flags): \(json)")
        }
    }

    @Test func aMissedDeadlineReportsItsStatus() throws {
        // The Probe's "sleep" takes 3 s; the deadline is 1 s.
        let outcome = try runCommand(
            BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("Probe"), "--timeout", "1", "--event", "sleep"])
        #expect(outcome.status == 1)
        let report = try #require(Self.reports(in: outcome.stderr).first, "\(outcome.stderr)")
        #expect(report["Status"] == "timeout", "\(report)")
        let duration = try #require(Self.number(report["Duration"], "ms"))
        #expect(duration >= 1000 && duration < 3000, "\(report)")
    }

    /// `emulate` with no command, the runtime started by hand from the printed variables:
    /// the lines take the format configured for that runtime.
    @Test func emulateWithoutACommandTakesTheConfiguredFormat() throws {
        let emulator = try Emulator(command: [], environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        let caller = try #require(emulator.post("{}"))
        let (_, invocation) = try #require(emulator.next())
        let id = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        #expect(emulator.post(api: "/2018-06-01/runtime/invocation/\(id)/response", body: Array("done".utf8))?.status == 202)
        #expect(caller.reply()?.text == "done")
        #expect(emulator.host.waitForLog(#""type":"platform.report""#), "\(emulator.host.stderr)")
        #expect(!emulator.host.stderr.contains("START RequestId"), "\(emulator.host.stderr)")
    }

    /// With `emulate` the test plays the runtime: the lines carry the request id it was
    /// handed, START before its answer, END and REPORT after.
    @Test func emulateReportsTheInvocationsOfAnyRuntime() throws {
        let emulator = try Emulator()
        let caller = try #require(emulator.post("{}"))
        let (_, invocation) = try #require(emulator.next())
        let id = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        #expect(emulator.host.waitForLog("START RequestId: \(id) Version: $LATEST"), "\(emulator.host.stderr)")
        #expect(!emulator.host.stderr.contains("END RequestId: \(id)"))
        let answered = emulator.post(api: "/2018-06-01/runtime/invocation/\(id)/response", body: Array("done".utf8))
        #expect(answered?.status == 202)
        #expect(caller.reply()?.text == "done")
        #expect(emulator.host.waitForLog("REPORT RequestId: \(id)\t"), "\(emulator.host.stderr)")
        let report = try #require(Self.reports(in: emulator.host.stderr).first)
        #expect(report["Init Duration"] != nil && report["Status"] == nil, "\(report)")
    }
}
