import Foundation
import Testing

/// The real `lambda-host` binary and the real example plugins against a Runtime API
/// served on a real socket.
@Suite struct InvocationTests {
    @Test func echoAnswersWithTheEventByteForByte() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        let events = [#"{"hello":"world"}"#, "not json at all", "", "üñíçødé ✓"]
        for (i, event) in events.enumerated() { api.enqueue("echo-\(i)", event) }
        for (i, event) in events.enumerated() {
            let answer = try #require(api.answer(to: "echo-\(i)"))
            #expect(answer.path == "/2018-06-01/runtime/invocation/echo-\(i)/response")
            #expect(answer.text == event)
        }
        _ = host
    }

    @Test func helloSwiftPluginDecodesAndEncodesCodable() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libHello.so", api: api)
        api.enqueue("hello-1", #"{"name":"World"}"#)
        let answer = try #require(api.answer(to: "hello-1"))
        #expect(answer.path.hasSuffix("/response"))
        #expect(answer.text == #"{"message":"Hello, World!"}"#)

        api.enqueue("hello-2", #"{"nom":"Monde"}"#)
        let error = try #require(api.answer(to: "hello-2"))
        #expect(error.path.hasSuffix("/error"))
        #expect(error.headers["lambda-runtime-function-error-type"] == "Runtime.InvalidEvent")
        #expect(jsonObject(error)?["errorMessage"] as? String ?? "" != "")

        // An error the handler throws keeps the type it chose.
        api.enqueue("hello-3", #"{"name":""}"#)
        let thrown = try #require(api.answer(to: "hello-3"))
        #expect(thrown.headers["lambda-runtime-function-error-type"] == "Hello.EmptyName")
        #expect((jsonObject(thrown)?["errorMessage"] as? String)?.contains("is empty") == true)
        _ = host
    }

    @Test func handlerErrorCarriesThePluginsTypeAndTheLoopGoesOn() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libFail.so", api: api)
        api.enqueue("fail-1", "{}", headers: [("Lambda-Runtime-Invocation-Id", "inv-f1")])
        api.enqueue("fail-2", "{}")
        let first = try #require(api.answer(to: "fail-1"))
        #expect(first.path == "/2018-06-01/runtime/invocation/fail-1/error")
        #expect(first.headers["lambda-runtime-invocation-id"] == "inv-f1")
        #expect(first.headers["lambda-runtime-function-error-type"] == "Fail.Deliberate")
        #expect(first.headers["content-type"] == "application/vnd.aws.lambda.error+json")
        let body = try #require(jsonObject(first))
        #expect(body["errorType"] as? String == "Fail.Deliberate")
        #expect((body["errorMessage"] as? String)?.contains("number 1") == true)
        #expect((body["stackTrace"] as? [Any])?.isEmpty == true)
        // The init hook's state lives on: the second invocation counts 2.
        let second = try #require(api.answer(to: "fail-2"))
        #expect((jsonObject(second)?["errorMessage"] as? String)?.contains("number 2") == true)
        _ = host
    }

    @Test func everyContextFieldAndTheTraceVariableReachThePlugin() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        api.enqueue(
            "ctx-1", "context",
            headers: [
                ("Lambda-Runtime-Trace-Id", trace),
                ("Lambda-Runtime-Client-Context", #"{"client":{"app_title":"t"}}"#),
                ("Lambda-Runtime-Cognito-Identity", #"{"cognitoIdentityId":"id-1"}"#),
                ("Lambda-Runtime-Aws-Tenant-Id", "tenant-7"),
                ("Lambda-Runtime-Invocation-Id", "inv-abc"),
            ])
        let answer = try #require(api.answer(to: "ctx-1"))
        let fields = try #require(jsonObject(answer))
        #expect(fields["requestId"] as? String == "ctx-1")
        #expect(fields["functionArn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:test")
        #expect(fields["traceId"] as? String == trace)
        #expect(fields["envTraceId"] as? String == trace)
        #expect(fields["clientContext"] as? String == #"{"client":{"app_title":"t"}}"#)
        #expect(fields["cognitoIdentity"] as? String == #"{"cognitoIdentityId":"id-1"}"#)
        #expect(fields["tenantId"] as? String == "tenant-7")
        #expect(fields["state"] as? String == "probe-state")
        #expect(fields["payloadSize"] as? String == "7")
        let deadline = Int64(fields["deadlineMs"] as? String ?? "") ?? 0
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(deadline > now && deadline <= now + 60_000)
        let remaining = Int64(fields["remainingMs"] as? String ?? "") ?? -1
        #expect(remaining > 50_000 && remaining <= 60_000)
        // The invocation id is echoed on the answer.
        #expect(answer.headers["lambda-runtime-invocation-id"] == "inv-abc")

        // Without a trace header, the variable is gone and the optional fields are null.
        api.enqueue("ctx-2", "context")
        let bare = try #require(jsonObject(api.answer(to: "ctx-2")))
        #expect(bare["traceId"] is NSNull)
        #expect(bare["envTraceId"] is NSNull)
        #expect(bare["clientContext"] is NSNull)
        #expect(bare["tenantId"] is NSNull)
        #expect(api.answer(to: "ctx-2")?.headers["lambda-runtime-invocation-id"] == nil)
        _ = host
    }

    @Test func aSixMebibyteEventIsEchoedWhole() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        let size = 6 * 1024 * 1024
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }
        api.enqueue(.init(requestID: "big-1", body: body))
        let answer = try #require(api.answer(to: "big-1"))
        #expect(answer.path.hasSuffix("/response"))
        #expect(answer.body.count == size)
        #expect(answer.body == body)
        _ = host
    }

    @Test func aResponseOneByteOverSixMebibytesBecomesAnErrorTheInvokerCanRead() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        let size = 6 * 1024 * 1024 + 1
        api.enqueue(.init(requestID: "over-1", body: [UInt8](repeating: 120, count: size)))
        let answer = try #require(api.answer(to: "over-1"))
        #expect(answer.path == "/2018-06-01/runtime/invocation/over-1/error")
        #expect(answer.headers["lambda-runtime-function-error-type"] == "Function.ResponseSizeTooLarge")
        let body = try #require(jsonObject(answer))
        #expect(body["errorType"] as? String == "Function.ResponseSizeTooLarge")
        #expect((body["errorMessage"] as? String)?.contains("6291457 bytes") == true)
        // Nothing else was sent for it, and the next invocation is served.
        api.enqueue("over-2", "small")
        #expect(api.answer(to: "over-2")?.text == "small")
        #expect(api.received.filter { $0.path.contains("/over-1/") }.count == 1)
        _ = host
    }

    @Test func anEventOverTheLimitIsAnsweredWithAnErrorAndTheHostGoesOn() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        api.enqueue(.init(requestID: "huge-1", body: [UInt8](repeating: 97, count: 6 * 1024 * 1024 + 101)))
        api.enqueue("huge-2", "after")
        let answer = try #require(api.answer(to: "huge-1"))
        #expect(answer.headers["lambda-runtime-function-error-type"] == "Runtime.EventTooLarge")
        #expect(api.answer(to: "huge-2")?.text == "after")
        _ = host
    }

    @Test func aChunkedEventOverTheLimitIsDrainedAndTheConnectionStaysUsable() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        api.enqueue(.init(requestID: "chunk-huge", body: [UInt8](repeating: 98, count: 6 * 1024 * 1024 + 101), chunked: true))
        api.enqueue("chunk-after", "after a drained chunked event")
        let answer = try #require(api.answer(to: "chunk-huge"))
        #expect(answer.headers["lambda-runtime-function-error-type"] == "Runtime.EventTooLarge")
        #expect((jsonObject(answer)?["errorMessage"] as? String)?.contains("6291557 bytes") == true)
        #expect(api.answer(to: "chunk-after")?.text == "after a drained chunked event")
        _ = host
    }

    @Test func chunkedEventsAreDecoded() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        let text = #"{"a":"a chunked event, sent seven bytes at a time"}"#
        api.enqueue(.init(requestID: "chunk-1", body: Array(text.utf8), chunked: true))
        api.enqueue("chunk-2", "plain after chunked")
        #expect(api.answer(to: "chunk-1")?.text == text)
        #expect(api.answer(to: "chunk-2")?.text == "plain after chunked")
        _ = host
    }

    @Test func anInvocationWithoutADeadlineIsRefusedWithAnError() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        api.enqueue(.init(requestID: "nodl-1", body: Array("x".utf8), withoutDeadline: true))
        let answer = try #require(api.answer(to: "nodl-1"))
        #expect(answer.headers["lambda-runtime-function-error-type"] == "Runtime.MalformedInvocation")
        _ = host
    }

    @Test func exactlyOneAnswerPerInvocationWhateverTheHandlerDoes() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("twice", "respond-twice")
        api.enqueue("none", "no-answer")
        api.enqueue("code", "error-code")
        let twice = try #require(api.answer(to: "twice"))
        #expect(twice.text == "first")
        // respond and fail after the first answer return LAMBDA_E_ALREADY_ANSWERED (-1).
        #expect(host.waitForLog("respond-twice: 0 -1 -1"))
        #expect(api.answer(to: "none")?.text == "null")
        let code = try #require(api.answer(to: "code"))
        #expect(code.headers["lambda-runtime-function-error-type"] == "Runtime.HandlerFailed")
        #expect((jsonObject(code)?["errorMessage"] as? String)?.contains("returned 7") == true)
        let answers = api.received.filter { $0.method == "POST" && $0.path.contains("/invocation/") }
        #expect(answers.count == 3)

        // A 1 MiB error message is cut to 256 KiB.
        api.enqueue("long", "long-error")
        let long = try #require(jsonObject(api.answer(to: "long")))
        #expect((long["errorMessage"] as? String)?.utf8.count == 256 * 1024)
        #expect(long["errorType"] as? String == "Probe.LongError")
    }
}
