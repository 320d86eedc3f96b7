import Foundation
import Glibc

/// A Runtime API server for tests: real sockets on 127.0.0.1, one thread per connection.
///
/// It queues invocations for `GET /next`, records every answer, init error and extension
/// registration, and can misbehave on request (a 500, a malformed reply, a closed
/// connection), so tests drive the real `lambda-host` binary through every path.
final class TestRuntimeAPI: @unchecked Sendable {
    /// An invocation to hand out.
    struct Invocation {
        var requestID: String
        var body: [UInt8]
        var headers: [(String, String)] = []
        /// Send the body with `Transfer-Encoding: chunked`.
        var chunked = false
        /// Leave out the deadline header.
        var withoutDeadline = false
    }

    /// A request the server received.
    struct Request {
        var method: String
        var path: String
        var headers: [String: String]  // lower-cased names
        var body: [UInt8]
        /// Trailers of a chunked body (lower-cased names).
        var trailers: [String: String] = [:]
        /// When the first chunk of a chunked body arrived, and when the request was whole.
        var firstChunkAt: Date? = nil
        var completedAt = Date()
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// How the server answers `GET /next` once the queue is empty (or at once).
    enum NextBehaviour {
        case serve
        case status500
        case garbage
        case close
        /// These bytes, then close the connection.
        case raw([UInt8])
        /// Serve, and close the connection after every reply (`Connection: close`).
        case serveAndClose
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSCondition()
    private var queue: [Invocation] = []
    private var requests: [Request] = []
    private var stopped = false
    var nextBehaviour = NextBehaviour.serve
    /// Status for `/response` posts (default 202).
    var responseStatus = 202
    /// Whether `/error` posts get a reply at all; when false they are held unanswered.
    var repliesToErrors = true
    /// How a request outside the Runtime API is answered (status, JSON body), so that the
    /// same server stands in for a service a plugin calls; 404 by default. Set it before
    /// the first such request.
    var otherRequests: @Sendable (Request) -> (status: Int, body: String) = { _ in
        (404, #"{"errorMessage":"unknown path","errorType":"InvalidRequest"}"#)
    }

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// `AWS_LAMBDA_RUNTIME_API` for this server.
    var endpoint: String { "127.0.0.1:\(port)" }

    func stop() {
        lock.lock()
        stopped = true
        lock.broadcast()
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    // MARK: Test API

    func enqueue(_ invocation: Invocation) {
        lock.lock()
        queue.append(invocation)
        lock.broadcast()
        lock.unlock()
    }

    func enqueue(_ requestID: String, _ body: String, headers: [(String, String)] = []) {
        enqueue(Invocation(requestID: requestID, body: Array(body.utf8), headers: headers))
    }

    /// Waits for a request matching `predicate`.
    func waitFor(_ timeout: TimeInterval = 20, _ predicate: (Request) -> Bool) -> Request? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let found = requests.first(where: predicate) { return found }
            if !lock.wait(until: deadline) { return nil }
        }
    }

    /// Waits for the answer (response or error) to a request id.
    func answer(to requestID: String, timeout: TimeInterval = 20) -> Request? {
        waitFor(timeout) { $0.path.hasPrefix("/2018-06-01/runtime/invocation/\(requestID)/") }
    }

    /// Waits for an init error.
    func initError(timeout: TimeInterval = 20) -> Request? {
        waitFor(timeout) { $0.path == "/2018-06-01/runtime/init/error" }
    }

    /// Every request received so far.
    var received: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return requests
    }

    // MARK: Server

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var reader = RequestReader(fd: fd)
        while let request = reader.next() {
            lock.lock()
            requests.append(request)
            lock.broadcast()
            lock.unlock()
            guard respond(to: request, on: fd) else { return }
        }
    }

    /// Returns false to close the connection.
    private func respond(to request: Request, on fd: Int32) -> Bool {
        switch (request.method, request.path) {
        case ("GET", "/2018-06-01/runtime/invocation/next"):
            switch nextBehaviour {
            case .status500:
                return write(fd, status: 500, body: #"{"errorMessage":"boom","errorType":"ContainerError"}"#)
            case .garbage:
                _ = write(fd, raw: Array("NOT HTTP AT ALL\r\n\r\n".utf8))
                return true
            case .close:
                return false
            case .raw(let bytes):
                _ = write(fd, raw: bytes)
                return false
            case .serve, .serveAndClose:
                break
            }
            lock.lock()
            while queue.isEmpty && !stopped { lock.wait() }
            if stopped {
                lock.unlock()
                return false
            }
            let invocation = queue.removeFirst()
            lock.unlock()
            return write(fd, invocation: invocation) && !closing
        case ("POST", let path) where path.hasPrefix("/2018-06-01/runtime/invocation/"):
            if path.hasSuffix("/error") && !repliesToErrors {
                lock.lock()
                while !stopped { lock.wait() }
                lock.unlock()
                return false
            }
            let status = path.hasSuffix("/response") ? responseStatus : 202
            return write(fd, status: status, body: #"{"status":"OK"}"#) && !closing
        case ("POST", "/2018-06-01/runtime/init/error"):
            return write(fd, status: 202, body: #"{"status":"OK"}"#)
        case ("POST", "/2020-01-01/extension/register"):
            return write(fd, status: 200, body: "{}", headers: [("Lambda-Extension-Identifier", "ext-1")])
        case ("GET", "/2020-01-01/extension/event/next"):
            lock.lock()
            while !stopped { lock.wait() }
            lock.unlock()
            return false
        default:
            let (status, body) = otherRequests(request)
            return write(fd, status: status, body: body)
        }
    }

    private var closing: Bool {
        if case .serveAndClose = nextBehaviour { return true }
        return false
    }

    private func write(_ fd: Int32, invocation: Invocation) -> Bool {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if closing { head += "Connection: close\r\n" }
        head += "Lambda-Runtime-Aws-Request-Id: \(invocation.requestID)\r\n"
        if !invocation.withoutDeadline {
            head += "Lambda-Runtime-Deadline-Ms: \(Int64(Date().timeIntervalSince1970 * 1000) + 60_000)\r\n"
        }
        head += "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:test\r\n"
        for (name, value) in invocation.headers { head += "\(name): \(value)\r\n" }
        var bytes: [UInt8]
        if invocation.chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            bytes = Array(head.utf8)
            var offset = 0
            let chunk = invocation.body.count > 1 << 20 ? 64 * 1024 : 7
            while offset < invocation.body.count {
                let size = min(chunk, invocation.body.count - offset)
                bytes += Array("\(String(size, radix: 16))\r\n".utf8) + invocation.body[offset..<offset + size] + [13, 10]
                offset += size
            }
            bytes += Array("0\r\n\r\n".utf8)
        } else {
            head += "Content-Length: \(invocation.body.count)\r\n\r\n"
            bytes = Array(head.utf8) + invocation.body
        }
        return write(fd, raw: bytes)
    }

    private func write(_ fd: Int32, status: Int, body: String, headers: [(String, String)] = []) -> Bool {
        var head = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        if closing { head += "Connection: close\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return write(fd, raw: Array((head + "\r\n" + body).utf8))
    }

    private func write(_ fd: Int32, raw: [UInt8]) -> Bool {
        raw.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }
}

/// Reads HTTP/1.1 requests from a socket, with Content-Length or chunked bodies (also the
/// reader of ``CredentialsServer``).
struct RequestReader {
    let fd: Int32
    var buffer: [UInt8] = []

    mutating func next() -> TestRuntimeAPI.Request? {
        guard let headEnd = readUntilHeadEnd() else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let method = String(requestLine[0])
        let path = String(requestLine[1])
        buffer.removeFirst(headEnd + 4)
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return readChunked(method: method, path: path, headers: headers)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return .init(method: method, path: path, headers: headers, body: body)
    }

    /// A chunked body, its trailers, and when its first chunk came.
    private mutating func readChunked(method: String, path: String, headers: [String: String]) -> TestRuntimeAPI.Request? {
        var body: [UInt8] = []
        var firstChunkAt: Date?
        while true {
            guard let line = readLine(), let size = Int(line.split(separator: ";").first ?? "", radix: 16) else { return nil }
            if size == 0 { break }
            while buffer.count < size + 2 {
                guard fill() else { return nil }
            }
            if firstChunkAt == nil { firstChunkAt = Date() }
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
        }
        var trailers: [String: String] = [:]
        while let line = readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            trailers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return .init(method: method, path: path, headers: headers, body: body, trailers: trailers, firstChunkAt: firstChunkAt)
    }

    /// One CRLF-terminated line, without the CRLF.
    private mutating func readLine() -> String? {
        while true {
            if let index = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[0..<index], as: UTF8.self)
                buffer.removeFirst(index + 2)
                return line
            }
            guard fill() else { return nil }
        }
    }

    private mutating func readUntilHeadEnd() -> Int? {
        var searched = 0
        while true {
            if buffer.count >= 4 {
                for i in max(0, searched - 3)..<(buffer.count - 3)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    return i
                }
                searched = buffer.count
            }
            guard fill() else { return nil }
        }
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard got > 0 else { return false }
        buffer += chunk[0..<got]
        return true
    }
}
