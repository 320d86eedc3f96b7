import Foundation
import LambdaMetrics
import LambdaRuntimeAPI
import Testing

/// Aggregated documents (`LAMBDA_HOST_METRICS_EVERY`), the per-worker outbound sums, and
/// both under threads, in-process: ``EMFBatch`` and ``OutboundTally`` as the host uses
/// them, every document validated against the spec's schema.
@Suite struct MetricsBatchTests {
    private static let metricCount = HostMetricFormats.invocationMetrics.count

    private func format() throws -> EMFFormat {
        try HostMetricFormats(settings: MetricsSettings(), plugin: "p") { ["AWS_LAMBDA_FUNCTION_NAME": "orders"][$0] }.invocation
    }

    /// Collects the documents a batch writes (called holding the batch's lock): each must
    /// be one line, its newline included; kept without it.
    final class Sink: @unchecked Sendable {
        var lines: [String] = []
        var malformed = 0
        func take(_ bytes: UnsafeRawBufferPointer) {
            if bytes.last != 10 || bytes.dropLast().contains(10) { malformed += 1 }
            lines.append(String(decoding: bytes.dropLast(), as: UTF8.self))
        }
        var parsed: [[String: Any]] {
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    /// One invocation's values: `n` spread over the metrics so each is recognisable.
    private func row(_ n: Int64) -> [Int64] {
        [n * 1000, n * 10 + 1, n, 2 * n, n % 2, n % 3, n * 500, n % 2]
    }

    @discardableResult
    private func add(_ batch: EMFBatch, _ values: [Int64], now: Int64, realtime: Int64 = 1_700_000_000_000, to sink: Sink) -> Int {
        values.withUnsafeBufferPointer { batch.add($0, now: now, realtime: { realtime }, output: sink.take) }
    }

    @Test func everyIsReadAndABadValueWarnsOnceNamingTheRange() {
        let parse = { (value: String?) in
            MetricsSettings.parse { ["LAMBDA_HOST_METRICS": "emf", "LAMBDA_HOST_METRICS_EVERY": value][$0] ?? nil }
        }
        #expect(parse(nil).settings?.every == 1)
        #expect(parse("").settings?.every == 1)
        #expect(parse("3").settings?.every == 3)
        #expect(parse(" 100 ").settings?.every == 100)
        #expect(parse("1").warnings.isEmpty)
        for bad in ["0", "101", "10000", "-2", "three", "3.5", "9999999999999999999999"] {
            let parsed = parse(bad)
            #expect(parsed.settings?.every == 1, "\(bad)")
            #expect(parsed.warnings.count == 1, "\(bad)")
            #expect(parsed.warnings.first?.hasPrefix("LAMBDA_HOST_METRICS_EVERY is '\(bad)'") == true)
            #expect(parsed.warnings.first?.contains("from 1 to 100") == true)
        }
        // Metrics off: the other variables are not read, so nothing to warn about.
        #expect(MetricsSettings.parse { ["LAMBDA_HOST_METRICS_EVERY": "0"][$0] }.warnings.isEmpty)
    }

    @Test func aBatchWritesOneDocumentPerNInvocationsWithAValueArrayPerMetric() throws {
        let batch = EMFBatch(format: try format(), every: 3)
        let sink = Sink()
        for n in 0..<7 {
            let written = add(batch, row(Int64(n)), now: Int64(n) * 1000, to: sink)
            #expect(written == (n == 2 || n == 5 ? 1 : 0), "invocation \(n)")
        }
        #expect(sink.lines.count == 2 && batch.pending == 1)
        #expect(batch.flush(now: 7000, realtime: 1_700_000_000_500, output: sink.take))
        #expect(!batch.flush(now: 8000, realtime: 1_700_000_000_500, output: sink.take))
        #expect(sink.malformed == 0)
        try MetricsDocuments.validate(sink.lines)
        let documents = sink.parsed
        #expect(documents.count == 3)
        #expect(MetricsDocuments.array(documents[0], "HandlerDuration") == [0, 1, 2])
        #expect(MetricsDocuments.array(documents[0], "HostOverhead") == [0.001, 0.011, 0.021])
        #expect(MetricsDocuments.array(documents[1], "EventBytes") == [3, 4, 5])
        #expect(MetricsDocuments.array(documents[1], "OutboundCalls") == [0, 1, 2])
        #expect(MetricsDocuments.array(documents[1], "OutboundDuration") == [1.5, 2, 2.5])
        #expect(MetricsDocuments.array(documents[2], "ResponseBytes") == [12])
        for document in documents {
            #expect(document["requestId"] == nil)
            #expect(document["level"] as? String == "INFO")
            #expect(document["FunctionName"] as? String == "orders")
        }
        // The flushed one is stamped with its invocation's time: 1 ms before the flush.
        #expect((documents[2]["_aws"] as? [String: Any])?["Timestamp"] as? Int == 1_700_000_000_499)
    }

    @Test func noDocumentSpansMoreThanTheMaxAge() throws {
        let batch = EMFBatch(format: try format(), every: 10, maxAge: 60_000_000)
        let sink = Sink()
        #expect(add(batch, row(1), now: 0, to: sink) == 0)
        #expect(add(batch, row(2), now: 30_000_000, to: sink) == 0)
        // The third comes 61 s after the first: the two pending go out first, stamped with
        // the second's time (31 s before this one's realtime); the third starts a new batch.
        #expect(add(batch, row(3), now: 61_000_000, realtime: 1_700_000_061_000, to: sink) == 1)
        #expect(batch.pending == 1)
        #expect(sink.malformed == 0)
        try MetricsDocuments.validate(sink.lines)
        let first = try #require(sink.parsed.first)
        #expect(MetricsDocuments.array(first, "EventBytes") == [1, 2])
        #expect((first["_aws"] as? [String: Any])?["Timestamp"] as? Int == 1_700_000_030_000)
        // A batch younger than the bound keeps waiting for its invocations.
        #expect(add(batch, row(4), now: 120_000_000, to: sink) == 0)
    }

    @Test func aFullBatchOfTheLargestSizeStaysWithinTheSpec() throws {
        #expect(EMFBatch(format: try format(), every: 10_000).every == EMFFormat.maxValues)
        let batch = EMFBatch(format: try format(), every: 100)
        let sink = Sink()
        // The largest values an invocation can have: 15 minutes, 6 MiB each way, many calls.
        let largest: [Int64] = [900_000_000, 900_000_000, 6 << 20, 6 << 20, 1, 10_000, 900_000_000, 10_000]
        for n in 0..<100 { add(batch, n == 0 ? largest : row(Int64(n)), now: Int64(n), to: sink) }
        #expect(sink.lines.count == 1)
        #expect(sink.malformed == 0)
        try MetricsDocuments.validate(sink.lines)
        let document = try #require(sink.parsed.first)
        for metric in HostMetricFormats.invocationMetrics {
            #expect(MetricsDocuments.array(document, metric.name).count == 100, "\(metric.name)")
        }
        #expect(MetricsDocuments.array(document, "HandlerDuration").first == 900_000)
        // Far under CloudWatch's 1 MB event (and its older 256 KB).
        #expect(sink.lines[0].utf8.count < 16_384, "\(sink.lines[0].utf8.count) bytes")
    }

    @Test func invocationsOnManyThreadsAreAllCountedOnceInWholeDocuments() throws {
        let batch = EMFBatch(format: try format(), every: 7)
        let sink = Sink()
        let threads = 8, perThread = 500
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            Thread {
                for i in 0..<perThread {
                    // EventBytes carries the thread, Error the parity of the invocation.
                    var values = [Int64](repeating: 0, count: Self.metricCount)
                    values[2] = Int64(t)
                    values[4] = Int64(i % 2)
                    values.withUnsafeBufferPointer { _ = batch.add($0, now: Int64(i), realtime: { 1 }, output: sink.take) }
                }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        batch.flush(now: 0, realtime: 1, output: sink.take)
        #expect(sink.malformed == 0)
        try MetricsDocuments.validate(sink.lines)
        let documents = sink.parsed
        #expect(documents.count == sink.lines.count)
        #expect(documents.count == (threads * perThread + 6) / 7)
        let perThreadSeen = documents.flatMap { MetricsDocuments.array($0, "EventBytes") }.reduce(into: [Int: Int]()) {
            $0[Int($1), default: 0] += 1
        }
        #expect(perThreadSeen == Dictionary(uniqueKeysWithValues: (0..<threads).map { ($0, perThread) }))
        #expect(documents.flatMap { MetricsDocuments.array($0, "Error") }.reduce(0, +) == Double(threads * perThread / 2))
    }

    @Test func outboundSumsStayWithTheWorkerWhoseInvocationMadeTheCalls() {
        let tally = OutboundTally()
        let workers = 8, invocations = 300
        let done = DispatchGroup()
        final class Mismatches: @unchecked Sendable {
            let lock = NSLock()
            var found: [String] = []
            func add(_ text: String) { lock.lock(); found.append(text); lock.unlock() }
        }
        let mismatches = Mismatches()
        for w in 0..<workers {
            done.enter()
            Thread {
                for i in 0..<invocations {
                    // Invocation i of worker w makes (w + i) % 5 calls of w + 1 µs, each retried once when w is odd.
                    let calls = (w + i) % 5
                    for _ in 0..<calls { tally.add(worker: w, microseconds: Int64(w + 1), retries: w % 2) }
                    let sums = tally.take(worker: w)
                    let expected = OutboundTally.Sums(calls: calls, microseconds: Int64(calls * (w + 1)), retries: calls * (w % 2))
                    if sums != expected { mismatches.add("worker \(w) invocation \(i): \(sums), not \(expected)") }
                }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        let found = mismatches.found
        #expect(found.count == 0, "\(found.prefix(5))")

        // Worker 0 is the default; an index out of range is not counted; a negative time
        // or retry count counts as 0.
        tally.add(microseconds: 7, retries: 1)
        tally.add(worker: -1, microseconds: 1, retries: 0)
        tally.add(worker: OutboundTally.maxWorkers, microseconds: 1, retries: 0)
        tally.add(worker: 0, microseconds: -5, retries: -2)
        #expect(tally.take() == OutboundTally.Sums(calls: 2, microseconds: 7, retries: 1))
        #expect(tally.take(worker: 0) == OutboundTally.Sums())
        #expect(tally.take(worker: 999) == OutboundTally.Sums())
    }
}
