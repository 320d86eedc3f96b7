import Foundation
import Glibc
import Testing

/// A misbehaving runtime against the emulator, played by the test over raw sockets on
/// `emulate`'s Runtime API port: whatever it does, every invoker gets exactly one answer
/// and the emulator keeps serving.
@Suite struct AdversarialEmulatorTests {
    /// Hands one event out; returns the caller's connection and the invocation's ids.
    func handOut(_ emulator: Emulator, _ event: String = "{}") throws -> (caller: RawHTTP, requestID: String, invocationID: String) {
        let caller = try #require(emulator.post(event))
        let (_, invocation) = try #require(emulator.next(), "no invocation: \(emulator.host.stderr)")
        return (
            caller, try #require(invocation.headers["lambda-runtime-aws-request-id"]),
            try #require(invocation.headers["lambda-runtime-invocation-id"])
        )
    }

    func respond(_ emulator: Emulator, _ requestID: String, _ text: String) -> Int? {
        emulator.post(api: "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array(text.utf8))?.status
    }

    /// The emulator still serves: a fresh invocation is answered.
    func stillServes(_ emulator: Emulator) throws {
        let (caller, requestID, _) = try handOut(emulator, "again")
        #expect(respond(emulator, requestID, "still here") == 202)
        #expect(caller.reply()?.text == "still here")
    }

    @Test func answersToUnknownIdsAndSecondAnswersAreRefused() throws {
        let emulator = try Emulator()
        let (caller, requestID, _) = try handOut(emulator)
        #expect(respond(emulator, "00000000-0000-0000-0000-000000000000", "unknown") == 400)
        #expect(respond(emulator, "../../init/error", "odd") != 202)
        #expect(respond(emulator, requestID, "first") == 202)
        #expect(respond(emulator, requestID, "second") == 400)
        let error = emulator.post(api: "/2018-06-01/runtime/invocation/\(requestID)/error", body: Array("{}".utf8))
        #expect(error?.status == 400)
        #expect(caller.reply()?.text == "first")
        try stillServes(emulator)
    }

    @Test func garbageHTTPIsRefusedAndTheInvocationIsStillAnswered() throws {
        let emulator = try Emulator()
        let (caller, requestID, _) = try handOut(emulator)
        for garbage in ["\u{0}\u{1}\u{2}garbage\r\n\r\n", "GET\r\n\r\n", "POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/9.9\r\n\r\n"] {
            let connection = try #require(RawHTTP(port: emulator.api, timeout: 10))
            connection.send(garbage)
            let reply = connection.reply()
            #expect(reply == nil || reply?.status == 400, "\(garbage): \(String(describing: reply?.status))")
        }
        #expect(respond(emulator, requestID, "answer") == 202)
        #expect(caller.reply()?.text == "answer")
        try stillServes(emulator)
    }

    @Test(arguments: ["zz", "ffffffffffffffffff", "-1", "7 7"])
    func aResponseWithABadChunkSizeAnswersTheInvokerOnce(size: String) throws {
        let emulator = try Emulator(["--timeout", "120"])
        let (caller, requestID, _) = try handOut(emulator)
        let connection = try #require(RawHTTP(port: emulator.api, timeout: 10))
        connection.send(
            "POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n\(size)\r\nxyz\r\n0\r\n\r\n")
        let refused = connection.reply()
        #expect(refused == nil || refused?.status == 400)
        let reply = try #require(caller.reply(), "the invoker got no answer")
        #expect(reply.text.contains("Runtime.TruncatedResponse"), "\(reply.text)")
        // The invocation was answered: a retry is refused.
        #expect(respond(emulator, requestID, "late") == 400)
        try stillServes(emulator)
    }

    @Test func aDisconnectMidStreamEndsTheCallersStream() throws {
        let emulator = try Emulator(["--timeout", "120"])
        let (caller, requestID, invocationID) = try handOut(emulator)
        do {
            let connection = try #require(RawHTTP(port: emulator.api, timeout: 10))
            connection.send(
                EmulatorResponseTests.streamHead(requestID, invocationID: invocationID) + EmulatorResponseTests.chunk("half"))
        }  // closed here, mid-stream
        let reply = try #require(caller.reply(), "the caller's stream was never ended")
        #expect(reply.text == "half")
        #expect(reply.trailers["lambda-runtime-function-error-type"] == "Runtime.TruncatedResponse")
        try stillServes(emulator)
    }

    @Test func aDisconnectMidResponseAnswersTheInvokerAtOnce() throws {
        let emulator = try Emulator(["--timeout", "120"])
        let (caller, requestID, _) = try handOut(emulator)
        do {
            let connection = try #require(RawHTTP(port: emulator.api, timeout: 10))
            connection.send("POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        }
        let reply = try #require(caller.reply(), "the invoker waited for the deadline")
        #expect(reply.text.contains("Runtime.TruncatedResponse"), "\(reply.text)")
        try stillServes(emulator)
    }

    @Test func manyConnectionsOnNextEachGetTheirOwnInvocation() throws {
        let emulator = try Emulator()
        var parked: [RawHTTP] = []
        for _ in 0..<40 {
            let connection = try #require(RawHTTP(port: emulator.api, timeout: 10))
            connection.request("GET", "/2018-06-01/runtime/invocation/next")
            parked.append(connection)
        }
        let callers = [try #require(emulator.post("one")), try #require(emulator.post("two"))]
        // Two connections get work, one invocation each, the rest keep waiting.
        var handed: [RawHTTP.Reply] = []
        while handed.count < 2 {
            let ready = RawHTTP.readable(parked, waitingMs: 10_000)
            let index = try #require(ready.first, "only \(handed.count) invocations handed out")
            handed.append(try #require(parked[index].reply()))
            parked.remove(at: index)
        }
        #expect(Set(handed.map(\.text)) == ["one", "two"])
        for invocation in handed {
            let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
            #expect(respond(emulator, requestID, "answer to \(invocation.text)") == 202)
            #expect(respond(emulator, requestID, "twice") == 400)
        }
        #expect(callers[0].reply()?.text == "answer to one")
        #expect(callers[1].reply()?.text == "answer to two")
        // The next invocation goes to one of those still waiting.
        let third = try #require(emulator.post("three"))
        let index = try #require(RawHTTP.readable(parked, waitingMs: 10_000).first)
        let invocation = try #require(parked[index].reply())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        #expect(respond(emulator, requestID, "answer to three") == 202)
        #expect(third.reply()?.text == "answer to three")
    }

    @Test func anErrorWithNoBodyOrAHugeTypeIsStillOneAnswer() throws {
        let emulator = try Emulator()
        let (caller, requestID, _) = try handOut(emulator)
        let empty = emulator.post(
            api: "/2018-06-01/runtime/invocation/\(requestID)/error", headers: [("Lambda-Runtime-Function-Error-Type", "App.Empty")])
        #expect(empty?.status == 202)
        let reply = try #require(caller.reply())
        #expect(reply.headers["x-amz-function-error"] == "Unhandled")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        #expect(document["errorType"] as? String == "App.Empty")

        let (caller2, requestID2, _) = try handOut(emulator)
        let huge = String(repeating: "T", count: 200 * 1024)
        let status = emulator.post(
            api: "/2018-06-01/runtime/invocation/\(requestID2)/error", body: Array(#"{"errorMessage":"m"}"#.utf8),
            headers: [("Lambda-Runtime-Function-Error-Type", huge)])?.status
        #expect(status == 202)
        let hugeReply = try #require(caller2.reply(), "the invoker got no answer")
        #expect(hugeReply.headers["x-amz-function-error"] == "Unhandled")
        #expect((hugeReply.headers["x-lambda-error-type"]?.count ?? 0) <= 256)
        try stillServes(emulator)
    }
}
