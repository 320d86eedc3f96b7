import Foundation
import Glibc
import Testing

/// `X-Amz-Invocation-Type` against the real `lambda-host serve` and the Probe plugin,
/// over a real socket: `Event` answers 202 before the function runs and still runs it,
/// `DryRun` answers 204 and runs nothing, an unknown type is refused as Lambda refuses it.
@Suite struct InvocationTypeTests {
    /// `serve` with the Probe plugin, and its invoke port.
    static func serve() throws -> (HostProcess, Int) {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("Probe")])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        return (host, port)
    }

    @Test func anEventIsAcceptedBeforeASlowHandlerFinishesAndStillRuns() throws {
        let (host, port) = try Self.serve()
        let sent = Date()
        // The Probe's "sleep" takes 3 s.
        let reply = try #require(HTTPPost.invoke(port: port, "sleep", headers: [("X-Amz-Invocation-Type", "Event")]))
        let waited = Date().timeIntervalSince(sent)
        let logSoFar = host.stderr
        #expect(reply.status == 202)
        #expect(reply.body.isEmpty)
        #expect(reply.headers["content-length"] == "0")
        #expect(reply.headers["x-amz-function-error"] == nil)
        #expect(waited < 2.5, "the 202 took \(waited) s: it waited for the function")
        #expect(!logSoFar.contains("slept"), "the function had finished before the 202: \(logSoFar)")
        // It runs after: its result is only logged, with its REPORT.
        #expect(host.waitForLog("lambda-host: Event invocation succeeded: slept"), "\(host.stderr)")
        let report = try #require(host.stderr.split(separator: "\n").first { $0.hasPrefix("REPORT RequestId: ") })
        let duration = try #require(Double(report.split(separator: "\t")[1].dropFirst("Duration: ".count).dropLast(" ms".count)))
        #expect(duration >= 3000, "\(report)")
    }

    @Test func aDryRunAnswers204AndRunsNothing() throws {
        let (host, port) = try Self.serve()
        let reply = try #require(HTTPPost.invoke(port: port, "sleep", headers: [("X-Amz-Invocation-Type", "DryRun")]))
        #expect(reply.status == 204)
        #expect(reply.body.isEmpty)
        #expect(reply.headers["content-length"] == nil)
        // A later invocation is the first the runtime sees.
        let echoed = try #require(HTTPPost.invoke(port: port, "{}", headers: [("X-Amz-Invocation-Type", "RequestResponse")]))
        #expect(echoed.status == 200)
        #expect(host.waitForLog("REPORT RequestId: "))
        #expect(host.stderr.components(separatedBy: "START RequestId: ").count - 1 == 1, "\(host.stderr)")
        #expect(!host.stderr.contains("slept"))
    }

    @Test(arguments: ["event", "Async", "", "RequestResponse "])
    func anUnknownTypeIsRefusedAsLambdaRefusesIt(type: String) throws {
        let (host, port) = try Self.serve()
        let reply = try #require(HTTPPost.invoke(port: port, "sleep", headers: [("X-Amz-Invocation-Type", type)]))
        #expect(reply.status == 400)
        #expect(reply.headers["x-amzn-errortype"] == "ValidationException")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        let message = try #require(document["message"] as? String)
        #expect(message.contains("[Event, RequestResponse, DryRun]"), "\(message)")
        #expect(!host.stderr.contains("START RequestId: "))
    }

    @Test func anEventGetsNoClientContextAsInLambda() throws {
        let (host, port) = try Self.serve()
        let context = ("X-Amz-Client-Context", Data(#"{"custom":{"cart":"7"}}"#.utf8).base64EncodedString())
        // Synchronously the Probe reports the client context it got; asynchronously it gets none.
        let sync = try #require(HTTPPost.invoke(port: port, "{}", headers: [context]))
        #expect(sync.body.contains(#""clientContext":"{\"custom\":{\"cart\":\"7\"}}""#), "\(sync.body)")
        let reply = try #require(HTTPPost.invoke(port: port, "{}", headers: [context, ("X-Amz-Invocation-Type", "Event")]))
        #expect(reply.status == 202)
        #expect(host.waitForLog("Event invocation succeeded: "), "\(host.stderr)")
        let line = try #require(host.stderr.split(separator: "\n").first { $0.contains("Event invocation succeeded: ") })
        #expect(line.contains(#""clientContext":null"#), "\(line)")
    }

    @Test func anEventOverOneMebibyteIsRefused() throws {
        let (host, port) = try Self.serve()
        let big = String(repeating: "x", count: 1024 * 1024 + 1)
        let reply = try #require(HTTPPost.invoke(port: port, big, headers: [("X-Amz-Invocation-Type", "Event")]))
        #expect(reply.status == 413)
        #expect(reply.headers["x-amzn-errortype"] == "RequestEntityTooLargeException")
        #expect(reply.body.contains("RequestEntityTooLarge"))
        // The same event synchronously is within the 6 MiB limit.
        let sync = try #require(HTTPPost.invoke(port: port, big))
        #expect(sync.status == 200)
        #expect(host.stderr.components(separatedBy: "START RequestId: ").count - 1 == 1, "\(host.stderr.suffix(2000))")
    }
}
