import Foundation
import Testing

/// The EMF documents a real host wrote, read from its log and checked against the spec:
/// each line is validated with `jsonschema` against `Tests/Fixtures/emf/emf-schema.json`
/// and the spec's rules a schema cannot say (`validate_emf.py`).
enum MetricsDocuments {
    /// The EMF lines (stdout, collected with stderr) of `host` so far.
    static func lines(_ host: HostProcess) -> [String] {
        host.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{\"_aws\"") }
    }

    /// Waits until `host` wrote `count` EMF lines; returns them validated and parsed.
    static func wait(for host: HostProcess, count: Int) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(20)
        while lines(host).count < count && Date() < deadline { usleep(5_000) }
        return try parsed(lines(host), expected: count, log: host.stderr)
    }

    /// Validates `lines` (exactly `expected` of them) and parses them.
    static func parsed(_ lines: [String], expected: Int, log: String) throws -> [[String: Any]] {
        try #require(lines.count == expected, "\(lines.count) EMF lines, not \(expected): \(log)")
        try validate(lines)
        return try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Runs the validator on `lines`; fails the test with what it printed.
    static func validate(_ lines: [String]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("emf-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try runCommand(
            "/usr/bin/env",
            ["python3", BuildProducts.fixture("emf/validate_emf.py"), BuildProducts.fixture("emf/emf-schema.json"), file.path])
        #expect(outcome.status == 0, "validate_emf.py: \(outcome.stdout)\(outcome.stderr)")
    }

    /// A metric's values in an aggregate document (an array of numbers).
    static func array(_ document: [String: Any], _ name: String) -> [Double] {
        (document[name] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
    }
}
