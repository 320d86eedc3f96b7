import Foundation
import Glibc
import Testing

/// What the invoke endpoint takes from a caller, as Lambda's Invoke API does: a refused
/// body still gets its 413 (never a reset), invalid headers get 400 before anything
/// reaches the runtime, a caller that half-closes still gets its answer, and `invoke`
/// refuses an event that `serve` would refuse.
@Suite struct InvokeRequestTests {
    static let path = "/2015-03-31/functions/function/invocations"

    @Test func aBodyOverSixMiBSentWholeGetsThe413() throws {
        let emulator = try Emulator()
        let body = [UInt8](repeating: 97, count: 7_000_000)
        for _ in 0..<3 {
            let connection = try #require(RawHTTP(port: emulator.invoke, timeout: 10))
            // No Expect: the body follows the head at once, as most clients send it.
            let sent = connection.request("POST", Self.path, body: body)
            #expect(sent, "the connection was reset while the body was sent")
            let reply = try #require(connection.reply(), "no 413, or a reset: errno \(errno)")
            #expect(reply.status == 413)
            #expect(reply.text.contains("Request must be smaller than 6291456 bytes for the InvokeFunction operation"))
        }
        // Python's http.client, the reviewer's client, reads the 413 too.
        let python = try runCommand(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import http.client
                c = http.client.HTTPConnection("127.0.0.1", \(emulator.invoke), timeout=30)
                c.request("POST", "\(Self.path)", body=b"a" * 7000000)
                r = c.getresponse()
                print(r.status, r.getheader("X-Amzn-ErrorType"))
                """,
            ])
        #expect(python.stdout == "413 RequestEntityTooLargeException\n", "\(python.stdout) \(python.stderr)")
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test(arguments: [
        ("X-Amz-Client-Context", base64("{\"custom\":{\"a\":\"b\"}}\r\nX-Injected: 1")),
        ("X-Amz-Client-Context", "not base64!"),
        ("X-Amz-Client-Context", base64("[1,2]")),
        ("X-Amz-Client-Context", Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]).base64EncodedString()),
        ("X-Amz-Client-Context", base64("{\"custom\":{\"a\":\"" + String(repeating: "x", count: 3000) + "\"}}")),
        ("X-Amz-Tenant-Id", "tenant;drop"),
        ("X-Amz-Tenant-Id", String(repeating: "t", count: 257)),
        ("X-Amz-Cognito-Identity", String(repeating: "c", count: 4000)),
    ])
    func anInvalidInvokeHeaderIsRefusedWith400(name: String, value: String) throws {
        let emulator = try Emulator()
        let caller = try #require(emulator.post("{}", headers: [(name, value)]))
        let reply = try #require(caller.reply(), "no reply: \(emulator.host.stderr)")
        #expect(reply.status == 400, "\(name): \(reply.status) \(reply.text)")
        #expect(reply.headers["x-amzn-errortype"] == "InvalidRequestContentException")
        #expect(reply.text.contains(name), "\(reply.text)")
        // Nothing was queued, and the emulator still serves.
        let good = try #require(
            emulator.post(
                "ok",
                headers: [
                    ("X-Amz-Client-Context", Self.base64(#"{"custom":{"k":"v"}}"#)), ("X-Amz-Tenant-Id", "blue"),
                    ("X-Amz-Cognito-Identity", #"{"cognitoIdentityId":"id"}"#),
                ]))
        let (_, invocation) = try #require(emulator.next())
        #expect(invocation.text == "ok")
        #expect(invocation.headers["lambda-runtime-client-context"] == #"{"custom":{"k":"v"}}"#)
        #expect(invocation.headers["lambda-runtime-aws-tenant-id"] == "blue")
        #expect(invocation.headers["lambda-runtime-cognito-identity"] == #"{"cognitoIdentityId":"id"}"#)
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        _ = emulator.post(api: "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("fine".utf8))
        #expect(good.reply()?.text == "fine")
    }

    @Test func aCallerThatHalfClosesStillGetsItsAnswer() throws {
        let emulator = try Emulator()
        let caller = try #require(RawHTTP(port: emulator.invoke, timeout: 15))
        caller.request("POST", Self.path, body: Array("half".utf8))
        shutdown(caller.fd, Int32(SHUT_WR))  // as `nc -N` does
        let (_, invocation) = try #require(emulator.next())
        #expect(invocation.text == "half")
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        // The runtime half-closes too.
        let runtime = try #require(RawHTTP(port: emulator.api, timeout: 15))
        runtime.request("POST", "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("whole".utf8))
        shutdown(runtime.fd, Int32(SHUT_WR))
        #expect(runtime.reply()?.status == 202)
        #expect(runtime.closedByPeer())
        let reply = try #require(caller.reply(), "a half-closed caller got no answer")
        #expect(reply.text == "whole")
        #expect(caller.closedByPeer())
    }

    @Test func invokeRefusesAnEventOverSixMiBAsServeDoes() throws {
        let root = try TemporaryFolder()
        let event = root.path + "/event.json"
        try Data(repeating: 32, count: 6 * 1024 * 1024 + 1).write(to: URL(fileURLWithPath: event))
        let outcome = try runCommand(
            "/usr/bin/timeout",
            ["60", BuildProducts.host, "invoke", "--handler", BuildProducts.plugin("Probe"), "--event-file", event, "--env", "AWS_LAMBDA_LOG_LEVEL=DEBUG"])
        #expect(outcome.status == 1, "\(outcome.stderr.suffix(500))")
        #expect(outcome.stderr.contains(#""errorType":"RequestEntityTooLarge""#), "\(outcome.stderr.suffix(500))")
        #expect(outcome.stderr.contains("Request must be smaller than 6291456 bytes for the InvokeFunction operation"))
        // Refused before any runtime started.
        #expect(!outcome.stderr.contains("loaded plugin"), "\(outcome.stderr.suffix(500))")
        // Exactly 6 MiB is taken.
        try Data(repeating: 32, count: 6 * 1024 * 1024).write(to: URL(fileURLWithPath: event))
        let largest = try runCommand(
            "/usr/bin/timeout", ["60", BuildProducts.host, "invoke", "--handler", BuildProducts.plugin("Echo"), "--event-file", event])
        #expect(!largest.stderr.contains("RequestEntityTooLarge"), "\(largest.stderr.suffix(500))")
    }
}
