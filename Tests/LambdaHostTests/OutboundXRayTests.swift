import Foundation
import Testing

/// X-Ray subsegments of outbound calls, end to end: the real host and `libFetch.so`
/// calling a real nginx, with a UDP socket of the test as the X-Ray daemon
/// (`AWS_XRAY_DAEMON_ADDRESS`). The AWS fields are checked in `AWSCallTests` against moto.
@Suite(.serialized) struct OutboundXRayTests {
    static let root = "1-5759e988-bd862e3fe1be46a994272793"
    static let parent = "53995c3f42cd8ad8"

    static func trace(sampled: Bool) -> [(String, String)] {
        [("Lambda-Runtime-Trace-Id", "Root=\(root);Parent=\(parent);Sampled=\(sampled ? 1 : 0)")]
    }

    /// The datagram's header line and its JSON document.
    static func document(_ datagram: [UInt8]) throws -> [String: Any] {
        let text = String(decoding: datagram, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1).map(String.init)
        #expect(parts.first == #"{"format": "json", "version": 1}"#)
        let json = try JSONSerialization.jsonObject(with: Data((parts.count > 1 ? parts[1] : "").utf8))
        return try #require(json as? [String: Any])
    }

    @Test func aSampledInvocationsCallsAreSubsegmentsAndUnsampledOnesAreNot() throws {
        let nginx = try NginxServer()
        let daemon = try #require(UDPListener())
        let runtime = try OutboundHTTPTests.Runtime("libFetch.so", environment: ["AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:\(daemon.port)"])
        // Unsampled first: the first datagram to arrive must be the sampled call's.
        _ = try runtime.invoke(#"{"url": "\#(nginx.url("/1k"))"}"#, headers: Self.trace(sampled: false))
        _ = try runtime.invoke(#"{"url": "\#(nginx.url("/status/500"))?token=hidden"}"#, headers: Self.trace(sampled: true))
        let served = try Self.document(try #require(daemon.receive(withinMs: 10_000), "no subsegment arrived"))
        #expect(served["type"] as? String == "subsegment")
        #expect(served["trace_id"] as? String == Self.root)
        #expect(served["parent_id"] as? String == Self.parent)
        #expect((served["id"] as? String)?.count == 16)
        #expect(served["name"] as? String == "127.0.0.1")
        #expect(served["namespace"] as? String == "remote")
        #expect(served["fault"] as? Bool == true)
        let http = try #require(served["http"] as? [String: Any])
        let request = try #require(http["request"] as? [String: Any])
        #expect(request["method"] as? String == "GET")
        // The URL is redacted: the query is cut.
        #expect(request["url"] as? String == nginx.url("/status/500") + "?…")
        #expect((try #require(http["response"] as? [String: Any]))["status"] as? Int == 500)
        let start = try #require(served["start_time"] as? Double), end = try #require(served["end_time"] as? Double)
        #expect(start <= end && end - start < 30 && abs(Date().timeIntervalSince1970 - end) < 60)

        // A call that gets no response: a fault with its cause, and no response status.
        _ = try runtime.invoke(#"{"url": "http://127.0.0.1:9/"}"#, headers: Self.trace(sampled: true))
        let refused = try Self.document(try #require(daemon.receive(withinMs: 10_000), "no subsegment for the refused call"))
        #expect(refused["fault"] as? Bool == true)
        #expect((refused["http"] as? [String: Any])?["response"] == nil)
        let cause = try #require(refused["cause"] as? [String: Any])
        let message = (cause["exceptions"] as? [[String: Any]])?.first?["message"] as? String
        #expect(message?.contains("not sent") == true, "\(String(describing: message))")
    }

    @Test func anUnusableDaemonAddressIsAWarningAndCallsStillWork() throws {
        let nginx = try NginxServer()
        let runtime = try OutboundHTTPTests.Runtime("libFetch.so", environment: ["AWS_XRAY_DAEMON_ADDRESS": "xray-daemon:2000"])
        let answer = try runtime.invoke(#"{"url": "\#(nginx.url("/1k"))"}"#, headers: Self.trace(sampled: true))
        #expect(answer.text == #"{"status": 200, "bytes": 1024}"#)
        #expect(runtime.host.waitForLog("AWS_XRAY_DAEMON_ADDRESS", timeout: 10), "\(runtime.host.stderr)")
    }
}
