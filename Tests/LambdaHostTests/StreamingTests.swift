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
}
