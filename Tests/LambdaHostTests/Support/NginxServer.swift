import Foundation
import Glibc

/// A real nginx (Debian's nginx-light with the echo module, libnginx-mod-http-echo) on free
/// ports of 127.0.0.1, run as the current user from a temporary prefix that holds its
/// configuration, logs, pid and temp folders; stopped (SIGTERM, then reaped) when released.
/// A master and one worker, so one access log and one set of counters see every
/// connection. Not `master_process off`: a single nginx process never unblocks the signals
/// it inherits, and a test process's threads block SIGTERM, so it could not be stopped.
///
/// Listeners: ``port`` (plain HTTP) and ``tlsPort`` (TLS with ``TestCertificates/server``)
/// in one server; ``expiredPort``, ``otherHostPort`` and ``otherCAPort`` serve the same
/// locations with the certificates that must fail verification. Locations:
///
/// | path | reply |
/// | --- | --- |
/// | `/1k` | ``oneKiB`` with Content-Length (a static file: HEAD, ETag, ranges work) |
/// | `/chunked` | `first,second,third` in three chunks |
/// | `/delay?ms=N` | `slept` after N ms, headers included (nothing is sent before) |
/// | `/slow-body?ms=N` | `head,` at once, `tail` N ms later (chunked) |
/// | `/status/204`, `/status/304`, `/status/500` | that status (nginx closes the connection after a 500) |
/// | `/drop` | the connection closed without a reply byte (nginx's 444), after reading the request |
/// | `/echo`, and any path under it | the request's head as received (request line, headers) then its body; response headers `X-Seen-Host` and `X-Seen-Trace-Id` |
/// | `/big?bytes=N` | N bytes of `x`, chunked |
/// | `/big-file` | ``bigFileBytes`` zero bytes with Content-Length |
/// | `/aws/dynamodb/` | a DynamoDB GetItem answer, item `n1` whose string `title` is `target=…\|type=…\|date=…\|authorization=…` from the request's `X-Amz-Target`, `Content-Type`, `X-Amz-Date`, `Authorization` |
/// | `/aws/dynamodb-error/` | 400, DynamoDB's `ResourceNotFoundException` document, `x-amzn-RequestId: FIXTURE-DDB-2` |
/// | `/aws/s3-error/` and under | 404, S3's `NoSuchBucket` XML document (message with an `&amp;`), `RequestId` `FIXTURE-S3-1` |
/// | `/odd-headers` | `odd\n` with the headers of ``oddHeaders`` |
/// | `/nginx_status` | stub_status (not logged) |
///
/// Starting costs about 20 ms; a test that needs other keep-alive settings starts its own.
final class NginxServer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One line of the access log.
    struct LoggedRequest: Equatable {
        /// nginx's connection serial number: requests with the same one shared a connection.
        var connection: Int
        /// The request's position on its connection, from 1.
        var positionOnConnection: Int
        var method: String
        /// The path without the query.
        var path: String
        /// The status nginx logged (444 for `/drop`, 499 when the client left first).
        var status: Int
    }

    /// nginx's counters, less the connections and requests of this fixture's own reads.
    struct Counters {
        /// Open client connections (idle keep-alive ones included).
        var active: Int
        /// Connections accepted since start.
        var accepted: Int
        /// Requests served since start.
        var requests: Int
    }

    static let executable = "/usr/sbin/nginx"
    static let echoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

    /// The body of `/1k`: 1,024 bytes, "0123456789abcdef" 64 times.
    static let oneKiB: [UInt8] = Array(String(repeating: "0123456789abcdef", count: 64).utf8)

    /// The headers of `/odd-headers`, names and values as raw bytes: legal per RFC 9110
    /// but unusual (HTAB and runs of spaces inside a value, obs-text as UTF-8 and as a lone
    /// Latin-1 byte, every tchar in a name but `$` and `-`, a repeated name, quotes,
    /// commas, colons, a 4,000-byte value).
    static let oddHeaders: [(name: String, value: [UInt8])] = [
        ("X-Tab", Array("a\tb".utf8)),
        ("X-Spaces", Array("a   b".utf8)),
        ("X-Utf8", Array("café".utf8)),
        ("X-Latin1", Array("caf".utf8) + [0xE9]),
        ("X-Tchars!#%&'*+.^_`|~", Array("yes".utf8)),
        ("X-Dup", Array("one".utf8)),
        ("X-Dup", Array("two".utf8)),
        ("X-Quoted", Array("\"a, b\"; c=d".utf8)),
        ("X-Colons", Array("a:b::c".utf8)),
        ("x-lower", Array("v".utf8)),
        ("X-Long", Array(repeating: UInt8(ascii: "x"), count: 4000)),
    ]

    /// The temporary folder nginx runs in (removed when the server is released).
    let prefix: String
    /// Plain HTTP.
    let port: Int
    /// TLS with ``TestCertificates/server``, trusted through ``TestCertificates/caFile``.
    let tlsPort: Int
    /// TLS with ``TestCertificates/expired``, ``TestCertificates/otherHost`` and
    /// ``TestCertificates/otherCA``: each must fail verification.
    let expiredPort: Int, otherHostPort: Int, otherCAPort: Int
    let certificates: TestCertificates
    /// The size of `/big-file`.
    let bigFileBytes: Int
    private let nginx: Process
    private let lock = NSLock()
    /// Connections this fixture opened itself (readiness probes, counter reads), which
    /// ``counters()`` leaves out.
    private var ownConnections = 0
    /// Requests this fixture made itself (counter reads).
    private var ownRequests = 0

    /// Starts nginx and returns once every listener accepts connections.
    /// - Parameters:
    ///   - keepaliveTimeout: nginx's `keepalive_timeout`: how long an idle connection stays open.
    ///   - keepaliveRequests: how many requests one connection serves before nginx closes it.
    ///   - bigFileBytes: the size of `/big-file` (a sparse file: free to make).
    ///   - sslProtocols: nginx's `ssl_protocols`.
    init(
        keepaliveTimeout: String = "75s", keepaliveRequests: Int = 1000, bigFileBytes: Int = 16 << 20,
        sslProtocols: String = "TLSv1.2 TLSv1.3"
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable),
            FileManager.default.fileExists(atPath: Self.echoModule)
        else {
            throw Failure(description: "nginx tests need nginx-light and libnginx-mod-http-echo (apt-get install them; .ci/run does)")
        }
        certificates = try TestCertificates.shared
        self.bigFileBytes = bigFileBytes
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-nginx-\(UUID().uuidString)").path
        let files = FileManager.default
        try files.createDirectory(atPath: prefix + "/html/status", withIntermediateDirectories: true)
        try files.createDirectory(atPath: prefix + "/temp", withIntermediateDirectories: true)
        try Data(Self.oneKiB).write(to: URL(fileURLWithPath: prefix + "/html/1k"))
        guard files.createFile(atPath: prefix + "/html/big-file", contents: nil), truncate(prefix + "/html/big-file", off_t(bigFileBytes)) == 0
        else { throw Failure(description: "cannot make \(prefix)/html/big-file") }
        try Data(Self.oddHeadersConfig).write(to: URL(fileURLWithPath: prefix + "/odd-headers.conf"))

        let (nginx, ports, probes) = try Self.launch(
            prefix: prefix, certificates: certificates, keepaliveTimeout: keepaliveTimeout,
            keepaliveRequests: keepaliveRequests, sslProtocols: sslProtocols)
        self.nginx = nginx
        (port, tlsPort, expiredPort, otherHostPort, otherCAPort) = (ports[0], ports[1], ports[2], ports[3], ports[4])
        ownConnections = probes
    }

    deinit {
        Self.stop(nginx)
        try? FileManager.default.removeItem(atPath: prefix)
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `https://HOST:PORT` + `path`, on ``tlsPort`` unless another port is named.
    func tlsURL(_ path: String, host: String = "127.0.0.1", port: Int? = nil) -> String {
        "https://\(host):\(port ?? tlsPort)\(path)"
    }

    /// What nginx wrote to its error log so far.
    var errorLog: String { (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? "" }

    /// Connections accepted since start, not counting this fixture's own: each new
    /// connection a client opens adds one; a request on a kept-alive connection adds none.
    func acceptedConnections() throws -> Int { try counters().accepted }

    /// nginx's stub_status, read over a new connection with `Connection: close`, with this
    /// fixture's own connections (and the request of this read) taken out.
    func counters() throws -> Counters {
        lock.lock()
        ownConnections += 1
        ownRequests += 1
        let (connections, requests) = (ownConnections, ownRequests)
        lock.unlock()
        let reply = String(
            decoding: try Self.exchange(port: port, "GET /nginx_status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
            as: UTF8.self)
        // "Active connections: 1 \nserver accepts handled requests\n 12 12 12 \nReading: ..."
        let lines = reply.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let numbers = { (line: String) in line.split(separator: " ").compactMap { Int($0) } }
        guard let activeLine = lines.first(where: { $0.hasPrefix("Active connections:") }),
            let active = numbers(activeLine).first,
            let header = lines.firstIndex(of: "server accepts handled requests"), header + 1 < lines.count,
            case let totals = numbers(lines[header + 1]), totals.count == 3
        else { throw Failure(description: "unexpected stub_status reply: \(reply)") }
        return Counters(active: active - 1, accepted: totals[0] - connections, requests: totals[2] - requests)
    }

    /// The requests nginx finished, from its access log, optionally only those for `path`.
    /// A stub_status read first makes nginx's event loop pass every request whose reply
    /// the client already has, so their lines are written.
    func requests(path: String? = nil) -> [LoggedRequest] {
        _ = try? counters()
        let log = (try? String(contentsOfFile: prefix + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, let connection = Int(fields[0]), let position = Int(fields[1]), let status = Int(fields[4])
            else { return nil }
            let logged = LoggedRequest(
                connection: connection, positionOnConnection: position, method: String(fields[2]),
                path: String(fields[3].prefix { $0 != "?" }), status: status)
            return path == nil || logged.path == path ? logged : nil
        }
    }

    /// How many requests for `path` nginx finished (a POST seen once counts 1).
    func requestCount(path: String) -> Int { requests(path: path).count }

    /// Sends `request` on a new connection to 127.0.0.1:`port` and reads until the server
    /// closes (at most 10 s): the raw bytes of the reply.
    static func exchange(port: Int, _ request: String) throws -> [UInt8] {
        guard let fd = HTTPPost.connect(port: port) else { throw Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        defer { close(fd) }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw Failure(description: "cannot send to 127.0.0.1:\(port)")
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got == 0 { return reply }
            if got < 0 { throw Failure(description: "no end of reply from 127.0.0.1:\(port) (errno \(errno))") }
            reply += chunk[0..<got]
        }
    }

    /// Writes the configuration and starts nginx on free ports; returns it, its ports
    /// (plain, TLS, expired, other host, other CA) and how many probe connections it took.
    /// nginx binds the ports itself: when another process takes one between our probe and
    /// its bind, nginx exits with EADDRINUSE and starts again on other ports.
    private static func launch(
        prefix: String, certificates: TestCertificates, keepaliveTimeout: String, keepaliveRequests: Int,
        sslProtocols: String
    ) throws -> (Process, [Int], Int) {
        var lastError = ""
        for _ in 0..<5 {
            let ports = try freePorts(5)
            let text = config(
                prefix: prefix, ports: ports, certificates: certificates, keepaliveTimeout: keepaliveTimeout,
                keepaliveRequests: keepaliveRequests, sslProtocols: sslProtocols)
            try Data(text.utf8).write(to: URL(fileURLWithPath: prefix + "/nginx.conf"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log",
                "-g", "daemon off; pid \(prefix)/nginx.pid;",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if let probes = waitUntilListening(process, ports: ports) { return (process, ports, probes) }
            stop(process)
            lastError = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
            if !lastError.contains("Address already in use") { break }
        }
        try? FileManager.default.removeItem(atPath: prefix)
        throw Failure(description: "nginx did not start: \(lastError)")
    }

    /// `count` distinct ports that were free a moment ago (bound to port 0 together).
    private static func freePorts(_ count: Int) throws -> [Int] {
        let listeners = (0..<count).compactMap { _ in RawListener() }
        guard listeners.count == count else { throw Failure(description: "no free port on 127.0.0.1") }
        return listeners.map(\.port)
    }

    /// Waits (up to 20 s) until every port accepts a connection: the number of probe
    /// connections made, or nil when nginx exited or never listened.
    private static func waitUntilListening(_ process: Process, ports: [Int]) -> Int? {
        var probes = 0
        var pending = ports
        let ready = ProcessWatch.until(20) {
            guard process.isRunning else { return true }
            pending = pending.filter { port in
                guard let fd = HTTPPost.connect(port: port) else { return true }
                close(fd)
                probes += 1
                return false
            }
            return pending.isEmpty
        }
        return ready && process.isRunning && pending.isEmpty ? probes : nil
    }

    /// Stops nginx at once (SIGTERM: in-flight slow replies are cut) and reaps it.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !ProcessWatch.until(10, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// `add_header` lines for ``oddHeaders``, as bytes (a Swift string cannot hold 0xE9 alone).
    private static var oddHeadersConfig: [UInt8] {
        oddHeaders.flatMap { header in
            Array("add_header \"\(header.name)\" \"".utf8)
                + header.value.flatMap { byte -> [UInt8] in
                    switch byte {
                    case UInt8(ascii: "\t"): Array("\\t".utf8)
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): [UInt8(ascii: "\\"), byte]
                    default: [byte]
                    }
                } + Array("\";\n".utf8)
        }
    }
}
