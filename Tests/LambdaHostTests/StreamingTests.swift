import Foundation
import Testing

/// Response streaming through the real host: chunks leave as they are written, errors
/// after the first byte go in the trailers.
@Suite struct StreamingTests {
    @Test func wordStreamSendsItsWordsInOrderAsAChunkedStream() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libWordStream.so", api: api)
        api.enqueue("ws-1", #"{"sentence":"the quick \"brown\" fox","delay_ms":0}"#)
        let answer = try #require(api.answer(to: "ws-1"))
        #expect(answer.path == "/2018-06-01/runtime/invocation/ws-1/response")
        #expect(answer.headers["lambda-runtime-function-response-mode"] == "streaming")
        #expect(answer.headers["transfer-encoding"] == "chunked")
        #expect(answer.headers["content-type"] == "application/x-ndjson")
        #expect(answer.headers["trailer"] == "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
        #expect(answer.trailers.isEmpty)
        let lines = answer.text.split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"word":"the","index":0,"total":4}"#, #"{"word":"quick","index":1,"total":4}"#,
            #"{"word":"\"brown\"","index":2,"total":4}"#, #"{"word":"fox","index":3,"total":4}"#,
        ])
        _ = host
    }

    @Test func theFirstChunkLeavesBeforeTheHandlerFinishes() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libWordStream.so", api: api)
        api.enqueue("ws-2", #"{"sentence":"one two three","delay_ms":300}"#)
        let answer = try #require(api.answer(to: "ws-2"))
        let first = try #require(answer.firstChunkAt)
        // Two pauses of 300 ms come after the first word was sent.
        #expect(answer.completedAt.timeIntervalSince(first) >= 0.55)
        #expect(answer.text.split(separator: "\n").count == 3)
        _ = host
    }

    @Test func anErrorAfterTheFirstChunkGoesInTheTrailers() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("sf-1", "stream-fail")
        let answer = try #require(api.answer(to: "sf-1"))
        #expect(answer.path.hasSuffix("/response"))
        #expect(answer.text == "partial")
        #expect(answer.trailers["lambda-runtime-function-error-type"] == "Probe.StreamFailed")
        let body = try #require(answer.trailers["lambda-runtime-function-error-body"])
        let document = try #require(Data(base64Encoded: body))
        let object = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
        #expect(object["errorType"] as? String == "Probe.StreamFailed")
        #expect(object["errorMessage"] as? String == "boom after the first chunk")

        // A handler that returns an error code with its stream open: the host ends it
        // with Runtime.HandlerFailed in the trailers.
        api.enqueue("so-1", "stream-open")
        let open = try #require(api.answer(to: "so-1"))
        #expect(open.text == "open")
        #expect(open.trailers["lambda-runtime-function-error-type"] == "Runtime.HandlerFailed")

        // respond() after stream_begin is refused: the stream is the one answer.
        api.enqueue("sr-1", "stream-respond")
        #expect(api.answer(to: "sr-1")?.text == "s")
        #expect(host.waitForLog("stream-respond: -1"))
        let answers = api.received.filter { $0.method == "POST" && $0.path.contains("/invocation/") }
        #expect(answers.count == 3)
    }

    static let preludeBody: [UInt8] =
        Array(#"{"statusCode":201,"headers":{"X-Probe":"yes"},"cookies":["a=b; Path=/"]}"#.utf8)
        + [UInt8](repeating: 0, count: 8) + Array("created".utf8)

    @Test func theHTTPIntegrationPreludeIsByteExactFromC() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("http-c", "http-stream")
        let answer = try #require(api.answer(to: "http-c"))
        #expect(answer.headers["content-type"] == "application/vnd.awslambda.http-integration-response")
        #expect(answer.body == Self.preludeBody)
        _ = host
    }

    @Test func theSwiftSDKStreamsAndWritesThePrelude() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libSwiftStream.so", api: api)
        api.enqueue("sw-http", "http")
        let http = try #require(api.answer(to: "sw-http"))
        #expect(http.headers["content-type"] == "application/vnd.awslambda.http-integration-response")
        // The SDK sorts the prelude's keys.
        let expected = Array(#"{"cookies":["a=b; Path=/"],"headers":{"X-Probe":"yes"},"statusCode":201}"#.utf8)
            + [UInt8](repeating: 0, count: 8) + Array("created".utf8)
        #expect(http.body == expected)

        api.enqueue("sw-lines", "lines")
        let lines = try #require(api.answer(to: "sw-lines"))
        #expect(lines.headers["lambda-runtime-function-response-mode"] == "streaming")
        #expect(lines.headers["content-type"] == "text/plain")
        #expect(lines.text == "line 1\nline 2\nline 3\n")

        api.enqueue("sw-throw", "throw")
        let thrown = try #require(api.answer(to: "sw-throw"))
        #expect(thrown.text == "first")
        #expect(thrown.trailers["lambda-runtime-function-error-type"] == "SwiftStream.Failed")
        _ = host
    }

    @Test func theSwiftSDKStreamsWithTheDecodedEventInBothForms() throws {
        // The one-declaration form: _HANDLER names the library alone, the host calls the
        // descriptor's handler.
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libSwiftEventStream.so", api: api)
        api.enqueue("ev-lines", #"{"word": "tick", "count": 3}"#)
        let lines = try #require(api.answer(to: "ev-lines"), "\(host.stderr)")
        #expect(lines.headers["lambda-runtime-function-response-mode"] == "streaming")
        #expect(lines.headers["content-type"] == "text/plain")
        #expect(lines.text == "tick 1\ntick 2\ntick 3\n")
        #expect(lines.trailers.isEmpty)

        api.enqueue("ev-fail", #"{"word": "tock", "count": 3, "fail": true}"#)
        let failed = try #require(api.answer(to: "ev-fail"))
        #expect(failed.text == "tock 1\n")
        #expect(failed.trailers["lambda-runtime-function-error-type"] == "SwiftEventStream.Failed")

        // An event that does not decode: a plain error, before anything is streamed.
        api.enqueue("ev-bad", #"{"word": 7}"#)
        let bad = try #require(api.answer(to: "ev-bad"))
        #expect(bad.path.hasSuffix("/ev-bad/error"), "\(bad.path)")
        #expect(bad.headers["lambda-runtime-function-response-mode"] == nil)
        #expect(bad.headers["lambda-runtime-function-error-type"] == "Runtime.InvalidEvent")
        #expect((jsonObject(bad)?["errorMessage"] as? String)?.contains("Order") == true, "\(bad.text)")
        #expect(host.waitForLog("streaming 3 lines of tick"), "\(host.stderr)")

        // The two-function form's LambdaPlugin.stream with an event, named explicitly:
        // the symbol wins over the descriptor's handler.
        let explicitAPI = try TestRuntimeAPI()
        let explicit = try HostProcess(handler: "libSwiftEventStream.so:explicit", api: explicitAPI)
        explicitAPI.enqueue("ex-1", #"{"word": "tick", "count": 1}"#)
        #expect(try #require(explicitAPI.answer(to: "ex-1"), "\(explicit.stderr)").text == "explicit tick")
        explicitAPI.enqueue("ex-bad", "not json")
        let explicitBad = try #require(explicitAPI.answer(to: "ex-bad"))
        #expect(explicitBad.path.hasSuffix("/ex-bad/error"))
        #expect(explicitBad.headers["lambda-runtime-function-error-type"] == "Runtime.InvalidEvent")
    }

    /// Peak and current resident memory of a process, in KiB.
    static func memory(_ pid: Int32) -> (peak: Int, now: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return -1 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return (field("VmHWM:"), field("VmRSS:"))
    }

    @Test func aHundredMebibyteStreamKeepsTheHostsMemoryFlat() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("warm", "context")
        #expect(api.answer(to: "warm") != nil)
        let idle = Self.memory(host.process.processIdentifier)
        api.enqueue("big-stream", "stream-100mb")
        let answer = try #require(api.answer(to: "big-stream", timeout: 60))
        #expect(answer.body.count == 100 * 1024 * 1024)
        #expect(answer.trailers.isEmpty)
        let after = Self.memory(host.process.processIdentifier)
        print("host peak RSS: \(idle.peak) KiB idle, \(after.peak) KiB after a 100 MiB stream")
        #expect(idle.peak > 0 && after.peak > 0)
        #expect(after.peak - idle.peak < 3 * 1024, "peak RSS grew from \(idle.peak) to \(after.peak) KiB")
    }

    @Test
    func theNeutralSimulatorCountsEveryAnswerAsAStream() throws {
        let folder = try TemporaryFolder()
        let sim = try NeutralSimulator.path.get()
        let event = folder.path + "/event.json"
        try #"{"sentence":"a stream per invocation","delay_ms":0}"#.write(toFile: event, atomically: true, encoding: .utf8)
        let summary = try runCommand(
            sim, ["--count", "500", "--event-file", event, "--", BuildProducts.host],
            environment: ["_HANDLER": "libWordStream.so", "LAMBDA_TASK_ROOT": BuildProducts.folder.path, "PATH": "/usr/bin:/bin"]
        ).stdout
        print("lambda-service-sim: \(summary)")
        #expect(summary.contains("invocations=500"))
        #expect(summary.contains("stream_responses=500"))
        #expect(summary.contains("status=ok"))
    }

    @Test func serveHandsEachChunkToTheCallerAsItIsWritten() throws {
        let host = try HostProcess(
            handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("WordStream")])
        let port = try #require(host.invokePort())
        let reads = HTTPPost.timedInvoke(port: port, #"{"sentence":"one two three","delay_ms":300}"#)
        let all = reads.map(\.text).joined()
        #expect(all.contains("transfer-encoding: chunked") || all.contains("Transfer-Encoding: chunked"))
        let first = try #require(reads.first { $0.text.contains(#""word":"one""#) })
        let last = try #require(reads.first { $0.text.contains(#""word":"three""#) })
        // The caller had the first word while the handler was still pausing.
        #expect(last.at.timeIntervalSince(first.at) >= 0.5, "\(reads)")
    }

    @Test func serveReportsAnErrorAfterTheFirstChunkInTheTrailers() throws {
        let host = try HostProcess(
            handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("Probe")])
        let port = try #require(host.invokePort())
        let all = HTTPPost.timedInvoke(port: port, "stream-fail").map(\.text).joined()
        #expect(all.contains("partial"))
        #expect(all.contains("X-Amz-Function-Error: Unhandled"))
        #expect(all.contains("Lambda-Runtime-Function-Error-Type: Probe.StreamFailed"))
    }

    @Test func invokeWritesAStreamToStdout() throws {
        let outcome = try runCommand(
            BuildProducts.host,
            ["invoke", "--handler", BuildProducts.plugin("WordStream"), "--event", #"{"sentence":"a b","delay_ms":0}"#])
        let text = outcome.stdout
        #expect(outcome.status == 0)
        #expect(text == #"{"word":"a","index":0,"total":2}"# + "\n" + #"{"word":"b","index":1,"total":2}"# + "\n")
    }
}
