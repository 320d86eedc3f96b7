import Foundation
import Glibc
import Testing

/// The host's outbound HTTP (ABI 1.2) end to end: the real `lambda-host` binary, real
/// plugins (`libFetch.so`, the `HTTPProbe` fixture) and a real nginx on loopback started
/// by the test. nginx's own counters prove what crossed the wire.
@Suite(.serialized) struct OutboundHTTPTests {
    /// A host running `plugin` against its own test Runtime API.
    final class Runtime {
        let api: TestRuntimeAPI
        let host: HostProcess
        private var next = 0

        init(_ plugin: String = "libHTTPProbe.so", environment: [String: String] = [:]) throws {
            api = try TestRuntimeAPI()
            var settings = environment
            if settings["SSL_CERT_FILE"] == nil { settings["SSL_CERT_FILE"] = try TestCertificates.shared.caFile }
            host = try HostProcess(handler: plugin, api: api, environment: settings)
        }

        /// Invokes once with `event` (and extra Runtime API headers); returns the answer.
        func invoke(_ event: String, headers: [(String, String)] = [], withoutDeadline: Bool = false) throws -> TestRuntimeAPI.Request {
            next += 1
            let id = "out-\(next)"
            api.enqueue(TestRuntimeAPI.Invocation(requestID: id, body: Array(event.utf8), headers: headers, withoutDeadline: withoutDeadline))
            return try #require(api.answer(to: id, timeout: 30), "no answer to \(id); stderr: \(host.stderr)")
        }

        /// The HTTPProbe's answer, split: "rc=… status=…" line, error line, headers, body.
        func probe(_ event: String, headers: [(String, String)] = [], withoutDeadline: Bool = false) throws -> ProbeAnswer {
            let answer = try invoke(event, headers: headers, withoutDeadline: withoutDeadline)
            #expect(answer.path.hasSuffix("/response"), "\(answer.text)")
            return ProbeAnswer(answer.text)
        }
    }

    struct ProbeAnswer {
        var rc = 0, status = 0, bytes = 0
        var error = ""
        var headers: [(String, String)] = []
        var body = ""

        init(_ text: String) {
            var lines = text.components(separatedBy: "\n")
            let first = lines.isEmpty ? "" : lines.removeFirst()
            for field in first.split(separator: " ") {
                let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, let value = Int(pair[1]) else { continue }
                switch pair[0] {
                case "rc": rc = value
                case "status": status = value
                case "bytes": bytes = value
                default: break
                }
            }
            if !lines.isEmpty { error = String(lines.removeFirst().dropFirst("error=".count)) }
            while !lines.isEmpty {
                let line = lines.removeFirst()
                if line.isEmpty { break }
                let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
                headers.append((parts[0], parts.count > 1 ? String(parts[1].dropFirst()) : ""))
            }
            body = lines.joined(separator: "\n")
        }

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    static let notSent = -6, failed = -7, invalid = -3

    @Test func aThousandInvocationsShareThePoolsConnections() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime("libFetch.so")
        let before = try nginx.acceptedConnections()
        for _ in 0..<1_000 {
            let answer = try runtime.invoke(#"{"url": "\#(nginx.url("/1k"))"}"#)
            #expect(answer.text == #"{"status": 200, "bytes": 1024}"#)
            if answer.text != #"{"status": 200, "bytes": 1024}"# { break }
        }
        let opened = try nginx.acceptedConnections() - before
        // One invocation at a time: one connection serves them all (the pool allows 4).
        #expect(opened >= 1 && opened <= 4, "opened \(opened)")
        #expect(nginx.requestCount(path: "/1k") == 1_000)
    }

    @Test func anIdleConnectionTheServerClosedIsReplacedUnseen() throws {
        let nginx = try NginxServer(keepaliveTimeout: "1s")
        let runtime = try Runtime()
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
        // Wait for nginx to close the idle connection (a condition, not a sleep).
        let deadline = Date().addingTimeInterval(10)
        while try nginx.counters().active > 0, Date() < deadline { usleep(20_000) }
        #expect(try nginx.counters().active == 0)
        let again = try runtime.probe("GET \(nginx.url("/1k"))")
        #expect(again.rc == 0 && again.status == 200, "\(again.error)")
        #expect(nginx.requests(path: "/1k").count == 2)
        // The two requests came on two connections.
        #expect(Set(nginx.requests(path: "/1k").map(\.connection)).count == 2)
    }

    @Test func aPostWhoseConnectionDiesAfterSendingFailsAndIsNotRepeated() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)  // a connection to reuse
        let post = try runtime.probe("POST \(nginx.url("/drop"))\nContent-Type: text/plain\n\nhello")
        #expect(post.rc == Self.failed, "\(post.error)")
        #expect(post.error.contains("POST \(nginx.url("/drop")): the server closed the connection"), "\(post.error)")
        #expect(nginx.requestCount(path: "/drop") == 1)
        // A GET on a reused connection is replayable: sent once more on a new connection.
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
        let get = try runtime.probe("GET \(nginx.url("/drop"))")
        #expect(get.rc == Self.failed)
        #expect(nginx.requestCount(path: "/drop") == 3)
    }

    @Test func aDeadlineShorterThanTheServersDelayEndsTheCall() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        let started = Date()
        let answer = try runtime.probe("GET \(nginx.url("/delay?ms=3000"))\n300 0\n")
        let took = Date().timeIntervalSince(started)
        #expect(answer.rc == Self.failed, "\(answer.error)")
        #expect(answer.error.contains("before the deadline"), "\(answer.error)")
        #expect(took < 2.5, "took \(took) s")
        // The invocation's own deadline bounds a call with no timeout of its own.
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 400
        let bounded = try runtime.probe(
            "GET \(nginx.url("/delay?ms=3000"))", headers: [("Lambda-Runtime-Deadline-Ms", "\(deadline)")], withoutDeadline: true)
        #expect(bounded.rc == Self.failed, "\(bounded.error)")
        #expect(Int64(Date().timeIntervalSince1970 * 1000) < deadline + 2_000)
    }

    @Test func responsesAreFramedTheWayTheServerSentThem() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime(environment: ["LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES": "100000"])
        let chunked = try runtime.probe("GET \(nginx.url("/chunked"))")
        #expect(chunked.status == 200 && chunked.body == "first,second,third", "\(chunked)")
        #expect(chunked.header("Transfer-Encoding") == "chunked")
        let length = try runtime.probe("GET \(nginx.url("/1k"))")
        #expect(length.bytes == 1024 && length.header("Content-Length") == "1024")
        let head = try runtime.probe("HEAD \(nginx.url("/1k"))")
        #expect(head.status == 200 && head.bytes == 0 && head.header("Content-Length") == "1024")
        #expect(try runtime.probe("GET \(nginx.url("/status/204"))").status == 204)
        let notModified = try runtime.probe("GET \(nginx.url("/status/304"))")
        #expect(notModified.status == 304 && notModified.bytes == 0)
        #expect(try runtime.probe("GET \(nginx.url("/status/500"))").status == 500)
        let big = try runtime.probe("GET \(nginx.url("/big?bytes=200000"))")
        #expect(big.rc == Self.failed && big.error.contains("100000"), "\(big.error)")
        // The pool goes on after each of these.
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
    }

    @Test func headersWithOddButLegalBytesArriveIntact() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        let answer = try runtime.invoke("GET \(nginx.url("/odd-headers"))")
        #expect(answer.text.hasPrefix("rc=0 status=200"), "\(answer.text)")
        for (name, value) in NginxServer.oddHeaders {
            let line = Array("\(name): ".utf8) + value + [10]
            #expect(answer.body.firstRange(of: line) != nil, "missing \(name)")
        }
    }

    @Test func requestsCarryTheInvocationsTraceHeaderUnlessTheyOptOut() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        let traced = try runtime.probe("POST \(nginx.url("/echo"))\nX-Custom: yes\n\nthe body", headers: [("Lambda-Runtime-Trace-Id", trace)])
        #expect(traced.status == 200)
        #expect(traced.body.contains("X-Amzn-Trace-Id: \(trace)"), "\(traced.body)")
        #expect(traced.body.contains("X-Custom: yes"))
        #expect(traced.body.contains("Host: 127.0.0.1:\(nginx.port)"))
        #expect(traced.body.hasSuffix("the body"))
        let optedOut = try runtime.probe("GET \(nginx.url("/echo"))\n0 1\n", headers: [("Lambda-Runtime-Trace-Id", trace)])
        #expect(!optedOut.body.contains("X-Amzn-Trace-Id"), "\(optedOut.body)")
    }

    @Test func aCallWithAnInvocationThatIsOverIsRefused() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        #expect(try runtime.invoke("late-start \(nginx.url("/1k"))").text == "started")
        let late = try runtime.invoke("late-release").text
        #expect(late.hasPrefix("late rc=-3 error=the invocation is over"), "\(late)")
        #expect(nginx.requestCount(path: "/1k") == 0)
        let twice = try runtime.invoke("twice \(nginx.url("/1k")) \(nginx.url("/chunked"))").text
        #expect(twice == "first rc=0 bytes=1024; second rc=0 bytes=18", "\(twice)")
    }

    @Test(arguments: 1...11)
    func aMalformedRequestIsRefusedAndLoggedAndTheHostGoesOn(kind: Int) throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        let answer = try runtime.invoke("malformed \(kind)")
        if kind == 11 {
            // A NULL request: the plugin returns the code, so the host reports the failure.
            #expect(answer.path.hasSuffix("/error"))
        } else {
            #expect(answer.text.hasPrefix("rc=-3 status=0"), "\(answer.text)")
        }
        #expect(runtime.host.waitForLog("http_request() was refused (LAMBDA_E_INVALID)"), "\(runtime.host.stderr)")
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
    }

    @Test func aBodySizeLargerThanTheBodyIsRefusedWithoutCrashingTheHost() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        // body_size SIZE_MAX/2: over the 1 GiB limit (and never added to the head's size,
        // which would trap on the overflow).
        let huge = try runtime.invoke("malformed 12 \(nginx.url("/1k"))")
        #expect(huge.text.hasPrefix("rc=-3 status=0"), "\(huge.text) \(runtime.host.stderr)")
        #expect(huge.text.contains("at most 1073741824 bytes"), "\(huge.text)")
        // 8 KiB over 4 KiB of memory: the kernel copies the body and says where it ends.
        for url in [nginx.url("/echo"), nginx.tlsURL("/echo")] {
            let short = try runtime.invoke("malformed 13 \(url)")
            #expect(short.path.hasSuffix("/response"), "\(short.text) \(runtime.host.stderr)")
            #expect(short.text.hasPrefix("rc=-3 status=0"), "\(short.text)")
            #expect(short.text.contains("request.body is not readable"), "\(short.text)")
        }
        #expect(nginx.requestCount(path: "/echo") == 0)
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
    }
}

/// A name server that never answers: the call still ends at its deadline. The host runs in
/// a mount namespace of its own whose /etc/resolv.conf names a UDP socket of the test's
/// that reads nothing (needs `unshare` and root, as on CI and this machine; skipped, saying
/// so, elsewhere).
@Suite struct OutboundResolverTests {
    static let canIsolate: Bool = {
        guard getuid() == 0, let outcome = try? runCommand("/usr/bin/unshare", ["-m", "true"]) else { return false }
        return outcome.status == 0
    }()

    @Test(.enabled(if: canIsolate, "needs unshare -m and root to give the host its own /etc/resolv.conf"))
    func aNameServerThatNeverAnswersCannotHoldACallPastItsDeadline() throws {
        // A UDP socket on 127.0.0.2:53 that is never read: queries go unanswered.
        let silent = socket(AF_INET, 2, 0)  // 2: SOCK_DGRAM, which the Glibc overlay does not always import by name
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(53).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.2")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0, "cannot bind 127.0.0.2:53 (errno \(errno))")
        guard bound == 0 else { return }
        let temporary = try TemporaryFolder()
        defer { withExtendedLifetime(temporary) {} }
        let folder = temporary.path
        try "nameserver 127.0.0.2\noptions timeout:5 attempts:2\n".write(toFile: folder + "/resolv.conf", atomically: true, encoding: .utf8)
        let event = "GET http://stalled.example.test/1k\n800 0\n"
        let started = Date()
        let run = try runCommand(
            "/usr/bin/unshare",
            [
                "-m", "/bin/sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$1\" invoke --handler \"$2\" --event \"$3\"",
                folder + "/resolv.conf", BuildProducts.host, BuildProducts.plugin("HTTPProbe"), event,
            ])
        let took = Date().timeIntervalSince(started)
        #expect(run.stdout.hasPrefix("rc=-6 status=0"), "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("stalled.example.test: the name did not resolve before the deadline"), "\(run.stdout)")
        // 800 ms for the call, plus the emulator's and the host's start; glibc alone would take 10 s.
        #expect(took < 4, "took \(took) s")
    }
}
