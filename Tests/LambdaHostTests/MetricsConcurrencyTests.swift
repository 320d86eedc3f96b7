import Foundation
import Glibc
import Testing

/// The metrics of the thread model: the real host with `AWS_LAMBDA_MAX_CONCURRENCY=4`, a
/// C plugin declared `LAMBDA_PLUGIN_THREAD_SAFE` that makes as many outbound calls as its
/// event says (each 100 ms at a real nginx), and the concurrent Runtime API: four
/// invocations call out at once in one process, and each document must count its own
/// invocation's calls, none of its neighbours'.
@Suite(.serialized) struct MetricsConcurrencyTests {
    static let source = """
        #include <lambda_plugin.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        LAMBDA_PLUGIN_DEFINE_FLAGS("calls", "1.0.0", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)

        /* Event: the number of GETs of CALLS_URL to make; answers with what they returned. */
        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            char text[16] = {0};
            memcpy(text, inv->payload, inv->payload_size < 15 ? inv->payload_size : 15);
            int calls = atoi(text), failed = 0;
            for (int i = 0; i < calls; i++) {
                lambda_http_response response;
                if (lambda_http_get(inv->host, inv, getenv("CALLS_URL"), &response) != LAMBDA_OK || response.status != 200)
                    failed++;
            }
            char out[64];
            int n = snprintf(out, sizeof out, "calls=%d failed=%d", calls, failed);
            return inv->host->respond(inv, out, (size_t)n);
        }
        """

    static let taskRoot: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-calls-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            try compilePlugin(source, to: folder + "/libcalls.so")
        } catch {
            Issue.record("cannot compile the calls plugin: \(error)")
        }
        return folder
    }()

    /// Runs `payloads` through four worker threads; returns the report and the documents.
    private func run(
        _ payloads: [String], every: Int = 1, documents count: Int
    ) throws -> (report: ConcurrentRuntimeAPI.Report, documents: [[String: Any]], host: HostProcess) {
        let nginx = try NginxServer()
        let api = try ConcurrentRuntimeAPI(payloads: payloads)
        let environment = [
            "AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_MAX_CONCURRENCY": "4", "LAMBDA_HOST_METRICS": "emf",
            "LAMBDA_HOST_METRICS_EVERY": String(every), "CALLS_URL": nginx.url("/delay?ms=100"),
        ]
        let host = try HostProcess(
            handler: "libcalls.so", api: nil, taskRoot: Self.taskRoot, environment: environment, stdoutToLog: true)
        let report = try #require(api.waitFor { $0.answered.count == payloads.count }, "stderr: \(host.stderr)")
        #expect(report.maxInFlight == 4, "the invocations did not overlap: \(report.maxInFlight)")
        for invocation in report.invocations {
            #expect(invocation.body == "calls=\(invocation.payload) failed=0", "\(invocation)")
        }
        #expect(nginx.requestCount(path: "/delay") == payloads.compactMap { Int($0) }.reduce(0, +))
        let documents = try MetricsDocuments.wait(for: host, count: count)
        return (report, documents, host)
    }

    @Test func eachDocumentCountsTheCallsOfItsOwnInvocationWhileOthersCallAtOnce() throws {
        let payloads = ["3", "0", "1", "2", "4", "1", "0", "2", "3", "1", "2", "0"]
        let (report, documents, host) = try run(payloads, documents: 1 + payloads.count)
        let calls = Dictionary(uniqueKeysWithValues: report.invocations.map { ($0.id, Int($0.payload) ?? -1) })
        let perInvocation = documents.filter { $0["requestId"] != nil }
        #expect(perInvocation.count == payloads.count)
        for document in perInvocation {
            let id = document["requestId"] as? String ?? "-"
            let expected = try #require(calls[id], "a document for an unknown request id \(id)")
            #expect(document["OutboundCalls"] as? Int == expected, "\(id): \(document)")
            #expect(document["OutboundRetries"] as? Int == 0)
            let outbound = document["OutboundDuration"] as? Double ?? -1
            let handler = document["HandlerDuration"] as? Double ?? -1
            // Each call waits 100 ms at nginx (its timers may fire a fraction of a
            // millisecond early); the handler's time holds its calls'.
            #expect(outbound >= Double(95 * expected) && outbound <= handler, "\(id): outbound \(outbound), handler \(handler)")
        }
        host.terminate()
        _ = host.waitForExit()
    }

    @Test func aBatchGathersTheInvocationsOfEveryThread() throws {
        let payloads = ["1", "2", "0", "3", "1", "2", "0", "1"]
        let (_, documents, host) = try run(payloads, every: 4, documents: 3)
        let aggregates = documents.dropFirst()
        #expect(aggregates.allSatisfy { $0["requestId"] == nil && MetricsDocuments.array($0, "OutboundCalls").count == 4 })
        // Each invocation's calls, whichever thread ran it, in some order.
        let counted = aggregates.flatMap { MetricsDocuments.array($0, "OutboundCalls") }.map { Int($0) }
        #expect(counted.sorted() == payloads.compactMap { Int($0) }.sorted())
        #expect(aggregates.flatMap { MetricsDocuments.array($0, "EventBytes") } == Array(repeating: 1, count: 8))
        host.terminate()
        _ = host.waitForExit()
    }
}
