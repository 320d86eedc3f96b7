import Foundation
import Testing

/// `package function` and `package check` run the host's own INIT checks on a plugin, so
/// that what the host would refuse at INIT is refused before it is deployed, with the
/// same `Runtime.*` type and message.
@Suite struct PackagingInitCheckTests {
    func package(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutcome {
        try PackagingTests.package(arguments, environment: environment)
    }

    /// The Hostile fixture, compiled into `folder`.
    func hostile(in folder: String) throws -> String {
        try FixtureCompiler.library(folder + "/libhostile.so", from: [FixtureCompiler.source("Hostile/hostile.c")])
    }

    @Test func aPluginThatPassesSaysSo() throws {
        _ = try PackagingTests().artifacts()
        let echo = try PackagingTests.built.get().echo
        #expect(echo.stdout.contains("init: INIT checks passed: plugin 'echo', handler 'handler'\n"), "\(echo.stdout)")
        let hello = try PackagingTests.built.get().hello
        #expect(hello.stdout.contains("init: INIT checks passed: plugin 'hello', handler 'lambda_plugin_v1().handler'\n"), "\(hello.stdout)")
    }

    /// The very message the host posts at INIT for the same file.
    @Test func refusalsAreTheHostsOwnErrors() throws {
        let folder = try TemporaryFolder()
        let plugin = try hostile(in: folder.path)
        for (mode, symbol, type) in [
            ("huge", "handler", "Runtime.ABIMismatch"), ("toolchain", "handler", "Runtime.ABIMismatch"),
            ("null", "handler", "Runtime.ABIMismatch"), (nil, "data_symbol", "Runtime.HandlerNotFound"),
            (nil, "_end", "Runtime.HandlerNotFound"), (nil, "greet", "Runtime.HandlerNotFound"),
        ] as [(String?, String, String)] {
            let environment = mode.map { ["HOSTILE_DESCRIPTOR": $0] } ?? [:]
            let handler = symbol == "handler" ? "libhostile.so" : "libhostile.so:\(symbol)"
            let host = try initFailure(handler: handler, taskRoot: folder.path, environment: environment)
            #expect(host.type == type, "\(handler) \(mode ?? ""): \(host.message)")
            let output = folder.path + "/out.zip"
            let packaged = try package(["function", "--plugin", plugin, "--symbol", symbol, "--output", output], environment: environment)
            #expect(packaged.status == 1, "\(handler) \(mode ?? ""): \(packaged.stdout)")
            #expect(packaged.stderr.contains("Error: \(type): \(host.message)\n"), "\(packaged.stderr)\nhost: \(host.message)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    @Test(.enabled(if: FixtureCompiler.hasCXX, "SKIPPED: no c++ on PATH (apt-get install g++; .ci/run installs it)"))
    func aCxxPluginWithAMangledEntryPointIsNotTakenForAPlainCLibrary() throws {
        let (layer, _, _) = try PackagingTests().artifacts()
        let folder = try TemporaryFolder()
        let plugin = try FixtureCompiler.library(
            folder.path + "/libmangled.so", from: [FixtureCompiler.source("Cxx/mangled.cpp")], compiler: "c++")
        let function = try package(["function", "--plugin", plugin, "--output", folder.path + "/mangled.zip"])
        #expect(function.status == 1, "\(function.stdout)")
        #expect(function.stderr.contains("Error: Runtime.MissingEntryPoint: \(plugin) does not export lambda_plugin_v1() under its C name"), "\(function.stderr)")
        #expect(function.stderr.contains("(extern \"C\")"), "\(function.stderr)")
        #expect(!function.stdout.contains("plain C library"))

        let check = try package(["check", "--layer", layer, plugin])
        #expect(check.status == 1)
        #expect(check.stdout.contains("FAIL  \(plugin)"), "\(check.stdout)")
        #expect(check.stderr.contains("would fail the host's INIT checks:\n  \(plugin): Runtime.MissingEntryPoint:"), "\(check.stderr)")
    }

    @Test func aPluginThatCrashesWhileLoadingIsReportedNotFatal() throws {
        let folder = try TemporaryFolder()
        let plugin = try FixtureCompiler.library(
            source: """
                #include <lambda_plugin.h>
                #include <stdlib.h>
                __attribute__((constructor)) static void explode(void) { abort(); }
                LAMBDA_PLUGIN_DEFINE("boom", "1", NULL, NULL)
                LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "{}", 2); }
                """, named: "boom.c", in: folder.path)
        let function = try package(["function", "--plugin", plugin, "--output", folder.path + "/boom.zip"])
        #expect(function.status == 1, "\(function.stdout)")
        #expect(function.stderr.contains("\(plugin): loading it ended the check process with signal 6"), "\(function.stderr)")
    }

    /// A plugin inside a function zip needs what the layer's lib/ carries: it is loaded
    /// beside the layer's libraries, as `$ORIGIN` and the host's RPATH find them in Lambda.
    @Test func aPluginFromAZipIsLoadedBesideTheLayersLibraries() throws {
        let folder = try TemporaryFolder()
        let layer = folder.path + "/layer"
        try FileManager.default.createDirectory(atPath: layer + "/lib", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BuildProducts.host, toPath: layer + "/bootstrap")
        try FixtureCompiler.library(
            source: "int extra_answer(void) { return 42; }\n", named: "extra.c", in: folder.path, flags: ["-Wl,-soname,libextra.so"])
        try FileManager.default.copyItem(atPath: folder.path + "/libextra.so", toPath: layer + "/lib/libextra.so")
        let plugin = try FixtureCompiler.library(
            source: """
                #include <lambda_plugin.h>
                int extra_answer(void);
                LAMBDA_PLUGIN_DEFINE("needs-extra", "1", NULL, NULL)
                LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return extra_answer() == 42 ? inv->host->respond(inv, "{}", 2) : LAMBDA_ERROR; }
                """, named: "needsextra.c", in: folder.path, flags: ["-L", folder.path, "-lextra", "-Wl,-rpath,$ORIGIN"])
        let zip = folder.path + "/needsextra.zip"
        let function = try package(["function", "--layer", layer, "--plugin", plugin, "--output", zip])
        try #require(function.status == 0, "\(function.stderr)")
        #expect(function.stdout.contains("init: INIT checks passed: plugin 'needs-extra'"), "\(function.stdout)")
        try FileManager.default.removeItem(atPath: folder.path + "/libextra.so")

        let check = try package(["check", "--layer", layer, zip])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("ok    \(zip): libneedsextra.so  (INIT checks passed: plugin 'needs-extra'"), "\(check.stdout)")
    }

    @Test func aPlainCLibraryStaysAPlainCLibrary() throws {
        let (layer, _, _) = try PackagingTests().artifacts()
        let check = try package(["check", "--layer", layer, BuildProducts.plugin("Calc"), BuildProducts.plugin("NoEntry")])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("\(BuildProducts.plugin("Calc"))  (a plain C library"), "\(check.stdout)")
    }
}

/// A plugin built for the other architecture than this machine: `dlopen` cannot load it
/// here, so the ELF-level checks run, the entry point's name is read from its tables, and
/// the output says the INIT checks need a matching machine.
@Suite(.enabled(if: CrossCompiler.isAvailable, "SKIPPED: the toolchain's clang cannot link for the other architecture here"))
struct CrossArchitectureInitCheckTests {
    /// A layer of that architecture (its bootstrap is what sets the layer's architecture)
    /// and two plugins for it, one with a C++-mangled entry point.
    static let built: Result<String, Error> = Result {
        let folder = BuildProducts.folder.path + "/cross-architecture"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/layer/lib", withIntermediateDirectories: true)
        let plugin = folder + "/plugin.c"
        try """
            #include <lambda_plugin.h>
            LAMBDA_PLUGIN_DEFINE("other", "1.0.0", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "{}", 2); }
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try CrossCompiler.library(folder + "/libother.so", from: [plugin])
        try CrossCompiler.library(folder + "/layer/bootstrap", from: [plugin])
        try CrossCompiler.library(folder + "/libothermangled.so", from: [FixtureCompiler.source("Cxx/mangled.cpp")])
        return folder
    }

    @Test func theELFChecksRunAndTheOutputSaysWhatNeedsAMatchingMachine() throws {
        let folder = try Self.built.get()
        let check = try PackagingTests.package(["check", "--layer", folder + "/layer", folder + "/libother.so"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("INIT checks not run: built for \(CrossCompiler.target.lambdaName)"), "\(check.stdout)")
        #expect(check.stdout.contains("run `lambda-host package check` on an \(CrossCompiler.target.lambdaName) machine"))

        let function = try PackagingTests.package(
            ["function", "--layer", folder + "/layer", "--plugin", folder + "/libother.so", "--output", folder + "/other.zip"])
        #expect(function.status == 0, "\(function.stderr)")
        #expect(function.stdout.contains("init: INIT checks not run"), "\(function.stdout)")
        #expect(function.stdout.contains("Handler: libother.so\n"), "\(function.stdout)")
    }

    @Test func aMangledEntryPointIsFoundInTheELFTables() throws {
        let folder = try Self.built.get()
        let plugin = folder + "/libothermangled.so"
        let check = try PackagingTests.package(["check", "--layer", folder + "/layer", plugin])
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stderr.contains("\(plugin): Runtime.MissingEntryPoint: \(plugin) does not export lambda_plugin_v1() under its C name, but exports the C++-mangled _Z16lambda_plugin_v1v"), "\(check.stderr)")
    }
}
