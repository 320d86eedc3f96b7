import Foundation
import Testing

/// `lambda-host package`: the real command builds the real layer and function zips from
/// this build; Python's zipfile, unzip and readelf check them independently.
@Suite struct PackagingTests {
    /// Where this suite writes (inside the build folder, replaced on each run).
    static let work: String = {
        let path = BuildProducts.folder.path + "/packaging-tests"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The layer and the Echo and Hello function zips, built once for the suite.
    static let built: Result<(layer: CommandOutcome, echo: CommandOutcome, hello: CommandOutcome), Error> = Result {
        let layer = try package(["layer", "--output", work + "/layer.zip"])
        let echo = try package(["function", "--plugin", BuildProducts.plugin("Echo"), "--output", work + "/echo.zip"])
        let hello = try package(["function", "--plugin", BuildProducts.plugin("Hello"), "--output", work + "/hello.zip"])
        return (layer, echo, hello)
    }

    static func package(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutcome {
        try runCommand(BuildProducts.host, ["package"] + arguments, environment: environment)
    }

    /// The built artifacts; fails the test with the command's output if a build failed.
    func artifacts() throws -> (layer: String, echo: String, hello: String) {
        let built = try Self.built.get()
        for outcome in [built.layer, built.echo, built.hello] {
            try #require(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
        }
        return (Self.work + "/layer.zip", Self.work + "/echo.zip", Self.work + "/hello.zip")
    }

    /// Each entry of a zip as Python's zipfile reads it: name → (Unix mode, size, and a
    /// symbolic link's target), after checking every CRC.
    func listing(_ zip: String) throws -> [String: (mode: Int, size: Int, target: String?)] {
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                mode = i.external_attr >> 16
                target = z.read(i).decode() if mode & 0o170000 == 0o120000 else '-'
                print(i.filename, i.create_system, mode, i.file_size, i.date_time == (1980, 1, 1, 0, 0, 0), target)
            """
        let outcome = try runCommand("/usr/bin/env", ["python3", "-c", script, zip])
        try #require(outcome.status == 0, "\(outcome.stderr)")
        var entries: [String: (mode: Int, size: Int, target: String?)] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            try #require(fields.count == 6)
            #expect(fields[1] == "3", "\(fields[0]) is not marked as made on Unix")
            #expect(fields[4] == "True", "\(fields[0]) does not have the fixed timestamp")
            entries[String(fields[0])] = (Int(fields[2]) ?? -1, Int(fields[3]) ?? -1, fields[5] == "-" ? nil : String(fields[5]))
        }
        return entries
    }

    /// The libraries the layer must carry for this toolchain: the Swift runtime that the
    /// host and SDK plugins use, and libffi (docs/deploy.md lists them). No
    /// FoundationEssentials (nor Synchronization, which only it needed): the SDK codes JSON
    /// with LambdaJSON.
    static var expectedLibraries: Set<String> {
        var names: Set<String> = [
            "libswift_Concurrency.so", "libswift_StringProcessing.so", "libswift_RegexParser.so",
            "libswiftGlibc.so", "libswift_Builtin_float.so", "libdispatch.so", "libBlocksRuntime.so", "libffi.so.8",
        ]
        // A debug build's Swift code also needs the -Onone support library.
        if BuildProducts.folder.lastPathComponent == "debug" { names.insert("libswiftSwiftOnoneSupport.so") }
        return names
    }

    func unzip(_ zip: String, into folder: String) throws {
        let outcome = try runCommand("/usr/bin/env", ["unzip", "-q", "-o", zip, "-d", folder])
        try #require(outcome.status == 0, "unzip: \(outcome.stderr)")
    }

    func readelf(_ arguments: [String]) throws -> String {
        let outcome = try runCommand("/usr/bin/env", ["readelf"] + arguments)
        try #require(outcome.status == 0, "readelf: \(outcome.stderr)")
        return outcome.stdout
    }

    @Test func theLayerHoldsTheRuntimeItsLibrariesAndTheHeadersAndNothingElse() throws {
        let (layer, _, _) = try artifacts()
        let entries = try listing(layer)
        var expected: [String: Int] = [
            "bootstrap": 0o100755, "bin/": 0o040755, "bin/lambda-host": 0o120777, "include/": 0o040755,
            "include/lambda_plugin.h": 0o100644, "include/lambda_plugin.hpp": 0o100644, "lib/": 0o040755,
        ]
        for name in Self.expectedLibraries { expected["lib/" + name] = 0o100755 }
        #expect(Set(entries.keys) == Set(expected.keys))
        for (name, mode) in expected { #expect(entries[name]?.mode == mode, "\(name): \(String(entries[name]?.mode ?? 0, radix: 8))") }
        #expect(!entries.keys.contains { $0.contains("ICU") || $0.contains("Foundation") })
        // bin/lambda-host is a link, as `zip --symlinks` writes one: the target is its contents.
        #expect(entries["bin/lambda-host"]?.target == "../bootstrap")
        #expect(entries["bin/lambda-host"]?.size == "../bootstrap".utf8.count)
        #expect(entries.filter { $0.value.target != nil }.count == 1)

        // Unpacked by unzip: the runtime once and a link to it that runs as it does, the
        // header as built, nothing unstripped.
        let folder = Self.work + "/layer-contents"
        try? FileManager.default.removeItem(atPath: folder)
        try unzip(layer, into: folder)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/bin/lambda-host") == "../bootstrap")
        let bootstrap = try Data(contentsOf: URL(fileURLWithPath: folder + "/bootstrap"))
        #expect(bootstrap == (try Data(contentsOf: URL(fileURLWithPath: folder + "/bin/lambda-host"))))
        let byLink = try runCommand(folder + "/bin/lambda-host", ["--version"], environment: ["LD_LIBRARY_PATH": ""])
        let direct = try runCommand(folder + "/bootstrap", ["--version"], environment: ["LD_LIBRARY_PATH": ""])
        #expect(byLink.status == 0 && direct.status == 0, "\(byLink.stderr)\(direct.stderr)")
        #expect(!direct.stdout.isEmpty && byLink.stdout == direct.stdout, "\(byLink.stdout) vs \(direct.stdout)")
        // ld.so takes $ORIGIN from the link's resolved path: the layer's root, not bin/.
        let traced = try runCommand(folder + "/bin/lambda-host", ["--version"], environment: ["LD_LIBRARY_PATH": "", "LD_DEBUG": "libs"])
        #expect(traced.stderr.contains("/layer-contents/lib:"), "\(traced.stderr.prefix(2000))")
        #expect(!traced.stderr.contains("/layer-contents/bin/lib"), "\(traced.stderr.prefix(2000))")
        for header in ["lambda_plugin.h", "lambda_plugin.hpp"] {
            let source = BuildProducts.packageRoot.appendingPathComponent("Sources/CLambdaPlugin/include/" + header)
            #expect((try Data(contentsOf: URL(fileURLWithPath: folder + "/include/" + header))) == (try Data(contentsOf: source)), "\(header)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: folder + "/bootstrap"))
        for name in ["bootstrap"] + Self.expectedLibraries.map({ "lib/" + $0 }) {
            let sections = try readelf(["-S", "-W", folder + "/" + name])
            #expect(!sections.contains(".symtab") && !sections.contains(".debug_"), "\(name) is not stripped")
        }
        let dynamic = try readelf(["-d", folder + "/bootstrap"])
        #expect(dynamic.contains("(RPATH)              Library rpath: [$ORIGIN/lib:$ORIGIN/../lib]"), "\(dynamic)")
        #expect(!dynamic.contains("RUNPATH"))
    }

    @Test func aFunctionZipHoldsOnlyThePluginAndSaysWhichHandlerToSet() throws {
        let (_, echo, hello) = try artifacts()
        let built = try Self.built.get()
        for (zip, name, outcome) in [(echo, "libEcho.so", built.echo), (hello, "libHello.so", built.hello)] {
            let entries = try listing(zip)
            #expect(Array(entries.keys) == [name])
            #expect(entries[name]?.mode == 0o100755)
            #expect(outcome.stdout.contains("Handler: \(name)\n"), "\(outcome.stdout)")
            let folder = Self.work + "/" + name + "-contents"
            try unzip(zip, into: folder)
            let sections = try readelf(["-S", "-W", folder + "/" + name])
            #expect(!sections.contains(".symtab"), "\(name) is not stripped")
            let dynamic = try readelf(["-d", folder + "/" + name])
            // No toolchain path from the build machine: its own folder, then the layer's lib/.
            #expect(!dynamic.contains("RUNPATH") && !dynamic.contains("/opt/swift"), "\(dynamic)")
        }
        let helloDynamic = try readelf(["-d", Self.work + "/libHello.so-contents/libHello.so"])
        #expect(helloDynamic.contains("Library rpath: [$ORIGIN]"))
    }

    @Test func aPlainCLibraryGetsASignaturePatternAsItsHandler() throws {
        let output = Self.work + "/calc.zip"
        let outcome = try Self.package(["function", "--plugin", BuildProducts.plugin("Calc"), "--output", output])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Handler: libCalc.so:<function>(<name>:<type>,...)-><type>\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("docs/dynamic-handlers.md"))
        #expect(Array(try listing(output).keys) == ["libCalc.so"])
    }

    @Test func buildingTwiceGivesTheSameBytes() throws {
        let (layer, echo, hello) = try artifacts()
        let again = try Self.package(["layer", "--output", Self.work + "/layer-again.zip"])
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: layer)) == Data(contentsOf: URL(fileURLWithPath: Self.work + "/layer-again.zip")))
        for (zip, plugin) in [(echo, "Echo"), (hello, "Hello")] {
            let copy = Self.work + "/again-\(plugin).zip"
            let outcome = try Self.package(["function", "--plugin", BuildProducts.plugin(plugin), "--output", copy])
            try #require(outcome.status == 0, "\(outcome.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == Data(contentsOf: URL(fileURLWithPath: copy)))
        }
    }

    @Test func theAuditPassesOnOurLayerAndFunctions() throws {
        let (layer, echo, hello) = try artifacts()
        let outcome = try Self.package(["check", layer, echo, hello])
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("ok") || $0.hasPrefix("FAIL") }
        // bootstrap, each library, and the two plugins; bin/lambda-host is a link to bootstrap.
        #expect(lines.count == Self.expectedLibraries.count + 3, "\(outcome.stdout)")
        #expect(lines.allSatisfy { $0.hasPrefix("ok") }, "\(outcome.stdout)")
        // The unpacked layer, as a folder, passes too.
        try unzip(layer, into: Self.work + "/checked-folder")
        let folder = try Self.package(["check", Self.work + "/checked-folder"])
        #expect(folder.status == 0, "\(folder.stdout)\n\(folder.stderr)")
        #expect(folder.stdout.contains("ok    \(Self.work)/checked-folder: bootstrap\n"), "\(folder.stdout)")
        #expect(!folder.stdout.contains("bin/lambda-host"), "the link is read as the file it points at: \(folder.stdout)")
    }

    @Test func theAuditReadsAndPassesEveryOtherPluginThisPackageBuilds() throws {
        let (layer, _, _) = try artifacts()
        let plugins = try FileManager.default.contentsOfDirectory(atPath: BuildProducts.folder.path)
            // (A build folder from before NotForLambda was compiled by its tests may hold it.)
            .filter { $0.hasPrefix("lib") && $0.hasSuffix(".so") && $0 != "libNotForLambda.so" }
            .map { BuildProducts.folder.path + "/" + $0 }
        #expect(plugins.count >= 8, "\(plugins)")
        let check = try Self.package(["check", "--layer", layer] + plugins)
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("audit: \(plugins.count) ELF files load on provided.al2023"), "\(check.stdout)")
    }

    @Test func theAuditRefusesAnotherArchitecture() throws {
        let (layer, _, _) = try artifacts()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: BuildProducts.plugin("Echo")))
        bytes[18] = 183  // e_machine = EM_AARCH64
        bytes[19] = 0
        let path = Self.work + "/libEchoArm.so"
        try bytes.write(to: URL(fileURLWithPath: path))
        let check = try Self.package(["check", "--layer", layer, path])
        #expect(check.status == 1)
        #expect(check.stderr.contains("libEchoArm.so: built for arm64, but the package is for x86_64"), "\(check.stderr)")
    }

    /// Why the layer rebinds a symbol: the toolchain's own Glibc overlay fails the audit.
    @Test func theToolchainsGlibcOverlayFailsTheAuditThatTheLayersCopyPasses() throws {
        let (layer, _, _) = try artifacts()
        let original = try #require(
            try readelf(["-d", BuildProducts.host]).split(separator: "\n").first { $0.contains("RUNPATH") }
                .flatMap { line in line.split(separator: "[").last?.split(separator: ":").first.map(String.init) })
        let overlay = original + "/libswiftGlibc.so"
        let versions = try readelf(["-V", overlay])
        try #require(versions.contains("GLIBC_2.35"), "this toolchain's libswiftGlibc.so needs no GLIBC_2.35; nothing to rebind")
        let check = try Self.package(["check", "--layer", layer, overlay])
        #expect(check.status == 1)
        #expect(check.stderr.contains("libswiftGlibc.so: hypotf needs GLIBC_2.35 of libm.so.6"), "\(check.stderr)")
        let built = try Self.built.get()
        #expect(built.layer.stdout.contains("lib/libswiftGlibc.so: hypotf bound to GLIBC_2.2.5 instead of GLIBC_2.35"))
    }

    /// The Swift driver names Concurrency, StringProcessing and RegexParser in every Swift
    /// plugin; `package function` drops each library of the layer the plugin takes no
    /// symbol from, so its start does not load them (and libstdc++, which they need).
    @Test func theFunctionZipNamesOnlyTheLayersLibrariesThePluginUses() throws {
        let (_, _, hello) = try artifacts()
        let built = try Self.built.get()
        let trimmed = try #require(built.hello.stdout.split(separator: "\n").first { $0.hasPrefix("trimmed: ") })
        #expect(trimmed.contains("libswift_StringProcessing.so") && trimmed.contains("libswift_RegexParser.so"), "\(trimmed)")
        let folder = Self.work + "/hello-contents"
        try unzip(hello, into: folder)
        let packaged = try readelf(["-d", folder + "/libHello.so"]).split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!packaged.isEmpty)
        #expect(!packaged.contains { $0.contains("libswift_StringProcessing.so") || $0.contains("libswift_RegexParser.so") }, "\(packaged)")
        let original = try readelf(["-d", BuildProducts.plugin("Hello")])
        #expect(original.contains("libswift_StringProcessing.so"), "the build names it; nothing was there to drop")
    }

    @Test func theDeploymentSimulationAnswersForTheCAndTheSwiftPlugin() throws {
        let (layer, echo, hello) = try artifacts()
        let c = try Self.package(["simulate", "--layer", layer, "--function", echo, "--event", #"{"x":[1,2,3]}"#])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout == #"{"x":[1,2,3]}"#)

        // With ld.so's trace: every library the runtime process loads comes from the layer.
        let swift = try Self.package(
            ["simulate", "--layer", layer, "--function", hello, "--event", #"{"name":"World"}"#, "--env", "LD_DEBUG=libs"])
        #expect(swift.status == 0, "\(swift.stderr.suffix(2000))")
        #expect(swift.stdout == #"{"message":"Hello, World!"}"#)
        let inits = swift.stderr.split(separator: "\n").filter { $0.contains("calling init: ") }
        let pluginLine = try #require(inits.first { $0.contains("/task/libHello.so") }, "no trace of the plugin")
        let pid = pluginLine.split(separator: ":").first ?? ""
        let runtime = inits.filter { $0.split(separator: ":").first == pid }.map { String($0.split(separator: " ").last ?? "") }
        // The system's own: glibc, libgcc_s (provided.al2023 has them). The rest: the
        // layer's lib/ and the plugin. The Swift runtime is the host itself, and the packaged
        // plugin names no Swift library it does not use (Hello uses none but the runtime), so
        // nothing comes from lib/ but, in a debug build, the -Onone support library.
        let system = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"]
        let packaged = runtime.filter { path in !system.contains { path.hasPrefix($0) } }
        let fromLayer = packaged.filter { $0.contains("/lambda-host-simulate.") && $0.contains("/opt/lib/") }
        let debug: Set<String> = BuildProducts.folder.lastPathComponent == "debug" ? ["libswiftSwiftOnoneSupport.so"] : []
        #expect(Set(fromLayer.map { String($0.split(separator: "/").last ?? "") }) == debug, "\(runtime)")
        #expect(packaged.count == fromLayer.count + 1, "\(runtime)")
        #expect(!runtime.contains { $0.contains("libswiftCore.so") }, "\(runtime)")
        // libstdc++ comes only with the debug build's -Onone support library.
        if debug.isEmpty { #expect(!runtime.contains { $0.contains("libstdc++") }, "\(runtime)") }
    }

    @Test func aPlainCFunctionLoadsTheLayersLibffi() throws {
        let (layer, _, _) = try artifacts()
        let zip = Self.work + "/calc.zip"
        let packaged = try Self.package(["function", "--plugin", BuildProducts.plugin("Calc"), "--symbol", "mul_i64", "--output", zip, "--layer", layer])
        try #require(packaged.status == 0, "\(packaged.stdout)\(packaged.stderr)")
        let run = try Self.package(
            [
                "simulate", "--layer", layer, "--function", zip, "--handler", "libCalc.so:mul_i64(a:i64,b:i64)->i64", "--event", #"{"a":6,"b":7}"#,
                "--env", "LD_DEBUG=libs",
            ])
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        #expect(run.stdout == #"{"result":42}"#, "\(run.stdout)")
        let ffi = run.stderr.split(separator: "\n").filter { $0.contains("calling init: ") && $0.contains("libffi.so.8") }
        #expect(ffi.count == 1 && ffi.allSatisfy { $0.contains("/opt/lib/libffi.so.8") }, "\(ffi)")
    }

    @Test
    func aLayerUnpackedByUnzipRunsUnderTheNeutralSimulatorFromAnyFolder() throws {
        let (layer, echo, hello) = try artifacts()
        let root = Self.work + "/deployed/any/folder"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try unzip(layer, into: root + "/opt")
        try unzip(echo, into: root + "/task")
        try unzip(hello, into: root + "/task")
        let sim = try NeutralSimulator.path.get()
        let event = Self.work + "/hello-event.json"
        try #"{"name":"World"}"#.write(toFile: event, atomically: true, encoding: .utf8)
        for (handler, arguments) in [("libEcho.so", ["--payload", "100", "--echo"]), ("libHello.so", ["--event-file", event])] {
            let run = try runCommand(
                sim, ["--count", "200"] + arguments + ["--", root + "/opt/bootstrap"],
                environment: ["_HANDLER": handler, "LAMBDA_TASK_ROOT": root + "/task", "LD_LIBRARY_PATH": ""])
            #expect(run.stdout.contains("invocations=200") && run.stdout.contains("status=ok"), "\(handler): \(run.stdout) \(run.stderr.suffix(1000))")
        }
    }
}

/// The AWS SAM template of docs/deploy.md.
@Suite struct DeploymentTemplateTests {
    static let template = BuildProducts.packageRoot.appendingPathComponent("deploy/template.yaml").path
    static let cfnLint = (try? runCommand("/usr/bin/env", ["cfn-lint", "--version"]))?.status == 0

    @Test(.enabled(if: cfnLint, "SKIPPED: cfn-lint is not installed (python3 -m pip install cfn-lint)"))
    func theSAMTemplatePassesCfnLint() throws {
        let outcome = try runCommand("/usr/bin/env", ["cfn-lint", Self.template])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        // cfn-lint does reject a template that is wrong: a misspelt property fails.
        let broken = try String(contentsOfFile: Self.template, encoding: .utf8)
            .replacingOccurrences(of: "Handler: libEcho.so", with: "Handlr: libEcho.so")
        let folder = try TemporaryFolder()
        try broken.write(toFile: folder.path + "/broken.yaml", atomically: true, encoding: .utf8)
        #expect(try runCommand("/usr/bin/env", ["cfn-lint", folder.path + "/broken.yaml"]).status != 0)
    }

    @Test func docsDeployShowsTheTemplateVerbatim() throws {
        let template = try String(contentsOfFile: Self.template, encoding: .utf8)
        let docs = try String(
            contentsOfFile: BuildProducts.packageRoot.appendingPathComponent("docs/deploy.md").path, encoding: .utf8)
        #expect(template.contains("Runtime: provided.al2023") && template.contains("AWS::Serverless::LayerVersion"))
        #expect(docs.contains("```yaml\n" + template + "```\n"))
    }
}
