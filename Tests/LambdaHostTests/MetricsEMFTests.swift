import Foundation
import Testing

/// The real `lambda-host` with real plugins and `LAMBDA_HOST_METRICS=emf`: every EMF line
/// it writes is validated with `jsonschema` against `Tests/Fixtures/emf/emf-schema.json`
/// (and the spec's rules a schema cannot say, by `validate_emf.py`), and its values are
/// held against what the test sent.
@Suite struct MetricsEMFTests {
    private static let on = ["LAMBDA_HOST_METRICS": "emf", "AWS_LAMBDA_FUNCTION_NAME": "metrics-\"test\"\u{01}"]

    private func documents(_ host: HostProcess) -> [String] { MetricsDocuments.lines(host) }

    private func waitForDocuments(_ host: HostProcess, count: Int) throws -> [[String: Any]] {
        try MetricsDocuments.wait(for: host, count: count)
    }

    @Test func echoWritesOneValidDocumentPerInvocationAndOneForInit() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api, environment: Self.on, stdoutToLog: true)
        let events = ["{\"a\":1}", String(repeating: "x", count: 70_000), ""]
        for (i, event) in events.enumerated() {
            api.enqueue("emf-\(i)", event)
            _ = try #require(api.answer(to: "emf-\(i)"))
        }
        let documents = try waitForDocuments(host, count: 1 + events.count)
        let initDocument = documents[0]
        #expect(initDocument["requestId"] == nil)
        let total = try #require(initDocument["InitTotal"] as? Double)
        let load = try #require(initDocument["PluginLoad"] as? Double)
        #expect(total > 0 && load > 0 && load <= total)
        #expect(initDocument["FunctionName"] as? String == "metrics-\"test\"\u{01}")
        for (i, event) in events.enumerated() {
            let document = documents[1 + i]
            #expect(document["requestId"] as? String == "emf-\(i)")
            #expect(document["level"] as? String == "INFO")
            #expect(document["EventBytes"] as? Int == event.utf8.count)
            #expect(document["ResponseBytes"] as? Int == event.utf8.count)
            #expect(document["Error"] as? Int == 0)
            #expect(document["OutboundCalls"] as? Int == 0)
            #expect((document["HandlerDuration"] as? Double ?? -1) >= 0)
            #expect((document["HostOverhead"] as? Double ?? -1) >= 0)
            let aws = try #require(document["_aws"] as? [String: Any])
            let stamp = try #require(aws["Timestamp"] as? Int)
            #expect(abs(Double(stamp) / 1000 - Date().timeIntervalSince1970) < 60)
        }
        _ = host
    }

    @Test func failedAndSlowInvocationsAreMeasured() throws {
        let api = try TestRuntimeAPI()
        let fail = try HostProcess(handler: "libFail.so", api: api, environment: Self.on, stdoutToLog: true)
        api.enqueue("emf-fail", "{}")
        _ = try #require(api.answer(to: "emf-fail"))
        let failed = try waitForDocuments(fail, count: 2)[1]
        #expect(failed["Error"] as? Int == 1)
        #expect(failed["ResponseBytes"] as? Int == 0)
        _ = fail

        let probeAPI = try TestRuntimeAPI()
        let probe = try HostProcess(
            handler: "libProbe.so", api: probeAPI,
            environment: Self.on.merging(["LAMBDA_HOST_METRICS_DIMENSIONS": "FunctionName;FunctionName,Plugin"]) { $1 },
            stdoutToLog: true)
        probeAPI.enqueue("emf-sleep", "sleep")
        _ = try #require(probeAPI.answer(to: "emf-sleep"))
        probeAPI.enqueue("emf-stream", "stream-fail")
        _ = try #require(probeAPI.answer(to: "emf-stream"))
        let probed = try waitForDocuments(probe, count: 3)
        // The Probe sleeps 3 s in its handler: the handler's time holds it, the host's not.
        #expect((probed[1]["HandlerDuration"] as? Double ?? 0) >= 3000)
        #expect((probed[1]["HostOverhead"] as? Double ?? 3000) < 1000)
        #expect(probed[1]["ResponseBytes"] as? Int == 5)
        #expect(probed[1]["Plugin"] as? String != nil)
        // A stream that ends with an error: the chunks sent count, and so does the error.
        #expect(probed[2]["Error"] as? Int == 1)
        #expect(probed[2]["ResponseBytes"] as? Int == "partial".utf8.count)
        _ = probe
    }

    @Test func metricsOffWritesNoDocumentAndABadSettingWarnsOnce() throws {
        for (environment, warnings) in [([:], 0), (["LAMBDA_HOST_METRICS": "off"], 0), (["LAMBDA_HOST_METRICS": "cloudwatch"], 1)] {
            let api = try TestRuntimeAPI()
            let host = try HostProcess(handler: "libEcho.so", api: api, environment: environment, stdoutToLog: true)
            api.enqueue("off-1", "{}")
            _ = try #require(api.answer(to: "off-1"))
            api.enqueue("off-2", "{}")
            _ = try #require(api.answer(to: "off-2"))
            // Everything the host wrote is read once it has exited.
            host.terminate()
            _ = host.waitForExit()
            #expect(documents(host).isEmpty)
            #expect(!host.stderr.contains("_aws"))
            #expect(host.stderr.components(separatedBy: "LAMBDA_HOST_METRICS is").count - 1 == warnings, "\(host.stderr)")
            if warnings > 0 { #expect(host.stderr.contains("emf, off")) }
        }
    }

    @Test func aBadNamespaceOrDimensionWarnsOnceAndTheDefaultIsUsed() throws {
        let api = try TestRuntimeAPI()
        let environment = Self.on.merging([
            "LAMBDA_HOST_METRICS_NAMESPACE": "AWS/Lambda", "LAMBDA_HOST_METRICS_DIMENSIONS": "RequestId",
        ]) { $1 }
        let host = try HostProcess(handler: "libEcho.so", api: api, environment: environment, stdoutToLog: true)
        api.enqueue("ns-1", "{}")
        _ = try #require(api.answer(to: "ns-1"))
        let documents = try waitForDocuments(host, count: 2)
        let directive = try #require(((documents[1]["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "LambdaHost")
        #expect(directive["Dimensions"] as? [[String]] == [["FunctionName"]])
        #expect(host.stderr.components(separatedBy: "LAMBDA_HOST_METRICS_NAMESPACE").count - 1 == 1)
        #expect(host.stderr.components(separatedBy: "LAMBDA_HOST_METRICS_DIMENSIONS").count - 1 == 1)
    }
}
