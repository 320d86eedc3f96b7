import Foundation
import Glibc
import Testing

/// The metrics end to end with real outbound calls and aggregation: the real `lambda-host`
/// with `LAMBDA_HOST_METRICS=emf`, the C fixtures HTTPProbe (calls out through
/// `host->http_request`) and Probe (has a shutdown hook), a real nginx started by the test,
/// and the test Runtime API. Every document is validated against the spec's schema.
@Suite(.serialized) struct MetricsOutboundTests {
    private static let on = ["LAMBDA_HOST_METRICS": "emf", "AWS_LAMBDA_FUNCTION_NAME": "metrics-outbound"]

    /// Invokes `host` through `api` with `event`; returns the answer's text.
    @discardableResult
    private func invoke(_ api: TestRuntimeAPI, _ host: HostProcess, _ id: String, _ event: String) throws -> String {
        api.enqueue(id, event)
        let answer = try #require(api.answer(to: id, timeout: 30), "no answer to \(id): \(host.stderr)")
        #expect(answer.path.hasSuffix("/response"), "\(id): \(answer.text)")
        return answer.text
    }

    @Test func eachDocumentCountsItsInvocationsOutboundCallsTimeAndRetries() throws {
        let nginx = try NginxServer()
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libHTTPProbe.so", api: api, environment: Self.on, stdoutToLog: true)
        // Two GETs: the first waits 300 ms at nginx and leaves its connection in the pool;
        // the second goes out on that reused connection to /drop, which nginx closes
        // unanswered, so the host sends it once more on a new connection (one retry),
        // which nginx closes too (the call fails).
        let twice = try invoke(api, host, "out-1", "twice \(nginx.url("/delay?ms=300")) \(nginx.url("/drop"))")
        #expect(twice.hasPrefix("first rc=0 bytes=5; second rc=-7"), "\(twice)")
        try invoke(api, host, "out-2", "GET \(nginx.url("/1k"))")
        try invoke(api, host, "out-3", "init")
        let documents = try MetricsDocuments.wait(for: host, count: 4)

        let drops = nginx.requests(path: "/drop")
        #expect(drops.count == 2 && Set(drops.map(\.connection)).count == 2, "\(drops)")
        let first = documents[1]
        #expect(first["requestId"] as? String == "out-1")
        #expect(first["OutboundCalls"] as? Int == 2)
        #expect(first["OutboundRetries"] as? Int == 1)
        let outbound = try #require(first["OutboundDuration"] as? Double)
        let handler = try #require(first["HandlerDuration"] as? Double)
        // nginx's timers may fire a fraction of a millisecond early.
        #expect(outbound >= 295 && outbound <= handler, "outbound \(outbound) ms, handler \(handler) ms")
        // The next invocations count their own calls only.
        #expect(documents[2]["requestId"] as? String == "out-2")
        #expect(documents[2]["OutboundCalls"] as? Int == 1)
        #expect(documents[2]["OutboundRetries"] as? Int == 0)
        let single = try #require(documents[2]["OutboundDuration"] as? Double)
        #expect(single > 0 && single <= (documents[2]["HandlerDuration"] as? Double ?? 0))
        #expect(documents[3]["OutboundCalls"] as? Int == 0)
        #expect(documents[3]["OutboundDuration"] as? Double == 0)
        #expect(documents[3]["OutboundRetries"] as? Int == 0)
    }

    @Test func everyThreeInvocationsMakeOneDocumentOfTheirValuesInOrder() throws {
        let nginx = try NginxServer()
        let api = try TestRuntimeAPI()
        let environment = Self.on.merging(["LAMBDA_HOST_METRICS_EVERY": "3"]) { $1 }
        let host = try HostProcess(handler: "libHTTPProbe.so", api: api, environment: environment, stdoutToLog: true)
        let oneK = nginx.url("/1k")
        let events = ["twice \(oneK) \(oneK)", "GET \(oneK)", "init", "GET \(oneK)", "init", "twice \(oneK) \(oneK)"]
        for (i, event) in events.enumerated() { try invoke(api, host, "agg-\(i)", event) }
        let documents = try MetricsDocuments.wait(for: host, count: 3)
        #expect(documents[0]["InitTotal"] != nil)
        for (k, document) in documents.dropFirst().enumerated() {
            let sent = events[(3 * k)..<(3 * k + 3)]
            #expect(document["requestId"] == nil)
            #expect(MetricsDocuments.array(document, "EventBytes") == sent.map { Double($0.utf8.count) })
            #expect(MetricsDocuments.array(document, "Error") == [0, 0, 0])
            #expect(MetricsDocuments.array(document, "OutboundRetries") == [0, 0, 0])
            #expect(MetricsDocuments.array(document, "HandlerDuration").count == 3)
            let durations = MetricsDocuments.array(document, "OutboundDuration")
            let handlers = MetricsDocuments.array(document, "HandlerDuration")
            #expect(zip(durations, handlers).allSatisfy { $0 <= $1 }, "\(durations) \(handlers)")
        }
        #expect(MetricsDocuments.array(documents[1], "OutboundCalls") == [2, 1, 0])
        #expect(MetricsDocuments.array(documents[2], "OutboundCalls") == [1, 0, 2])
        #expect(nginx.requestCount(path: "/1k") == 6)

        // A seventh is pending when SIGTERM comes: a plugin without a shutdown hook ends at
        // once (_exit), and what was pending is lost, as docs/metrics.md says.
        try invoke(api, host, "agg-6", "init")
        host.terminate()
        #expect(host.waitForExit() == 0)
        #expect(MetricsDocuments.lines(host).count == 3)
    }

    @Test func whatIsPendingIsWrittenWhenTheShutdownHookEndsTheProcess() throws {
        let api = try TestRuntimeAPI()
        let environment = Self.on.merging(["LAMBDA_HOST_METRICS_EVERY": "3"]) { $1 }
        let host = try HostProcess(handler: "libProbe.so", api: api, environment: environment, stdoutToLog: true)
        for i in 0..<4 { try invoke(api, host, "hook-\(i)", "{\"n\":\(i)}") }
        _ = try MetricsDocuments.wait(for: host, count: 2)
        host.terminate()
        #expect(host.waitForExit() == 0)
        let documents = try MetricsDocuments.parsed(MetricsDocuments.lines(host), expected: 3, log: host.stderr)
        #expect(MetricsDocuments.array(documents[1], "EventBytes") == [7, 7, 7])
        #expect(MetricsDocuments.array(documents[2], "EventBytes") == [7])
        // Written at exit, after the hook ran.
        let log = host.stderr
        let hook = try #require(log.range(of: "probe: shutdown hook ran"))
        let flushed = try #require(log.range(of: "{\"_aws\"", options: .backwards))
        #expect(hook.upperBound <= flushed.lowerBound)
    }

    @Test func aBadEveryWarnsOnceAtInitAndEachInvocationGetsItsOwnDocument() throws {
        for bad in ["0", "10000"] {
            let api = try TestRuntimeAPI()
            let environment = Self.on.merging(["LAMBDA_HOST_METRICS_EVERY": bad]) { $1 }
            let host = try HostProcess(handler: "libEcho.so", api: api, environment: environment, stdoutToLog: true)
            try invoke(api, host, "bad-1", "{}")
            try invoke(api, host, "bad-2", "{}")
            let documents = try MetricsDocuments.wait(for: host, count: 3)
            #expect(documents[1]["requestId"] as? String == "bad-1")
            #expect(documents[2]["EventBytes"] as? Int == 2)
            let warnings = host.stderr.components(separatedBy: "\n").filter { $0.contains("LAMBDA_HOST_METRICS_EVERY") }
            #expect(warnings.count == 1, "\(host.stderr)")
            #expect(warnings.first?.contains("WARN") == true)
            #expect(warnings.first?.contains("from 1 to 100") == true)
        }
    }
}
