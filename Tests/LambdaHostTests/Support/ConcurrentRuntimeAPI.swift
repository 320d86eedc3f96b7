import Foundation
import Glibc

/// The concurrent Runtime API of `Tests/Fixtures/concurrent-runtime-api.py`, started by a
/// test: one invocation per payload, handed out to concurrent `GET /next` callers, answers
/// matched by id, and a report of what happened (see the script's header).
final class ConcurrentRuntimeAPI {
    struct Invocation {
        var id: String
        var payload: String
        var handedOutMs: Int
        var answeredMs: Int?
        var kind: String?
        var body: String?
        var errorType: String?
    }

    struct Report {
        var invocations: [Invocation]
        var maxInFlight: Int
        /// The bodies of the init errors posted.
        var initErrors: [String]
        var unknownAnswers: Int
        /// One client port per `GET /next`: how many Runtime API connections asked.
        var nextPorts: [Int]
        /// `GET /next` calls answered 500 (the payload "!500").
        var nextErrors: Int
        var answered: [Invocation] { invocations.filter { $0.answeredMs != nil } }
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    private let process = Process()
    let port: Int
    var endpoint: String { "127.0.0.1:\(port)" }

    init(payloads: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BuildProducts.fixture("concurrent-runtime-api.py")] + payloads
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // The first line is "port N"; the script prints it once it listens.
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { line.append(byte) }
        guard let port = String(decoding: line, as: UTF8.self).split(separator: " ").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw StartFailure(description: "concurrent-runtime-api.py printed no port: '\(String(decoding: line, as: UTF8.self))'")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the test process may run with SIGTERM blocked, and its children inherit that.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// What the server has seen so far, or nil when it does not answer.
    func report() -> Report? {
        guard let connection = RawHTTP(port: port, timeout: 10), connection.request("GET", "/report"),
            let reply = connection.reply(), reply.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        else { return nil }
        let invocations = (object["invocations"] as? [[String: Any]] ?? []).map { entry in
            Invocation(
                id: entry["id"] as? String ?? "", payload: entry["payload"] as? String ?? "",
                handedOutMs: entry["handed_out_ms"] as? Int ?? 0, answeredMs: entry["answered_ms"] as? Int,
                kind: entry["kind"] as? String, body: entry["body"] as? String, errorType: entry["error_type"] as? String)
        }
        return Report(
            invocations: invocations, maxInFlight: object["max_in_flight"] as? Int ?? 0,
            initErrors: (object["init_errors"] as? [[String: Any]] ?? []).map { $0["body"] as? String ?? "" }, unknownAnswers: object["unknown_answers"] as? Int ?? 0,
            nextPorts: object["next_ports"] as? [Int] ?? [], nextErrors: object["next_errors"] as? Int ?? 0)
    }

    /// Waits until the report satisfies `condition`; returns the last report read.
    func waitFor(_ seconds: Double = 30, _ condition: (Report) -> Bool) -> Report? {
        var last: Report?
        _ = ProcessWatch.until(seconds) {
            last = report()
            return last.map(condition) ?? false
        }
        return last
    }
}

extension ProcessWatch {
    /// The processes whose parent is `pid`.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid && fields[0] != "Z"
        }
    }

    /// How many threads `pid` runs.
    static func threads(of pid: pid_t) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
    }
}
