import Foundation
import Testing

/// The coverage-guided fuzzers of Fuzz/ (docs/fuzzing.md), each for a bounded time: built
/// once with `scripts/fuzz.sh build`, then run from the repo's corpus (which they never
/// write) with `scripts/fuzz.sh run`. Each must end cleanly, with no crash and no broken
/// property, after a real number of executions; the figures are printed for the record.
///
/// `LAMBDA_HOST_FUZZ_SECONDS` sets the time per fuzzer (default 20); 0 skips them.
@Suite(.serialized, .enabled(if: fuzzSeconds > 0, "LAMBDA_HOST_FUZZ_SECONDS is 0"))
struct FuzzTests {
    static let script = BuildProducts.packageRoot.appendingPathComponent("scripts/fuzz.sh").path

    /// The fuzzers: one folder Fuzz/Sources/fuzz-<name> each.
    static let names: [String] = {
        let sources = BuildProducts.packageRoot.appendingPathComponent("Fuzz/Sources").path
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: sources)) ?? []
        return folders.filter { $0.hasPrefix("fuzz-") }.map { String($0.dropFirst(5)) }.sorted()
    }()

    /// The build, once for the suite, at low priority so that other suites keep their pace.
    static let build: Result<CommandOutcome, any Error> = {
        let start = Date()
        let outcome = Result { try runCommand("/usr/bin/nice", ["-n", "10", "bash", script, "build"]) }
        print("fuzz: scripts/fuzz.sh build took \(Int(Date().timeIntervalSince(start))) s")
        return outcome
    }()

    @Test func everyParserHasAFuzzer() {
        #expect(Self.names == ["elf", "handler", "json-event", "outbound-response", "outbound-url", "runtime-api", "signature", "zip"])
    }

    @Test(arguments: FuzzTests.names)
    func fuzzerRunsCleanly(name: String) throws {
        let built = try Self.build.get()
        try #require(built.status == 0, "scripts/fuzz.sh build failed:\n\(built.stderr.suffix(4000))")
        let out = try TemporaryFolder()
        let run = try runCommand(
            "/usr/bin/nice", ["-n", "10", "bash", Self.script, "run", name, String(fuzzSeconds)],
            environment: ["FUZZ_OUT": out.path])
        let findings = (try? FileManager.default.contentsOfDirectory(atPath: out.path + "/findings/" + name)) ?? []
        #expect(run.status == 0 && findings.isEmpty, "fuzz-\(name) failed (\(findings)):\n\(run.stderr.suffix(6000))")
        let stats = FuzzStats(run.stderr)
        let corpusFolder = BuildProducts.packageRoot.appendingPathComponent("Fuzz/Corpus/\(name)").path
        let corpus = (try? FileManager.default.contentsOfDirectory(atPath: corpusFolder)) ?? []
        print("fuzz-\(name): \(stats.executions) executions in \(stats.seconds) s (\(stats.rate)/s), cov \(stats.coverage), ft \(stats.features), \(stats.newUnits) new inputs over \(corpus.count) in the corpus")
        #expect(stats.executions >= 1000 && stats.executions > corpus.count, "fuzz-\(name) ran only \(stats.executions) inputs")
    }
}

/// The time each fuzzer runs, in seconds.
let fuzzSeconds = Int(ProcessInfo.processInfo.environment["LAMBDA_HOST_FUZZ_SECONDS"] ?? "") ?? 20

/// The figures libFuzzer prints at the end of a run (`-print_final_stats=1`).
struct FuzzStats {
    var executions = 0
    var rate = 0
    var newUnits = 0
    var seconds = 0
    var coverage = 0
    var features = 0

    init(_ log: String) {
        for line in log.split(separator: "\n") {
            let words = line.split(separator: " ")
            func value(after word: String) -> Int? {
                words.firstIndex(of: Substring(word)).flatMap { $0 + 1 < words.count ? Int(words[$0 + 1]) : nil }
            }
            if line.hasPrefix("stat::number_of_executed_units:") { executions = value(after: "stat::number_of_executed_units:") ?? 0 }
            if line.hasPrefix("stat::average_exec_per_sec:") { rate = value(after: "stat::average_exec_per_sec:") ?? 0 }
            if line.hasPrefix("stat::new_units_added:") { newUnits = value(after: "stat::new_units_added:") ?? 0 }
            if line.hasPrefix("Done ") { seconds = value(after: "in") ?? 0 }
            if line.contains("\tDONE ") {
                coverage = value(after: "cov:") ?? 0
                features = value(after: "ft:") ?? 0
            }
        }
    }
}
