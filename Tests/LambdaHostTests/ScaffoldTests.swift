import Foundation
import LambdaRuntimeAPI
import Testing

/// `lambda-host new` and `lambda-host build`, run as a user types them: each language's
/// template is created in a folder outside the repository, built in release mode by the
/// machine's own make, cargo and swift, and its `.so` invoked through the real emulator.
@Suite struct ScaffoldTests {
    /// The repository that holds this file (the package under test).
    static var repository: String { BuildProducts.packageRoot.path }

    /// What the commands run with: the headers' cache in the test's folder, and a PATH that
    /// has this package's Swift toolchain and the machine's cargo.
    static func environment(cache: String) -> [String: String] {
        var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if let bin = Toolchain.bin { path = bin + ":" + path }
        if let cargo = Cargo.path { path += ":" + (cargo as NSString).deletingLastPathComponent }
        return ["XDG_CACHE_HOME": cache, "PATH": path]
    }

    /// Runs `lambda-host arguments` in `folder`.
    static func lambdaHost(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> CommandOutcome {
        try runCommand(BuildProducts.host, arguments, environment: environment, in: folder)
    }

    /// `new --lang language`, `build`, then `invoke` with `{}` and `{"name":"Ada"}`, in a
    /// new temporary folder; returns the built plugin's path and the build's seconds.
    @discardableResult
    func createBuildAndInvoke(
        _ language: String, name: String, extra: [String] = [], in work: TemporaryFolder
    ) throws -> (plugin: String, seconds: Double) {
        let environment = Self.environment(cache: work.path + "/cache")
        let created = try Self.lambdaHost(["new", "--lang", language, "--name", name] + extra + ["function"], in: work.path, environment: environment)
        try #require(created.status == 0, "\(created.stdout)\n\(created.stderr)")
        let readme = try String(contentsOfFile: work.path + "/function/README.md", encoding: .utf8)
        #expect(readme.contains("lambda-host build ."), "\(readme)")
        #expect(readme.contains("lambda-host invoke --handler "), "\(readme)")
        #expect(readme.contains("lambda-host package function --plugin "), "\(readme)")

        let started = Date()
        let built = try Self.lambdaHost(["build", "function"], in: work.path, environment: environment)
        let seconds = Date().timeIntervalSince(started)
        try #require(built.status == 0, "\(built.stdout)\n\(built.stderr)")
        let plugin = try #require(built.stdout.split(separator: "\n").last.map(String.init))
        #expect(plugin.hasPrefix("/") && plugin.hasSuffix("/lib\(name).so"), "\(built.stdout)")
        // Nothing but the path on stdout: the build's own output went to stderr.
        #expect(built.stdout == plugin + "\n", "\(built.stdout)")
        print("ScaffoldTests: \(language) built in \(String(format: "%.1f", seconds)) s, \(try size(of: plugin)) bytes")

        let anonymous = try Self.lambdaHost(["invoke", "--handler", plugin, "--event", "{}"], in: work.path)
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
        #expect(anonymous.stdout == #"{"message":"Hello from \#(name)!"}"#, "\(anonymous.stderr)")
        let named = try Self.lambdaHost(["invoke", "--handler", plugin, "--event", #"{"name":"Ada"}"#], in: work.path)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout == #"{"message":"Hello, Ada!"}"#, "\(named.stderr)")
        // The README's own invoke line, relative to the function's folder.
        let relative = try Self.lambdaHost(
            ["invoke", "--handler", String(plugin.dropFirst(work.path.count + "/function/".count)), "--event", "{}"],
            in: work.path + "/function")
        #expect(relative.stdout == anonymous.stdout, "\(relative.stderr)")
        return (plugin, seconds)
    }

    func size(of path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    @Test func theCTemplateBuildsWithMakeAndGreets() throws {
        let work = try TemporaryFolder()
        let (plugin, _) = try createBuildAndInvoke("c", name: "hello", in: work)
        // Stripped, as the Makefile asks.
        let sections = try runCommand("/usr/bin/env", ["readelf", "-S", "-W", plugin]).stdout
        #expect(!sections.contains(".symtab"), "\(sections)")
    }

    @Test(.enabled(if: FixtureCompiler.hasCXX, "SKIPPED: no c++ on PATH (apt-get install g++; .ci/run installs it)"))
    func theCxxTemplateBuildsWithMakeAndGreets() throws {
        try createBuildAndInvoke("cpp", name: "hello_cpp", in: try TemporaryFolder())
    }

    @Test(.enabled(if: Cargo.path != nil, "SKIPPED: no cargo on PATH or in ~/.cargo/bin (apt-get install cargo, or rustup; .ci/run installs it)"))
    func theRustTemplateBuildsOfflineWithItsOwnCopyOfTheCrateAndGreets() throws {
        let work = try TemporaryFolder()
        let (plugin, _) = try createBuildAndInvoke("rust", name: "hello_rust", in: work)
        #expect(plugin == work.path + "/function/target/release/libhello_rust.so")
        #expect(try size(of: plugin) < 100_000, "the template keeps to the recommended small build")
    }

    /// The crate embedded in the tools is the crate in rust/lambda-plugin, file for file:
    /// the template cannot carry a copy that drifted.
    @Test func theRustTemplateCarriesTheCrateExactlyAsItIsInTheRepository() throws {
        let work = try TemporaryFolder()
        let created = try Self.lambdaHost(["new", "--lang", "rust", "crate"], in: work.path)
        try #require(created.status == 0, "\(created.stderr)")
        let crate = Self.repository + "/rust/lambda-plugin"
        let vendored = work.path + "/crate/vendor/lambda-plugin"
        let sources = try FileManager.default.contentsOfDirectory(atPath: crate + "/src").filter { $0.hasSuffix(".rs") }.sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: vendored).sorted() == ["Cargo.toml", "src"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: vendored + "/src").sorted() == sources)
        for file in ["Cargo.toml"] + sources.map({ "src/" + $0 }) {
            #expect(
                FileManager.default.contents(atPath: vendored + "/" + file) == FileManager.default.contents(atPath: crate + "/" + file),
                "\(file) differs from rust/lambda-plugin/\(file): rebuild the tools (CLambdaRustCrate embeds it)")
        }
        let manifest = try String(contentsOfFile: work.path + "/crate/Cargo.toml", encoding: .utf8)
        #expect(manifest.contains(#"lambda-plugin = { path = "vendor/lambda-plugin", default-features = false }"#), "\(manifest)")
    }

    /// The issue's acceptance test: a package outside the repository depends on the SDK by
    /// URL (a local clone, `from:` its tag), resolves nothing else, builds a plugin and
    /// invokes it.
    @Test func aSwiftPackageOutsideTheRepositoryDependsOnTheSDKByURLFromATagBuildsAPluginAndInvokesIt() throws {
        let work = try TemporaryFolder()
        let clone = work.path + "/sdk/lambda-host"
        let head = try runCommand("/usr/bin/env", ["git", "-C", Self.repository, "rev-parse", "HEAD"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for git in [["clone", "-q", Self.repository, clone], ["-C", clone, "checkout", "-q", "--detach", head]] {
            let run = try runCommand("/usr/bin/env", ["git"] + git)
            try #require(run.status == 0, "git \(git): \(run.stderr)")
        }
        // The version's tag on the commit under test, moved there if the release is older:
        // `from:` must resolve this commit's SDK.
        let version = LambdaHostVersion.string
        let tagged = try runCommand("/usr/bin/env", ["git", "-C", clone, "tag", "-f", version, head])
        try #require(tagged.status == 0, "\(tagged.stderr)")

        let (plugin, seconds) = try createBuildAndInvoke("swift", name: "Greeter", extra: ["--sdk", clone], in: work)
        let function = work.path + "/function"
        let manifest = try String(contentsOfFile: function + "/Package.swift", encoding: .utf8)
        #expect(manifest.contains(#".package(url: "\#(clone)", from: "\#(version)", traits: [])"#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "LambdaPlugin", package: "lambda-host")"#), "\(manifest)")
        // The SDK alone was fetched: no swift-nio, no swift-argument-parser.
        let checkouts = try FileManager.default.contentsOfDirectory(atPath: function + "/.build/checkouts")
        #expect(checkouts == ["lambda-host"], "\(checkouts)")
        let resolved = try String(contentsOfFile: function + "/Package.resolved", encoding: .utf8)
        #expect(resolved.contains(#""version" : "\#(version)""#) && resolved.contains(#""revision" : "\#(head)""#), "\(resolved)")
        #expect(!resolved.contains("swift-nio") && !resolved.contains("swift-argument-parser"), "\(resolved)")
        let buildSize = try runCommand("/usr/bin/env", ["du", "-sk", function + "/.build"]).stdout.split(separator: "\t").first ?? "?"
        print("ScaffoldTests: the Swift package resolved \(checkouts.count) package, built in \(String(format: "%.1f", seconds)) s; .build \(buildSize) KB; \(plugin)")
        // Its unit tests run the handler with LambdaPluginTesting, from outside too.
        let tested = try runCommand("/usr/bin/env", ["swift", "test", "--package-path", function])
        #expect(tested.status == 0, "\(tested.stdout.suffix(3000)) \(tested.stderr.suffix(3000))")
        #expect(tested.stdout.contains("Test run with 3 tests"), "\(tested.stdout.suffix(3000))")
    }

    /// Without --sdk, the Swift template depends on the repository the tools were built from.
    @Test func theSwiftTemplateDependsOnTheRepositoryTheToolsCameFromByDefault() throws {
        let work = try TemporaryFolder()
        let created = try Self.lambdaHost(["new", "--lang", "swift", "greeter"], in: work.path)
        try #require(created.status == 0, "\(created.stderr)")
        let manifest = try String(contentsOfFile: work.path + "/greeter/Package.swift", encoding: .utf8)
        let identity = (Self.repository as NSString).lastPathComponent
        #expect(manifest.contains(#".package(url: "\#(Self.repository)", from: "\#(LambdaHostVersion.string)", traits: [])"#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "LambdaPlugin", package: "\#(identity)")"#), "\(manifest)")
        #expect(FileManager.default.fileExists(atPath: work.path + "/greeter/Sources/greeter/greeter.swift"))
    }

    /// A local SDK repository without the version's tag is named at once, with what to
    /// do, rather than left to SwiftPM's "no versions match" at the first build.
    @Test func newSaysWhenTheLocalSDKLacksTheVersionsTag() throws {
        let work = try TemporaryFolder()
        let clone = work.path + "/sdk"
        let cloned = try runCommand("/usr/bin/env", ["git", "clone", "-q", "--no-tags", Self.repository, clone])
        try #require(cloned.status == 0, "\(cloned.stderr)")
        for tag in try runCommand("/usr/bin/env", ["git", "-C", clone, "tag", "--list"]).stdout.split(separator: "\n") {
            _ = try runCommand("/usr/bin/env", ["git", "-C", clone, "tag", "-d", String(tag)])
        }
        let version = LambdaHostVersion.string
        let untagged = try Self.lambdaHost(["new", "--lang", "swift", "--sdk", clone, "untagged"], in: work.path)
        #expect(untagged.status == 0, "\(untagged.stderr)")
        #expect(untagged.stderr.contains("\(clone) has no tag \(version)") && untagged.stderr.contains("fetch --tags"), "\(untagged.stderr)")
        _ = try runCommand("/usr/bin/env", ["git", "-C", clone, "tag", version])
        let tagged = try Self.lambdaHost(["new", "--lang", "swift", "--sdk", clone, "tagged"], in: work.path)
        #expect(tagged.status == 0 && !tagged.stderr.contains("has no tag"), "\(tagged.stderr)")
    }

    @Test func newRefusesAFolderThatHoldsSomething() throws {
        let work = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: work.path + "/taken", withIntermediateDirectories: true)
        try "mine".write(toFile: work.path + "/taken/notes.txt", atomically: true, encoding: .utf8)
        let outcome = try Self.lambdaHost(["new", "--lang", "c", "taken"], in: work.path)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("taken already exists and is not empty (it holds notes.txt)"), "\(outcome.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path + "/taken") == ["notes.txt"])
        // An empty folder is taken as it is.
        try FileManager.default.createDirectory(atPath: work.path + "/empty", withIntermediateDirectories: true)
        let empty = try Self.lambdaHost(["new", "--lang", "c", "empty"], in: work.path)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(FileManager.default.fileExists(atPath: work.path + "/empty/hello.c"))
    }

    @Test func newRefusesAnUnknownLanguageAndAnUnusableName() throws {
        let work = try TemporaryFolder()
        let outcome = try Self.lambdaHost(["new", "--lang", "cobol", "f"], in: work.path)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("cobol") && outcome.stderr.contains("'c', 'cpp', 'rust' or 'swift'"), "\(outcome.stderr)")
        let badName = try Self.lambdaHost(["new", "--lang", "c", "--name", "my-fn", "f"], in: work.path)
        #expect(badName.status != 0)
        #expect(badName.stderr.contains("'my-fn' cannot name the function"), "\(badName.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/f"), "nothing is written")
    }

    @Test func buildSaysWhatItNeedsOfAFolder() throws {
        let work = try TemporaryFolder()
        let missing = try Self.lambdaHost(["build", "nowhere"], in: work.path)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nowhere: no such folder"), "\(missing.stderr)")

        try FileManager.default.createDirectory(atPath: work.path + "/plain", withIntermediateDirectories: true)
        try "int x;".write(toFile: work.path + "/plain/x.c", atomically: true, encoding: .utf8)
        let plain = try Self.lambdaHost(["build", "plain"], in: work.path)
        #expect(plain.status != 0)
        #expect(plain.stderr.contains("plain has no build file lambda-host knows (Package.swift, Cargo.toml or Makefile)"), "\(plain.stderr)")
        #expect(plain.stdout.isEmpty)
    }

    @Test func buildNamesAMissingToolchainAndAFailedBuild() throws {
        let work = try TemporaryFolder()
        let environment = ["XDG_CACHE_HOME": work.path + "/cache"]
        #expect(try Self.lambdaHost(["new", "--lang", "c", "function"], in: work.path).status == 0)
        let noMake = try Self.lambdaHost(["build", "function"], in: work.path, environment: environment.merging(["PATH": "/nonexistent"]) { $1 })
        #expect(noMake.status != 0)
        #expect(noMake.stderr.contains("make is not on PATH") && noMake.stderr.contains("apt-get install make"), "\(noMake.stderr)")

        try "this is not C".write(toFile: work.path + "/function/hello.c", atomically: true, encoding: .utf8)
        let failed = try Self.lambdaHost(["build", "function"], in: work.path, environment: environment)
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("the build failed: make -C"), "\(failed.stderr)")
        #expect(failed.stderr.contains("ended with status 2"), "\(failed.stderr)")
        #expect(failed.stdout.isEmpty)
    }

    @Test func theHelpOfBothCommandsGivesAnExample() throws {
        for command in ["new", "build"] {
            let help = try runCommand(BuildProducts.host, [command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example"), "\(help.stdout)")
            #expect(help.stdout.contains("lambda-host \(command) "), "\(help.stdout)")
        }
    }
}
