import Foundation
import Testing

/// The nginx fixture and the test CA that the outbound HTTP tests run against, checked
/// with a raw socket client and with curl: if these fail, a failure elsewhere says nothing
/// about the host.
@Suite struct NginxFixtureTests {
    /// Runs /usr/bin/curl without ~/.curlrc or a proxy, printing "STATUS BYTES".
    func curl(_ arguments: [String]) throws -> CommandOutcome {
        try runCommand(
            "/usr/bin/curl", ["-q", "--noproxy", "*", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}"] + arguments)
    }

    @Test func plainGetReturnsTheKibibyteWithContentLength() throws {
        let nginx = try NginxServer()
        let connection = try #require(RawHTTP(port: nginx.port, timeout: 10))
        connection.request("GET", "/1k")
        let reply = try #require(connection.reply())
        #expect(reply.status == 200)
        #expect(reply.headers["content-length"] == "1024")
        #expect(reply.body == NginxServer.oneKiB)
    }

    @Test func tlsGetVerifiesWithTheTestCA() throws {
        let nginx = try NginxServer()
        let ca = try TestCertificates.shared.caFile
        for host in ["127.0.0.1", "localhost"] {
            let run = try curl(["--cacert", ca, nginx.tlsURL("/1k", host: host)])
            #expect(run.status == 0, "\(host): \(run.stderr)")
            #expect(run.stdout == "200 1024")
        }
        // With the system's bundle instead of the test CA, the server is unknown.
        let untrusted = try curl(["--cacert", "/etc/ssl/certs/ca-certificates.crt", nginx.tlsURL("/1k")])
        #expect(untrusted.status == 60, "\(untrusted.stderr)")
    }

    @Test(arguments: [
        ("expired", "certificate has expired"),
        ("other host", "no alternative certificate subject name matches target host name '127.0.0.1'"),
        ("other CA", "unable to get local issuer certificate"),
    ])
    func badCertificatesFailVerification(kind: String, reason: String) throws {
        let nginx = try NginxServer()
        let port = kind == "expired" ? nginx.expiredPort : kind == "other host" ? nginx.otherHostPort : nginx.otherCAPort
        let url = nginx.tlsURL("/1k", port: port)
        let verified = try curl(["--cacert", try TestCertificates.shared.caFile, url])
        #expect(verified.status == 60, "curl exit for \(kind)")
        #expect(verified.stderr.contains(reason), "\(verified.stderr)")
        // The same server without verification answers: only the certificate is wrong.
        let unverified = try curl(["--insecure", url])
        #expect(unverified.stdout == "200 1024", "\(unverified.stderr)")
    }

    @Test func acceptCountRisesPerNewConnectionAndNotForReuse() throws {
        let nginx = try NginxServer()
        #expect(try nginx.acceptedConnections() == 0)
        let first = try #require(RawHTTP(port: nginx.port, timeout: 10))
        first.request("GET", "/1k")
        #expect(first.reply()?.status == 200)
        #expect(try nginx.acceptedConnections() == 1)
        first.request("GET", "/1k")
        #expect(first.reply()?.status == 200)
        #expect(try nginx.acceptedConnections() == 1)
        let second = try #require(RawHTTP(port: nginx.port, timeout: 10))
        second.request("GET", "/1k")
        #expect(second.reply()?.status == 200)
        #expect(try nginx.acceptedConnections() == 2)
        #expect(try nginx.counters().active == 2)
        #expect(try nginx.counters().requests == 3)
        // A TLS connection counts too.
        let tls = try curl(["--cacert", try TestCertificates.shared.caFile, nginx.tlsURL("/1k")])
        #expect(tls.stdout == "200 1024")
        #expect(try nginx.acceptedConnections() == 3)
        let logged = nginx.requests(path: "/1k")
        #expect(logged.map(\.positionOnConnection) == [1, 2, 1, 1])
        #expect(Set(logged.map(\.connection)).count == 3)
    }

    @Test func idleConnectionIsClosedAfterTheKeepaliveTimeout() throws {
        let nginx = try NginxServer(keepaliveTimeout: "1s")
        let connection = try #require(RawHTTP(port: nginx.port, timeout: 10))
        connection.request("GET", "/1k")
        #expect(connection.reply()?.status == 200)
        let idleSince = Date()
        // Reads block until the server's EOF (or the 10 s read deadline: then it fails).
        #expect(connection.closedByPeer())
        let idle = Date().timeIntervalSince(idleSince)
        #expect(idle > 0.8 && idle < 5, "closed after \(idle) s")
    }

    @Test func keepaliveRequestsEndsTheConnection() throws {
        let nginx = try NginxServer(keepaliveRequests: 2)
        let connection = try #require(RawHTTP(port: nginx.port, timeout: 10))
        connection.request("GET", "/1k")
        #expect(connection.reply()?.headers["connection"] == "keep-alive")
        connection.request("GET", "/1k")
        #expect(connection.reply()?.headers["connection"] == "close")
        #expect(connection.closedByPeer())
    }

    @Test func locationsAnswerAsDocumented() throws {
        let nginx = try NginxServer(bigFileBytes: 3 << 20)
        let connection = try #require(RawHTTP(port: nginx.port, timeout: 10))
        connection.request("GET", "/chunked")
        let chunked = try #require(connection.reply())
        #expect(chunked.headers["transfer-encoding"] == "chunked")
        #expect(chunked.text == "first,second,third")
        for status in [204, 304] {
            connection.request("GET", "/status/\(status)")
            #expect(connection.reply()?.status == status)
        }
        connection.request("GET", "/big?bytes=100000")
        let big = try #require(connection.reply())
        #expect(big.body.count == 100_000 && big.headers["transfer-encoding"] == "chunked")
        connection.request("GET", "/big-file")
        let bigFile = try #require(connection.reply())
        #expect(bigFile.body.count == 3 << 20 && bigFile.headers["content-length"] == "\(3 << 20)")
        let start = Date()
        connection.request("GET", "/delay?ms=300")
        #expect(connection.reply()?.text == "slept")
        #expect(Date().timeIntervalSince(start) >= 0.3)

        let head = String(decoding: try NginxServer.exchange(port: nginx.port, "HEAD /1k HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200") && head.contains("Content-Length: 1024\r\n") && head.hasSuffix("\r\n\r\n"))
        // nginx closes the connection after a 500.
        let failed = try NginxServer.exchange(port: nginx.port, "GET /status/500 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(String(decoding: failed, as: UTF8.self).hasPrefix("HTTP/1.1 500 "))
        // /drop reads the request, then closes without a byte.
        #expect(try NginxServer.exchange(port: nginx.port, "POST /drop HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").isEmpty)
        #expect(nginx.requests(path: "/drop").map(\.status) == [444])
    }

    @Test func echoShowsTheRequestAsSentAndTheLogCountsIt() throws {
        let nginx = try NginxServer()
        let connection = try #require(RawHTTP(port: nginx.port, timeout: 10))
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        for body in ["first", "second"] {
            connection.request("POST", "/echo", body: Array(body.utf8), headers: [("X-Amzn-Trace-Id", trace)])
            let reply = try #require(connection.reply())
            #expect(reply.text.hasPrefix("POST /echo HTTP/1.1\r\nHost: x\r\n"))
            #expect(reply.text.contains("\r\nX-Amzn-Trace-Id: \(trace)\r\n"))
            #expect(reply.text.hasSuffix("\r\n\r\n" + body))
            #expect(reply.headers["x-seen-trace-id"] == trace)
            #expect(reply.headers["x-seen-host"] == "x")
        }
        connection.request("GET", "/echo")
        #expect(connection.reply()?.headers["x-seen-trace-id"] == nil)
        #expect(nginx.requestCount(path: "/echo") == 3)
        #expect(nginx.requests(path: "/echo").map(\.method) == ["POST", "POST", "GET"])
    }

    @Test func oddHeadersArriveByteForByte() throws {
        let nginx = try NginxServer()
        let reply = try NginxServer.exchange(port: nginx.port, "GET /odd-headers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        for header in NginxServer.oddHeaders {
            let line = Array("\r\n\(header.name): ".utf8) + header.value + Array("\r\n".utf8)
            #expect(reply.firstRange(of: line) != nil, "\(header.name)")
        }
        #expect(reply.suffix(4) == Array("odd\n".utf8))
    }
}
