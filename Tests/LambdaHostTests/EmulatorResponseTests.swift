import Foundation
import Glibc
import Testing

/// The emulator's answers to what a runtime sends and what a caller posts: sizes, stale
/// streams and long streamed errors, as Lambda answers them.
@Suite struct EmulatorResponseTests {
    static let limit = 6 * 1024 * 1024

    /// A chunked, streamed `/response` request head for `requestID`.
    static func streamHead(_ requestID: String, invocationID: String?) -> String {
        var head = "POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\n"
        head += "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
        head += "Content-Type: text/plain\r\n"
        head += "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
        if let invocationID { head += "Lambda-Runtime-Invocation-Id: \(invocationID)\r\n" }
        return head + "\r\n"
    }

    /// One chunk of a chunked body.
    static func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

    @Test func anOversizedResponseAnswersTheCallerAtOnce() throws {
        let emulator = try Emulator(["--timeout", "120"])
        let waiting = try #require(emulator.post("{}", timeout: 20))
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let size = Self.limit + 101
        let refused = emulator.post(
            api: "/2018-06-01/runtime/invocation/\(requestID)/response", body: [UInt8](repeating: 65, count: size))
        #expect(refused?.status == 413)
        #expect(refused?.text.contains("RequestEntityTooLarge") == true)
        let began = Date()
        let reply = try #require(waiting.reply(), "the caller waited for the deadline")
        #expect(Date().timeIntervalSince(began) < 10)
        #expect(reply.headers["x-amz-function-error"] == "Unhandled")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        #expect(document["errorType"] as? String == "Function.ResponseSizeTooLarge")
        #expect(
            document["errorMessage"] as? String
                == "Response payload size (\(size) bytes) exceeded maximum allowed payload size (6291556 bytes).")
    }

    @Test func theInvokeEndpointRefusesABodyOverSixMiBBeforeReadingIt() throws {
        let emulator = try Emulator()
        // Only the head is sent: the 413 must come without the body.
        let early = try #require(RawHTTP(port: emulator.invoke, timeout: 10))
        early.send("POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.limit + 1)\r\n\r\n")
        let refused = try #require(early.reply(), "no early refusal")
        #expect(refused.status == 413)
        #expect(refused.headers["x-amzn-errortype"] == "RequestEntityTooLargeException")
        #expect(refused.text.contains(#""errorType":"RequestEntityTooLarge""#))
        #expect(refused.text.contains("Request must be smaller than 6291456 bytes for the InvokeFunction operation"))
        #expect(early.closedByPeer())

        // A chunked body that grows past the limit is refused once it does.
        let chunked = try #require(RawHTTP(port: emulator.invoke, timeout: 10))
        chunked.send("POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let piece = String(repeating: "a", count: 1024 * 1024)
        for _ in 0..<7 { chunked.send(Self.chunk(piece)) }
        #expect(chunked.reply()?.status == 413)
    }

    @Test func theInvokeEndpointHonoursExpectContinue() throws {
        let emulator = try Emulator()
        let refused = try #require(RawHTTP(port: emulator.invoke, timeout: 10))
        refused.send(
            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(Self.limit + 1)\r\n\r\n")
        #expect(refused.reply()?.status == 413)

        let accepted = try #require(RawHTTP(port: emulator.invoke, timeout: 10))
        accepted.send(
            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\n")
        #expect(accepted.reply()?.status == 100)
        accepted.send("payload")
        let (_, invocation) = try #require(emulator.next())
        #expect(invocation.text == "payload")
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        _ = emulator.post(api: "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("done".utf8))
        #expect(accepted.reply()?.text == "done")
    }

    @Test func aStreamWithAStaleOrForeignIdIsRefusedBeforeAnyByteReachesTheCaller() throws {
        let emulator = try Emulator()
        let waiting = try #require(emulator.post("{}"))
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let invocationID = try #require(invocation.headers["lambda-runtime-invocation-id"])

        func stream(_ id: String, _ invocationID: String?, _ text: String) -> Int? {
            guard let connection = RawHTTP(port: emulator.api) else { return nil }
            connection.send(Self.streamHead(id, invocationID: invocationID) + Self.chunk(text) + "0\r\n\r\n")
            return connection.reply()?.status
        }
        #expect(stream(requestID, "0123456789abcdef", "STALE") == 410)
        #expect(stream("not-a-request-id", invocationID, "FOREIGN") == 400)
        #expect(stream(requestID, invocationID, "RIGHT") == 202)
        let reply = try #require(waiting.reply())
        #expect(reply.status == 200)
        #expect(reply.text == "RIGHT")
    }

    /// A streamed error document with a message of 256 KiB, as the host sends it.
    static let longErrorBody: String = {
        let message = String(repeating: "m", count: 256 * 1024)
        return Data(#"{"errorMessage":"\#(message)","errorType":"App.Failed","stackTrace":[]}"#.utf8).base64EncodedString()
    }()

    /// Plays the runtime for one invocation: streams "partial", then ends with the long error.
    func answerWithLongStreamedError(_ emulator: Emulator) throws {
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let connection = try #require(RawHTTP(port: emulator.api))
        connection.send(
            Self.streamHead(requestID, invocationID: invocation.headers["lambda-runtime-invocation-id"])
                + Self.chunk("partial")
                + "0\r\nLambda-Runtime-Function-Error-Type: App.Failed\r\nLambda-Runtime-Function-Error-Body: \(Self.longErrorBody)\r\n\r\n")
        let accepted = connection.reply()
        #expect(accepted?.status == 202, "the emulator refused the trailers: \(accepted?.text ?? "no reply")")
    }

    @Test func aStreamedErrorUpToTheCapReachesTheCallerInTheTrailers() throws {
        let emulator = try Emulator()
        let waiting = try #require(emulator.post("{}"))
        try answerWithLongStreamedError(emulator)
        let reply = try #require(waiting.reply(), "the caller got no answer")
        #expect(reply.text == "partial")
        #expect(reply.trailers["x-amz-function-error"] == "Unhandled")
        #expect(reply.trailers["lambda-runtime-function-error-type"] == "App.Failed")
        // Too long for a caller's trailer line (curl takes under 4 KiB): left out.
        #expect(reply.trailers["lambda-runtime-function-error-body"] == nil)

        // curl and Python's http.client read the reply whole.
        let url = "http://127.0.0.1:\(emulator.invoke)/2015-03-31/functions/function/invocations"
        let curl = try runInBackground("/usr/bin/env", ["curl", "-sS", "--max-time", "30", "-d", "{}", url])
        try answerWithLongStreamedError(emulator)
        let curled = curl.finish()
        #expect(curled.status == 0, "\(curled.stderr)")
        #expect(curled.stdout == "partial")
        let python = try runInBackground(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import http.client, sys
                c = http.client.HTTPConnection("127.0.0.1", \(emulator.invoke), timeout=30)
                c.request("POST", "/2015-03-31/functions/function/invocations", body=b"{}")
                sys.stdout.write(c.getresponse().read().decode())
                """,
            ])
        try answerWithLongStreamedError(emulator)
        let pythoned = python.finish()
        #expect(pythoned.status == 0, "\(pythoned.stderr)")
        #expect(pythoned.stdout == "partial")
    }

    @Test func invokePrintsALongStreamedErrorDocumentToStderr() throws {
        let root = try TemporaryFolder()
        let library = root.path + "/liblongstream.so"
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <stdlib.h>
            #include <string.h>
            LAMBDA_PLUGIN_DEFINE("longstream", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                size_t size = 256 * 1024;
                char *message = malloc(size + 1);
                memset(message, 'm', size);
                message[size] = 0;
                inv->host->stream_begin(inv, "text/plain");
                inv->host->stream_write(inv, "partial", 7);
                inv->host->fail(inv, "App.Failed", message);
                return LAMBDA_ERROR;
            }
            """, to: library)
        let outcome = try runCommand(
            "/usr/bin/timeout", ["60", BuildProducts.host, "invoke", "--handler", library, "--timeout", "30"])
        #expect(outcome.status == 1, "\(outcome.stderr.suffix(500))")
        #expect(outcome.stdout == "partial")
        #expect(outcome.stderr.contains(#""errorType":"App.Failed""#))
        #expect(outcome.stderr.contains(String(repeating: "m", count: 200 * 1024)))
    }
}
