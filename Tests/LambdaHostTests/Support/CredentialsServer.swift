import Foundation
import Glibc

/// The container-credentials endpoint as Lambda (and ECS) serve it, on a real socket of
/// 127.0.0.1 in the test process: `GET <path>` with the header `Authorization: <token>`
/// (the value of `AWS_CONTAINER_AUTHORIZATION_TOKEN`) answers the credentials as JSON,
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (the fields botocore's
/// ContainerProvider reads; Expiration in ISO 8601 UTC). A missing or wrong token gets 403,
/// another path 404, another method 405.
///
/// The n-th authorised request gets `answers[n-1]` (the last one repeats), so a test can
/// serve credentials that expire soon and then fresh ones; a `.status` answer fails that
/// request instead. Every request is recorded. Connections are kept alive; each has a
/// thread. Released, it stops listening and closes its connections.
final class CredentialsServer: @unchecked Sendable, CustomStringConvertible {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One set of temporary credentials. Its `description` shows none of the values.
    struct Credentials: CustomStringConvertible {
        var accessKeyId: String
        var secretAccessKey: String
        var token: String
        var expiration: Date

        /// The JSON body Lambda's endpoint answers.
        var json: String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
            let fields = [
                ("AccessKeyId", accessKeyId), ("SecretAccessKey", secretAccessKey), ("Token", token),
                ("Expiration", formatter.string(from: expiration)),
            ]
            return "{" + fields.map { #""\#($0.0)":"\#(Self.escaped($0.1))""# }.joined(separator: ",") + "}"
        }

        var description: String { "Credentials(expiring \(expiration), values hidden)" }

        private static func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
    }

    /// What the n-th authorised request gets.
    enum Answer {
        case credentials(Credentials)
        /// This status with a JSON error body (a failing endpoint).
        case status(Int)
    }

    /// A request as received. `authorization` is a secret too: compare it, never print it.
    struct Request {
        var method: String
        var path: String
        var authorization: String?
        var headers: [String: String]  // lower-cased names
        var at: Date
    }

    let port: Int
    /// The path that serves credentials.
    let path: String
    /// The token `Authorization` must carry.
    let token: String
    private let state: State

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` for this server.
    var url: String { "http://127.0.0.1:\(port)\(path)" }
    var description: String { "CredentialsServer(\(url), \(state.snapshot().requests.count) requests, token hidden)" }

    /// The variables that point a function at this server.
    var environment: [String: String] {
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": token]
    }

    /// Starts listening on a free port of 127.0.0.1.
    init(token: String, path: String = "/credentials", answers: [Answer]) throws {
        guard !answers.isEmpty else { throw Failure(description: "a CredentialsServer needs at least one answer") }
        guard let listener = RawListener(backlog: 64) else { throw Failure(description: "no free port on 127.0.0.1") }
        self.port = listener.port
        self.path = path
        self.token = token
        state = State(listener: listener, answers: answers)
        let (state, token) = (state, token)
        // The threads hold the state (and so the listener), not self: releasing the server
        // shuts the sockets down, which ends the threads, and the last one closes them.
        Thread.detachNewThread {
            while true {
                let client = accept(state.listener.fd, nil, nil)
                if client < 0 { return }
                guard state.open(client) else {
                    close(client)
                    return
                }
                Thread.detachNewThread { Self.serve(client, path: path, token: token, state: state) }
            }
        }
    }

    deinit { state.closeAll() }

    /// The next authorised requests get `answers` in order (the last one repeats).
    func setAnswers(_ answers: [Answer]) { state.setAnswers(answers) }

    /// Every request so far.
    var requests: [Request] { state.snapshot().requests }

    /// How many requests carried the right token (and so got an answer from the list).
    var authorisedCount: Int { state.snapshot().served }

    /// Waits (up to `timeout` seconds) until `count` requests came; the requests then.
    func waitForRequests(_ count: Int, timeout: Double = 20) -> [Request] {
        _ = ProcessWatch.until(timeout) { state.snapshot().requests.count >= count }
        return requests
    }

    private static func serve(_ fd: Int32, path: String, token: String, state: State) {
        defer { state.close(fd) }
        var reader = RequestReader(fd: fd)
        while let request = reader.next() {
            let authorization = request.headers["authorization"]
            let target = String(request.path.prefix { $0 != "?" })
            let (status, body): (Int, String)
            if target != path {
                (status, body) = (404, #"{"message":"no such path"}"#)
            } else if request.method != "GET" {
                (status, body) = (405, #"{"message":"method not allowed"}"#)
            } else if authorization != token {
                (status, body) = (403, #"{"message":"Authorization header is missing or wrong"}"#)
            } else {
                switch state.nextAnswer() {
                case .credentials(let credentials): (status, body) = (200, credentials.json)
                case .status(let code): (status, body) = (code, #"{"message":"failing on purpose"}"#)
                }
            }
            // Recorded before the reply goes out, so a client that has its answer sees it.
            state.record(
                Request(method: request.method, path: request.path, authorization: authorization, headers: request.headers, at: Date()))
            let reply = Array(
                "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            var offset = 0
            while offset < reply.count {
                let sent = reply[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
            }
            if request.headers["connection"]?.lowercased() == "close" { return }
        }
    }

    /// The listener, the answers, the count served and the record, shared by the threads.
    private final class State: @unchecked Sendable {
        let listener: RawListener
        private let lock = NSLock()
        private var answers: [Answer]
        private var served = 0
        /// `served` when the answers were last set.
        private var base = 0
        private var requests: [Request] = []
        private var connections: Set<Int32> = []
        private var stopped = false

        init(listener: RawListener, answers: [Answer]) {
            self.listener = listener
            self.answers = answers
        }

        func setAnswers(_ new: [Answer]) {
            lock.lock()
            if !new.isEmpty { (answers, base) = (new, served) }
            lock.unlock()
        }

        /// The answer of the next authorised request.
        func nextAnswer() -> Answer {
            lock.lock()
            defer { lock.unlock() }
            served += 1
            return answers[min(served - base, answers.count) - 1]
        }

        func record(_ request: Request) {
            lock.lock()
            requests.append(request)
            lock.unlock()
        }

        func snapshot() -> (requests: [Request], served: Int) {
            lock.lock()
            defer { lock.unlock() }
            return (requests, served)
        }

        /// Tracks a new connection; false once the server is released.
        func open(_ fd: Int32) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if stopped { return false }
            connections.insert(fd)
            return true
        }

        func close(_ fd: Int32) {
            lock.lock()
            connections.remove(fd)
            Glibc.close(fd)
            lock.unlock()
        }

        /// Wakes the accepting thread and every connection thread (their calls fail), so
        /// each ends and closes its socket.
        func closeAll() {
            lock.lock()
            stopped = true
            shutdown(listener.fd, Int32(SHUT_RDWR))
            for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
            lock.unlock()
        }
    }
}
