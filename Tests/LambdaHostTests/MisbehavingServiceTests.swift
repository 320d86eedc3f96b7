import Foundation
import Testing

/// A Runtime API that answers badly: the host must end with status 1 and a log line
/// that names the problem, never crash, hang or answer twice.
@Suite struct MisbehavingServiceTests {
    static let valid = Array(
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nLambda-Runtime-Deadline-Ms: 9999999999999\r\n"
            + "Content-Length: 5\r\n\r\nhello").utf8)

    /// Runs the host against one raw reply to GET /next and returns its exit status and log.
    func run(reply: [UInt8]) throws -> (status: Int32?, stderr: String, api: TestRuntimeAPI) {
        let api = try TestRuntimeAPI()
        api.nextBehaviour = .raw(reply)
        let host = try HostProcess(handler: "libEcho.so", api: api)
        let status = host.waitForExit()
        return (status, host.stderr, api)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nContent-Length: 10\r\n\r\nhal", "service closed the connection"),
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nContent-Len", "service closed the connection"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", "no Lambda-Runtime-Aws-Request-Id"),
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nContent-Length: -4\r\n\r\n", "bad Content-Length"),
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nContent-Length: 99999999999999999999\r\n\r\n", "bad Content-Length"),
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY", "chunk without CRLF"),
        ("HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "header line without a name"),
        ("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}", "answered 403"),
        ("HTTP/2 200\r\n\r\n", "status line"),
        ("", "service closed the connection"),
    ])
    func badRepliesEndTheHostCleanly(reply: String, logged: String) throws {
        let outcome = try run(reply: Array(reply.utf8))
        #expect(outcome.status == 1, "\(reply.debugDescription)")
        #expect(outcome.stderr.contains(logged), "\(reply.debugDescription): \(outcome.stderr)")
        #expect(outcome.stderr.contains("[FATAL]"))
    }

    @Test func anEndlessHeadIsCutAtItsBound() throws {
        let head = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789abcdef0123456789abcdef\r\n", count: 2000)
        let outcome = try run(reply: Array(head.utf8))
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("has a head over 65536 bytes"))
    }

    @Test func aConnectionClosedAfterEveryReplyIsReopened() throws {
        let api = try TestRuntimeAPI()
        api.nextBehaviour = .serveAndClose
        let host = try HostProcess(handler: "libEcho.so", api: api)
        for i in 0..<3 { api.enqueue("close-\(i)", "event \(i)") }
        for i in 0..<3 { #expect(api.answer(to: "close-\(i)")?.text == "event \(i)") }
        _ = host
    }

    /// Randomly damaged replies (seeded, so a failure can be replayed): the host either
    /// answers the invocation once or exits with status 1. It never dies by a signal.
    @Test func randomlyDamagedRepliesNeverCrashTheHost() throws {
        var generator = SeededGenerator(seed: 0x5EED_1A3B)
        for round in 0..<40 {
            var reply = Self.valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<reply.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: reply[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: reply.remove(at: index)
                default: reply.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
                if reply.isEmpty { reply = [0] }
            }
            if Bool.random(using: &generator) { reply = Array(reply.prefix(Int.random(in: 0...reply.count, using: &generator))) }
            let outcome = try run(reply: reply)
            #expect(outcome.status == 1, "round \(round): \(String(decoding: reply, as: UTF8.self).debugDescription) → \(String(describing: outcome.status)) \(outcome.stderr)")
            let answers = outcome.api.received.filter { $0.method == "POST" && $0.path.contains("/invocation/") }
            #expect(answers.count <= 1, "round \(round)")
        }
    }
}

/// A small deterministic generator (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
