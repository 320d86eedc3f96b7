import CLambdaOutbound
import Foundation
import Glibc
import LambdaOutbound
import Testing

/// The emitter against a real UDP socket standing in for the X-Ray daemon: what arrives,
/// what must not, and the daemon addresses it takes and refuses.
@Suite struct XRayEmitterTests {
    static let sampled = XRayTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    static let unsampled = XRayTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
    static let parentless = XRayTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")

    static func call(_ name: String, url: String = "https://dynamodb.us-east-1.amazonaws.com/") -> XRaySubsegment {
        XRaySubsegment(
            name: name, start: XRaySubsegment.now(), end: XRaySubsegment.now(), method: "POST", url: url, status: 200,
            aws: .init(operation: "GetItem", region: "us-east-1"))
    }

    static func isID(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.utf8.count == 16 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    @Test func sampledCallArrivesAsOneDaemonDatagram() throws {
        let daemon = try #require(UDPListener())
        let emitter = try XRayEmitter(daemonAddress: "127.0.0.1:\(daemon.port)")
        #expect(emitter.daemon == "127.0.0.1:\(daemon.port)")
        emitter.send(Self.call("DynamoDB"), trace: try #require(Self.sampled))
        let datagram = try #require(daemon.receive(withinMs: 5000))
        #expect(datagram.starts(with: Array("{\"format\": \"json\", \"version\": 1}\n".utf8)))
        let body = try XRaySubsegmentTests.split(datagram).body
        #expect(body["type"] as? String == "subsegment")
        #expect(body["trace_id"] as? String == "1-5759e988-bd862e3fe1be46a994272793")
        #expect(body["parent_id"] as? String == "53995c3f42cd8ad8")
        #expect(Self.isID(body["id"]))
        #expect(body["name"] as? String == "DynamoDB")
        #expect((body["aws"] as? [String: Any])?["operation"] as? String == "GetItem")
        #expect(emitter.statistics == XRayEmitter.Counts(sent: 1, failed: 0))
    }

    @Test func unsampledOrParentlessTracesSendNothing() throws {
        let daemon = try #require(UDPListener())
        let emitter = try XRayEmitter(daemonAddress: "127.0.0.1:\(daemon.port)")
        emitter.send(Self.call("unsampled"), trace: try #require(Self.unsampled))
        emitter.send(Self.call("parentless"), trace: try #require(Self.parentless))
        // A sampled marker after them: datagrams on loopback keep their order, so the first
        // to arrive is the marker's when the two before were not sent.
        emitter.send(Self.call("marker"), trace: try #require(Self.sampled))
        let first = try #require(daemon.receive(withinMs: 5000))
        #expect(try XRaySubsegmentTests.split(first).body["name"] as? String == "marker")
        #expect(emitter.statistics == XRayEmitter.Counts(sent: 1, failed: 0))
    }

    @Test func idsAreFreshForEveryCallFromEveryThread() throws {
        let daemon = try #require(UDPListener())
        let emitter = try XRayEmitter(daemonAddress: "udp:127.0.0.1:\(daemon.port) tcp:127.0.0.1:2000")
        let trace = try #require(Self.sampled)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for call in 0..<10 { emitter.send(Self.call("t\(thread)c\(call)"), trace: trace) }
        }
        var ids = Set<String>()
        var names = Set<String>()
        for _ in 0..<40 {
            let body = try XRaySubsegmentTests.split(try #require(daemon.receive(withinMs: 5000))).body
            #expect(Self.isID(body["id"]))
            ids.insert(body["id"] as? String ?? "")
            names.insert(body["name"] as? String ?? "")
        }
        #expect(ids.count == 40 && names.count == 40)
        #expect(emitter.statistics == XRayEmitter.Counts(sent: 40, failed: 0))
    }

    @Test func aFailedSendIsCountedAndTheNextOneGoes() throws {
        let daemon = try #require(UDPListener())
        let emitter = try XRayEmitter(daemonAddress: "127.0.0.1:\(daemon.port)")
        let trace = try #require(Self.sampled)
        // Over the 65,507 bytes a UDP datagram can carry: refused by the kernel (EMSGSIZE).
        emitter.send(Self.call("huge", url: "https://h/" + String(repeating: "a", count: 70_000)), trace: trace)
        #expect(emitter.statistics == XRayEmitter.Counts(sent: 0, failed: 1))
        emitter.send(Self.call("after"), trace: trace)
        let datagram = try #require(daemon.receive(withinMs: 5000))
        #expect(try XRaySubsegmentTests.split(datagram).body["name"] as? String == "after")
        #expect(emitter.statistics == XRayEmitter.Counts(sent: 1, failed: 1))
    }

    @Test func ipv6DaemonIsReached() throws {
        // Hosts without IPv6 loopback cannot run this one.
        guard let daemon = UDPListener(ipv6: true) else { return }
        let emitter = try XRayEmitter(daemonAddress: "tcp:[::1]:2000 udp:[::1]:\(daemon.port)")
        #expect(emitter.daemon == "[::1]:\(daemon.port)")
        emitter.send(Self.call("six"), trace: try #require(Self.sampled))
        let datagram = try #require(daemon.receive(withinMs: 5000))
        #expect(try XRaySubsegmentTests.split(datagram).body["name"] as? String == "six")
    }

    @Test(arguments: [
        ("127.0.0.1:2000", "127.0.0.1:2000"),
        ("  169.254.79.129:2000\t", "169.254.79.129:2000"),
        ("udp:127.0.0.1:2000 tcp:127.0.0.2:2001", "127.0.0.1:2000"),
        ("tcp:127.0.0.2:2001   udp:127.0.0.1:2000", "127.0.0.1:2000"),
        ("udp:10.0.0.1:65535", "10.0.0.1:65535"),
        ("[::1]:2000", "[::1]:2000"),
        ("[fe80::1:2]:2000", "[fe80::1:2]:2000"),
    ])
    func daemonAddressesInTheSDKsForms(value: String, daemon: String) throws {
        #expect(try XRayEmitter(daemonAddress: value).daemon == daemon)
    }

    @Test(arguments: [
        "localhost:2000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:20000000",
        "127.0.0.1:2000x", "127.0.0.01:2000", "127.0.0.1.5:2000", "::1:2000", "[::1]2000", "[::1]", "[127.0.0.1]:2000",
        "[::1%lo]:2000", "tcp:127.0.0.1:2000", "udp:127.0.0.1:2000 udp:127.0.0.1:2001", "127.0.0.1:2000 127.0.0.1:2001",
        "udp:127.0.0.1:2000 tcp:localhost:2000", "udp:127.0.0.1:2000 tcp:127.0.0.1:2000 x", "http://127.0.0.1:2000",
        "127.0.0.1:2000\u{0}", "", "   ",
    ])
    func unusableAddressesAreRefusedNamingTheVariable(value: String) {
        #expect {
            _ = try XRayEmitter(daemonAddress: value)
        } throws: { error in
            guard let error = error as? XRayError else { return false }
            return error.code == .invalidDaemonAddress && error.message.hasPrefix("AWS_XRAY_DAEMON_ADDRESS '")
                && error.message.contains("e.g. 127.0.0.1:2000")
        }
    }

    @Test func environmentTurnsTracingOnOnlyWhenSet() throws {
        #expect(try XRayEmitter.fromEnvironment { _ in nil } == nil)
        #expect(try XRayEmitter.fromEnvironment { _ in " " } == nil)
        let emitter = try XRayEmitter.fromEnvironment { $0 == "AWS_XRAY_DAEMON_ADDRESS" ? "169.254.79.129:2000" : nil }
        #expect(emitter?.daemon == "169.254.79.129:2000")
        #expect(throws: XRayError.self) { try XRayEmitter.fromEnvironment { _ in "xray-daemon:2000" } }
    }
}
