import Foundation
import Glibc
import Testing

/// The embedded Runtime API, driven by the test acting as the runtime: what it hands out
/// and what it refuses, as Lambda does.
@Suite struct EmulatorProtocolTests {
    /// `lambda-host emulate` whose runtime never talks (`sleep`), its invoke and Runtime
    /// API ports.
    func emulate(_ extra: [String] = []) throws -> (HostProcess, invoke: Int, api: Int) {
        let host = try HostProcess(
            handler: nil, api: nil,
            arguments: ["emulate", "--port", "0", "--runtime-api-port", "0"] + extra + ["--", "sleep", "3600"])
        let invoke = try #require(host.invokePort(), "emulate did not start: \(host.stderr)")
        return (host, invoke, try #require(host.runtimeAPIPort()))
    }

    /// Queues an event through the invoke endpoint and returns the socket waiting for its
    /// answer.
    func queue(_ event: String, port: Int, headers: String = "") throws -> Int32 {
        let fd = try #require(HTTPPost.connect(port: port))
        let request = Array(
            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\n\(headers)Content-Length: \(event.utf8.count)\r\n\r\n\(event)".utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    func next(_ api: Int) throws -> HTTPPost.Reply {
        try #require(HTTPPost.send(port: api, path: "/2018-06-01/runtime/invocation/next", body: "", method: "GET"))
    }

    @Test func nextCarriesEveryHeaderAndTheDeadlineFollowsTheTimeout() throws {
        let (host, invokePort, api) = try emulate(["--timeout", "42", "--function-name", "fn", "--region", "eu-west-1"])
        let waiting = try queue(
            #"{"a":1}"#, port: invokePort,
            headers: "X-Amz-Client-Context: eyJjdXN0b20iOnsiayI6InYifX0=\r\nX-Amz-Cognito-Identity: {\"cognitoIdentityId\":\"c\"}\r\nX-Amz-Tenant-Id: t-1\r\n")
        defer { close(waiting) }
        let reply = try next(api)
        #expect(reply.status == 200)
        #expect(reply.body == #"{"a":1}"#)
        #expect(reply.headers["lambda-runtime-aws-request-id"]?.count == 36)
        #expect(reply.headers["lambda-runtime-invoked-function-arn"] == "arn:aws:lambda:eu-west-1:012345678912:function:fn")
        #expect(reply.headers["lambda-runtime-trace-id"]?.hasPrefix("Root=1-") == true)
        #expect(reply.headers["lambda-runtime-invocation-id"]?.isEmpty == false)
        #expect(reply.headers["lambda-runtime-client-context"] == #"{"custom":{"k":"v"}}"#)
        #expect(reply.headers["lambda-runtime-cognito-identity"] == #"{"cognitoIdentityId":"c"}"#)
        #expect(reply.headers["lambda-runtime-aws-tenant-id"] == "t-1")
        let deadline = Int64(reply.headers["lambda-runtime-deadline-ms"] ?? "") ?? 0
        let expected = Int64(Date().timeIntervalSince1970 * 1000) + 42_000
        #expect(abs(deadline - expected) < 2_000)
        _ = host
    }

    @Test func answersAreCheckedAsLambdaChecksThem() throws {
        let (host, invokePort, api) = try emulate()
        let first = try queue("one", port: invokePort)
        defer { close(first) }
        let invocation = try next(api)
        let id = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let invocationID = try #require(invocation.headers["lambda-runtime-invocation-id"])
        let base = "/2018-06-01/runtime/invocation/"

        // Unknown request id: 400.
        #expect(HTTPPost.send(port: api, path: base + "nope/response", body: "x")?.status == 400)
        // A stale invocation id: 410, and the invocation is still open.
        let stale = HTTPPost.send(port: api, path: base + id + "/response", body: "x", headers: [("Lambda-Runtime-Invocation-Id", "old")])
        #expect(stale?.status == 410)
        // (Over 6 MiB + 100 bytes is a 413 that ends the invocation: EmulatorResponseTests.)
        // The right answer: 202, and the invoker gets it.
        let accepted = HTTPPost.send(
            port: api, path: base + id + "/response", body: "answer", headers: [("Lambda-Runtime-Invocation-Id", invocationID)])
        #expect(accepted?.status == 202)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let got = buffer.withUnsafeMutableBytes { read(first, $0.baseAddress, $0.count) }
        #expect(String(decoding: buffer[0..<max(got, 0)], as: UTF8.self).hasSuffix("answer"))
        // Answered already: 400.
        #expect(HTTPPost.send(port: api, path: base + id + "/error", body: "{}")?.status == 400)
        // A known path with another method: 405 naming the method.
        let wrong = HTTPPost.send(port: api, path: "/2018-06-01/runtime/invocation/next", body: "", method: "POST")
        #expect(wrong?.status == 405)
        #expect(wrong?.headers["allow"] == "GET")
        _ = host
    }
}
