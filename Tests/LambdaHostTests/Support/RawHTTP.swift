import Foundation
import Glibc

/// One HTTP/1.1 connection over a real socket, for tests that need what `HTTPPost` does
/// not give: a reply read without the server closing (Content-Length or chunked, with its
/// trailers), informational replies, raw bytes, and a read deadline so that a server that
/// never answers fails the test instead of hanging it.
final class RawHTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]  // lower-cased names
        var body: [UInt8]
        var trailers: [String: String] = [:]  // lower-cased names
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; each read waits at most `timeout` seconds.
    init?(port: Int, timeout: Int = 30) {
        guard let fd = HTTPPost.connect(port: port) else { return nil }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends bytes; false when the peer is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends a request with a Content-Length body.
    @discardableResult
    func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [(String, String)] = []) -> Bool {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return send(Array((head + "\r\n").utf8) + body)
    }

    /// Reads until `count` bytes are buffered; false at end of stream or timeout.
    private func fill(_ count: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.count < count {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { return false }
            buffer += chunk[0..<got]
        }
        return true
    }

    /// Reads one line (without CRLF); nil at end of stream or timeout.
    private func line() -> String? {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 1)
                return text.hasSuffix("\r") ? String(text.dropLast()) : text
            }
            let before = buffer.count
            if !fill(before + 1) { return nil }
        }
    }

    private func fields() -> [String: String]? {
        var result: [String: String] = [:]
        while let line = line() {
            if line.isEmpty { return result }
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Reads the next reply (an informational one too); nil if none came whole in time.
    func reply() -> Reply? {
        guard let status = line()?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
            let headers = fields()
        else { return nil }
        var reply = Reply(status: status, headers: headers, body: [])
        // Informational, 204 and 304 replies end with their head (RFC 9112, 6.3).
        if status < 200 || status == 204 || status == 304 { return reply }
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                guard let size = line().flatMap({ Int($0.split(separator: ";").first ?? "", radix: 16) }) else { return nil }
                if size == 0 { break }
                guard fill(size + 2) else { return nil }
                reply.body += buffer[..<size]
                buffer.removeFirst(size + 2)
            }
            guard let trailers = fields() else { return nil }
            reply.trailers = trailers
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard fill(length) else { return nil }
            reply.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            while fill(buffer.count + 1) {}
            reply.body = buffer
            buffer.removeAll()
        }
        return reply
    }

    /// The indices of `connections` with bytes to read (or closed) within `waitingMs`.
    static func readable(_ connections: [RawHTTP], waitingMs: Int32) -> [Int] {
        var fds = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        guard poll(&fds, nfds_t(fds.count), waitingMs) > 0 else { return [] }
        return fds.indices.filter { fds[$0].revents != 0 }
    }

    /// Whether the peer closed the connection within `timeout` seconds (reads and drops
    /// whatever comes first).
    func closedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got == 0 { return true }
            if got < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }
}
