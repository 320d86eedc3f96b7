import Foundation
import Testing

/// The Rust example plugin (`rust/examples/hello`, on the `lambda-plugin` crate), built by
/// the machine's cargo with `cargo build --offline --release` into a folder of the test's,
/// and run by the real host: as docs/languages.md recommends (no_std, `panic = "abort"`,
/// under 100 KB stripped) and with the crate's `std` feature (`panic = "unwind"`, panics
/// caught by `catch_unwind`).
@Suite(.enabled(if: Cargo.path != nil, "SKIPPED: no cargo on PATH or in ~/.cargo/bin (apt-get install cargo, or rustup; .ci/run installs it)"))
struct RustPluginTests {
    static var cargo: String? { Cargo.path }

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Builds the example into `BuildProducts.folder/rust-<name>` (its CARGO_TARGET_DIR)
    /// with `arguments` and `environment`, and returns the folder that holds libhello.so
    /// (the task root).
    static func build(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> String {
        guard let cargo else { throw BuildFailure(description: "no cargo") }
        let target = BuildProducts.folder.path + "/rust-" + name
        let manifest = BuildProducts.packageRoot.appendingPathComponent("rust/examples/hello/Cargo.toml").path
        // rustup's cargo finds rustc beside it; Debian's in /usr/bin.
        let path = (cargo as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = try runCommand(
            cargo, ["build", "--offline", "--release", "--manifest-path", manifest] + arguments,
            environment: environment.merging(["CARGO_TARGET_DIR": target, "PATH": path]) { $1 })
        guard run.status == 0 else { throw BuildFailure(description: "cargo build \(arguments) failed:\n\(run.stderr)") }
        return target + "/release"
    }

    /// The build docs/languages.md recommends: no_std, `panic = "abort"`, stripped.
    static let small: Result<String, Error> = Result { try build("small") }
    /// With the crate's `std` feature and `panic = "unwind"`, so that panics are caught.
    /// After `small`: both builds write the example's Cargo.lock, so they do not overlap.
    static let withStd: Result<String, Error> = Result {
        _ = small
        return try build("std", ["--features", "std"], environment: ["CARGO_PROFILE_RELEASE_PANIC": "unwind"])
    }

    func invoke(_ folder: String, _ event: String) throws -> CommandOutcome {
        try runCommand(BuildProducts.host, ["invoke", "--handler", folder + "/libhello.so", "--event", event])
    }

    /// The last line of stderr, the error document `invoke` prints.
    func errorDocument(_ outcome: CommandOutcome) -> [String: Any] {
        let line = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    @Test func theExampleAnswersAGreetingInBothBuilds() throws {
        for folder in [try Self.small.get(), try Self.withStd.get()] {
            let named = try invoke(folder, #"{"name":"Rust \"crab\""}"#)
            #expect(named.status == 0, "\(named.stderr)")
            #expect(named.stdout == #"{"message":"Hello, Rust \"crab\"!"}"#)
            #expect(try invoke(folder, "{}").stdout == #"{"message":"Hello, World!"}"#)
            let empty = try invoke(folder, #"{"name":""}"#)
            #expect(empty.status == 1)
            #expect(errorDocument(empty)["errorType"] as? String == "Hello.EmptyName", "\(empty.stderr)")
        }
    }

    @Test func theRecommendedBuildIsUnder100KBStripped() throws {
        let library = try Self.small.get() + "/libhello.so"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: library)[.size] as? Int)
        #expect(size < 100_000, "libhello.so is \(size) bytes")
        // Stripped: no symbol table beyond the dynamic one.
        let sections = try runCommand("/usr/bin/env", ["readelf", "-S", "-W", library]).stdout
        #expect(!sections.contains(".symtab"), "\(sections)")
        #expect(!sections.contains(".debug_"), "\(sections)")
    }

    /// Starts the host on the build in `folder`, sends it an event that panics, and returns
    /// the host, its Runtime API and the error's message, having checked that the error
    /// came as Rust.Panic.
    func panicked(in folder: String) throws -> (host: HostProcess, api: TestRuntimeAPI, message: String) {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libhello.so", api: api, taskRoot: folder)
        api.enqueue("panic-1", #"{"panic":"on purpose"}"#)
        let answer = try #require(api.answer(to: "panic-1"), "\(host.stderr)")
        #expect(answer.path.hasSuffix("/panic-1/error"), "\(answer.path)")
        let body = try #require(jsonObject(answer))
        #expect(body["errorType"] as? String == "Rust.Panic")
        return (host, api, body["errorMessage"] as? String ?? "")
    }

    @Test func aPanicInTheNoStdBuildIsAnsweredAsRustPanicThenTheProcessEnds() throws {
        let (host, api, message) = try panicked(in: try Self.small.get())
        #expect(message.hasPrefix("the handler panicked: asked to panic: on purpose (at src/lib.rs:"), "\(message)")
        // The panic handler aborts after answering: the crash guard posts nothing more.
        _ = host.waitForExit()
        #expect(host.terminationSignal == SIGABRT, "\(host.stderr)")
        #expect(api.received.filter { $0.path.contains("/panic-1/") }.count == 1)
    }

    @Test func aPanicInTheStdBuildIsCaughtAndTheSameProcessServesTheNextInvocation() throws {
        let (host, api, message) = try panicked(in: try Self.withStd.get())
        #expect(message == "the handler panicked: asked to panic: on purpose")
        api.enqueue("after-1", #"{"name":"again"}"#)
        let answered = try #require(api.answer(to: "after-1"), "\(host.stderr)")
        #expect(answered.path.hasSuffix("/after-1/response"))
        #expect(answered.text == #"{"message":"Hello, again!"}"#)
        #expect(host.terminationSignal == nil)
        host.terminate()
        _ = host.waitForExit()
    }
}

/// Where the machine's cargo is (kept apart from the suites, which name it in their traits).
enum Cargo {
    /// cargo on PATH, else in rustup's ~/.cargo/bin.
    static let path: String? = {
        let onPath = (try? runCommand("/bin/sh", ["-c", "command -v cargo"]))?.stdout
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !onPath.isEmpty { return onPath }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let rustup = home + "/.cargo/bin/cargo"
        return FileManager.default.isExecutableFile(atPath: rustup) ? rustup : nil
    }()
}
