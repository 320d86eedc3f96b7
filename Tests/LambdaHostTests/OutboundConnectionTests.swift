import CLambdaOutbound
import Foundation
import LambdaOutbound
import Glibc
import Testing

/// CLambdaOutbound's C API against real peers: sockets of the test's own and nginx
/// (``NginxServer``) over TLS with certificates of the test CA (``TestCertificates``, whose
/// ``TestCertificates/bundleFile`` of the system's CAs and the test CA is this process's
/// trust store: the library reads `SSL_CERT_FILE` once per process, and making the
/// certificates sets it).
@Suite struct OutboundConnectionTests {
    /// What one lh_conn_open answered.
    struct Opened {
        var connection: OpaquePointer?
        var error: Int32
        var message: String
    }

    /// The NUL-terminated message a call wrote into `buffer`.
    func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func resolve(_ host: String, _ port: UInt16) throws -> lh_addresses {
        var addresses = lh_addresses()
        var message = [CChar](repeating: 0, count: 256)
        let code = lh_resolve(host, port, lh_monotonic_ms() + 5_000, &addresses, &message, message.count)
        try #require(code == Int32(LH_NET_OK), "\(host): \(text(message))")
        return addresses
    }

    func open(_ host: String, _ port: UInt16, tls: String?, within milliseconds: Int64 = 5000) throws -> Opened {
        var addresses = try resolve(host, port)
        var error: Int32 = -1
        var message = [CChar](repeating: 0, count: 512)
        let connection = lh_conn_open(&addresses, tls, port, lh_monotonic_ms() + milliseconds, &error, &message, message.count)
        return Opened(connection: connection, error: error, message: text(message))
    }

    /// Sends a GET for `/1k` and reads until nginx's whole reply (``NginxServer/oneKiB``) is in.
    func get(_ connection: OpaquePointer?) -> String {
        let request = Array("GET /1k HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        let end = "\r\n\r\n" + String(decoding: NginxServer.oneKiB, as: UTF8.self)
        var error: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let deadline = lh_monotonic_ms() + 5000
        guard lh_conn_write(connection, request, request.count, deadline, &error, &message, message.count) == request.count
        else { return "write failed: \(text(message))" }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: reply, as: UTF8.self).hasSuffix(end) {
            let got = lh_conn_read(connection, &buffer, buffer.count, deadline, &error, &message, message.count)
            if got <= 0 { return "read ended (\(got)): \(text(message))" }
            reply += buffer[0..<got]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    @Test func aPortWithNoListenerIsRefused() throws {
        // Bound but not listening: the port stays ours and refuses connections.
        let bound = try #require(RawListener(backlog: nil))
        let port = UInt16(bound.port)
        let opened = try open("127.0.0.1", port, tls: nil)
        #expect(opened.connection == nil)
        #expect(opened.error == Int32(LH_NET_REFUSED))
        #expect(opened.message.contains("127.0.0.1:\(port)") && opened.message.contains("refused"), "\(opened.message)")
    }

    @Test func anUnresolvableNameIsADNSFailure() {
        var addresses = lh_addresses()
        var message = [CChar](repeating: 0, count: 256)
        let code = lh_resolve("nonexistent.invalid", 443, lh_monotonic_ms() + 5_000, &addresses, &message, message.count)
        #expect(code == Int32(LH_NET_DNS))
        #expect(addresses.count == 0)
        #expect(text(message).hasPrefix("nonexistent.invalid: "), "\(text(message))")
    }

    @Test func aReadEndsAtItsDeadlineWhenThePeerSaysNothing() throws {
        // The kernel completes the connection from the listen backlog; nobody ever writes.
        let listener = try #require(RawListener())
        let opened = try open("127.0.0.1", UInt16(listener.port), tls: nil)
        let connection = try #require(opened.connection, "\(opened.message)")
        defer { lh_conn_close(connection) }
        var buffer = [UInt8](repeating: 0, count: 64)
        var error: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let start = lh_monotonic_ms()
        let got = lh_conn_read(connection, &buffer, buffer.count, start + 300, &error, &message, message.count)
        let waited = lh_monotonic_ms() - start
        #expect(got == -1)
        #expect(error == Int32(LH_NET_TIMEOUT), "\(text(message))")
        #expect(waited >= 300 && waited < 1300, "waited \(waited) ms for a 300 ms deadline")
    }

    @Test func aDeadFirstAddressLeavesTimeForTheNextOne() throws {
        // A listener whose accept queue is full drops new SYNs: a connect to it hangs, as
        // one to a dead host does. Its backlog is 0 and one connection fills it.
        let dead = try #require(RawListener(backlog: 0))
        var address = dead.address
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let deadPort = UInt16(dead.port)
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<2 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = connect(filler, $0, length) }
            }
            fillers.append(filler)
        }
        let live = try #require(RawListener())
        var addresses = try resolve("127.0.0.1", deadPort)
        let second = try resolve("127.0.0.1", UInt16(live.port))
        addresses.address.1 = second.address.0
        addresses.length.1 = second.length.0
        addresses.count = 2
        var error: Int32 = -1
        var message = [CChar](repeating: 0, count: 512)
        let start = lh_monotonic_ms()
        let connection = lh_conn_open(&addresses, nil, UInt16(live.port), start + 3000, &error, &message, message.count)
        let waited = lh_monotonic_ms() - start
        defer { lh_conn_close(connection) }
        #expect(connection != nil, "the live second address was not reached: \(text(message))")
        #expect(waited >= 1500 && waited < 2900, "waited \(waited) ms: the dead address should get 2 s of the 3 s")
    }

    @Test func originsCalledOnceDoNotKeepLaterOnesOutOfThePool() throws {
        // 65 origins: the first 64 fill the process-wide idle cap; the 65th must still be
        // pooled (the oldest idle connection gives way) and reused by its next request.
        let listeners = (0...64).compactMap { _ in RawListener() }
        try #require(listeners.count == 65)
        let pool = ConnectionPool(configuration: OutboundConfiguration())
        let origins = listeners.map { Origin(scheme: .http, host: "127.0.0.1", port: UInt16($0.port)) }
        for origin in origins {
            let (connection, _) = try pool.checkOut(origin, deadline: lh_monotonic_ms() + 5000)
            pool.checkIn(connection, to: origin)
        }
        let last = try #require(origins.last)
        let (connection, reused) = try pool.checkOut(last, deadline: lh_monotonic_ms() + 5000)
        pool.checkIn(connection, to: last)
        #expect(reused, "the 65th origin's idle connection was closed instead of pooled")
        #expect(pool.statistics.opened == 65)
        // One of the first 64 (the oldest, to the millisecond) gave way.
        #expect(pool.statistics.discarded == 1)
    }

    @Test func aTLSHandshakeEndsAtItsDeadlineWhenThePeerSaysNothing() throws {
        _ = try TestCertificates.shared
        let listener = try #require(RawListener())
        let start = lh_monotonic_ms()
        let opened = try open("127.0.0.1", UInt16(listener.port), tls: "localhost", within: 300)
        let waited = lh_monotonic_ms() - start
        #expect(opened.connection == nil)
        #expect(opened.error == Int32(LH_NET_TIMEOUT), "\(opened.message)")
        #expect(waited >= 300 && waited < 1300, "waited \(waited) ms for a 300 ms deadline")
    }

    /// Each bad certificate, the name the client asks for, and the reason OpenSSL gives.
    static let refusedCertificates: [(String, String, String)] = [
        ("expired", "localhost", "certificate has expired"),
        ("otherHost", "localhost", "hostname mismatch: the certificate's names do not match"),
        ("otherHost", "127.0.0.1", "IP address mismatch: the certificate's addresses do not match"),
        ("otherCA", "localhost", "unable to get local issuer certificate"),
    ]

    @Test(arguments: refusedCertificates)
    func aCertificateThatFailsVerificationIsNotSent(leaf: String, host: String, reason: String) throws {
        let server = try NginxServer()
        let port = ["expired": server.expiredPort, "otherHost": server.otherHostPort, "otherCA": server.otherCAPort][leaf]
        let opened = try open("127.0.0.1", UInt16(try #require(port)), tls: host)
        #expect(opened.connection == nil)
        #expect(opened.error == Int32(LH_NET_TLS_VERIFY), "\(opened.message)")
        #expect(opened.message.contains(reason), "\(opened.message)")
        #expect(opened.message.contains("127.0.0.1:"), "the message names the address: \(opened.message)")
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func aGoodCertificateCarriesARequestAndTheNextConnectionResumes(host: String) throws {
        let ca = try TestCertificates.shared
        let server = try NginxServer()
        let first = try open(host, UInt16(server.tlsPort), tls: host)
        let connection = try #require(first.connection, "\(first.message)")
        #expect(lh_conn_is_tls(connection) == 1)
        #expect(lh_conn_resumed(connection) == 0)
        #expect(get(connection).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(lh_conn_idle_usable(connection) == 1)
        lh_conn_close(connection)
        #expect(lh_tls_loaded() == 1)
        #expect(lh_tls_ca_file().map { String(cString: $0) } == ca.bundleFile)

        let second = try open(host, UInt16(server.tlsPort), tls: host)
        let again = try #require(second.connection, "\(second.message)")
        defer { lh_conn_close(again) }
        #expect(lh_conn_resumed(again) == 1)
        #expect(get(again).hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    /// The test CA is the last of ~140 certificates, found through the subject index, and only
    /// the certificates chains asked for were parsed.
    @Test func theTrustedCAIsFoundLazilyAmongTheWholeBundle() throws {
        let ca = try TestCertificates.shared
        let server = try NginxServer()
        let opened = try open("127.0.0.1", UInt16(server.tlsPort), tls: "localhost")
        let connection = try #require(opened.connection, "\(opened.message)")
        defer { lh_conn_close(connection) }
        #expect(get(connection).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(lh_tls_trust_indexed() == Int32(ca.bundleCount), "every certificate of the bundle is indexed")
        let parsed = lh_tls_trust_parsed()
        #expect(parsed >= 1 && parsed < 10, "parsed \(parsed) of \(ca.bundleCount) certificates")
    }

    @Test func aPlainConnectionCarriesARequestAndIsNotTLS() throws {
        let server = try NginxServer()
        let opened = try open("127.0.0.1", UInt16(server.port), tls: nil)
        let connection = try #require(opened.connection, "\(opened.message)")
        defer { lh_conn_close(connection) }
        #expect(lh_conn_is_tls(connection) == 0)
        #expect(lh_conn_resumed(connection) == 0)
        #expect(get(connection).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(lh_conn_idle_usable(connection) == 1)
    }

    @Test func anIdleTLSConnectionThatGotSessionTicketsStaysUsable() throws {
        _ = try TestCertificates.shared
        let server = try NginxServer()
        let opened = try open("127.0.0.1", UInt16(server.tlsPort), tls: "127.0.0.1")
        let idle = try #require(opened.connection, "\(opened.message)")
        defer { lh_conn_close(idle) }
        // Nothing is read on `idle`: only its idle checks can take in the TLS 1.3 tickets
        // nginx sends after the handshake. A later connection that resumes proves they
        // were taken in (the other connections here never read, so they keep none).
        var resumed = false
        let sawTickets = ProcessWatch.until(10) {
            guard lh_conn_idle_usable(idle) == 1, let probe = try? open("127.0.0.1", UInt16(server.tlsPort), tls: "127.0.0.1")
            else { return false }
            resumed = lh_conn_resumed(probe.connection) == 1
            lh_conn_close(probe.connection)
            return resumed
        }
        #expect(sawTickets, "no connection resumed a ticket of the idle one")
        #expect(lh_conn_idle_usable(idle) == 1)
        #expect(get(idle).hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test func aConnectionTheServerClosedIsNotUsableAndWritingToItIsAReset() throws {
        _ = try TestCertificates.shared
        let server = try NginxServer(keepaliveTimeout: "200ms")
        for (port, tls) in [(UInt16(server.tlsPort), Optional("127.0.0.1")), (UInt16(server.port), nil)] {
            let opened = try open("127.0.0.1", port, tls: tls)
            let connection = try #require(opened.connection, "\(opened.message)")
            defer { lh_conn_close(connection) }
            #expect(get(connection).hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(lh_conn_idle_usable(connection) == 1)
            #expect(ProcessWatch.until(10) { lh_conn_idle_usable(connection) == 0 }, "nginx's keep-alive timeout passed")
            let (error, signals) = SigpipeWatch.count { writeUntilFailure(connection) }
            #expect(error == Int32(LH_NET_RESET), "tls: \(tls ?? "no")")
            #expect(signals == 0, "SIGPIPE reached the writing thread")
        }
    }

    @Test func writingToAPeerThatResetIsAResetWithoutSIGPIPE() throws {
        let listener = try #require(RawListener())
        let opened = try open("127.0.0.1", UInt16(listener.port), tls: nil)
        let connection = try #require(opened.connection, "\(opened.message)")
        defer { lh_conn_close(connection) }
        let accepted = accept(listener.fd, nil, nil)
        try #require(accepted >= 0)
        // Linger 0: close sends a reset at once.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(accepted, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(accepted)
        let (error, signals) = SigpipeWatch.count { writeUntilFailure(connection) }
        #expect(error == Int32(LH_NET_RESET))
        #expect(signals == 0)
    }

    /// Writes until a write fails (the first may still be accepted by the kernel before
    /// the peer's reset comes back); the failure's code, or LH_NET_OK if none failed.
    func writeUntilFailure(_ connection: OpaquePointer?) -> Int32 {
        let bytes = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        var error: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        for _ in 0..<100 {
            let written = lh_conn_write(connection, bytes, bytes.count, lh_monotonic_ms() + 2000, &error, &message, message.count)
            if written < bytes.count { return error }
        }
        return Int32(LH_NET_OK)
    }
}

/// Counts the SIGPIPEs delivered to the calling thread while `body` runs. The handler,
/// installed once and never removed, counts only signals on the watched thread, so other
/// tests' threads are unaffected (for them a handler behaves as SIG_IGN would: EPIPE).
enum SigpipeWatch {
    nonisolated(unsafe) static var watched: pthread_t = 0
    nonisolated(unsafe) static var delivered: Int32 = 0
    static let lock = NSLock()
    static let installed: Bool = {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if pthread_equal(pthread_self(), SigpipeWatch.watched) != 0 { SigpipeWatch.delivered += 1 }
        }
        return sigaction(SIGPIPE, &action, nil) == 0
    }()

    static func count<T>(_ body: () -> T) -> (T, Int32) {
        lock.lock()
        defer { lock.unlock() }
        _ = installed
        watched = pthread_self()
        delivered = 0
        let result = body()
        watched = 0
        return (result, delivered)
    }
}
