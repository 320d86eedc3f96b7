import Foundation
import Testing

/// C++ plugins, compiled with the machine's `c++` from Plugins/Fixtures/Cxx: one written
/// as the README says (LAMBDA_PLUGIN_DEFINE), which must load and answer through the real
/// host, and two whose entry point has a C++-mangled name, which must get the advice to
/// compile it with C linkage.
@Suite(.enabled(if: FixtureCompiler.hasCXX, "SKIPPED: no c++ on PATH (apt-get install g++; .ci/run installs it)"))
struct CxxPluginTests {
    /// The three plugins, built once into one folder (their task root).
    static let built: Result<String, Error> = Result {
        let folder = BuildProducts.folder.path + "/cxx-plugins"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let plugin = FixtureCompiler.source("Cxx/plugin.cpp"), mangled = FixtureCompiler.source("Cxx/mangled.cpp")
        try FixtureCompiler.library(folder + "/libcxx.so", from: [plugin], compiler: "c++")
        try FixtureCompiler.library(folder + "/libmangled.so", from: [mangled], compiler: "c++")
        try FixtureCompiler.library(folder + "/libnamespaced.so", from: [mangled], compiler: "c++", flags: ["-DIN_NAMESPACE"])
        return folder
    }

    @Test func aCxxPluginDefinedWithTheMacroLoadsAndAnswers() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libcxx.so", api: api, taskRoot: try Self.built.get())
        api.enqueue("cxx-1", #"{"a":1}"#)
        let answer = try #require(api.answer(to: "cxx-1"), "\(host.stderr)")
        #expect(answer.path.hasSuffix("/response"), "\(host.stderr)")
        #expect(answer.text == #"{"cxx":{"a":1}}"#)
    }

    @Test func aMangledEntryPointIsToldToUseCLinkage() throws {
        for (plugin, mangled) in [("libmangled.so", "_Z16lambda_plugin_v1v"), ("libnamespaced.so", "_ZN7plugins16lambda_plugin_v1Ev")] {
            let failure = try initFailure(handler: plugin, taskRoot: try Self.built.get())
            #expect(failure.type == "Runtime.MissingEntryPoint", "\(plugin)")
            #expect(failure.message.contains("compile the entry point with C linkage (extern \"C\")"), "\(failure.message)")
            #expect(failure.message.contains("the C++-mangled \(mangled)"), "\(failure.message)")
        }
    }

    @Test func aHandlerWithoutCLinkageIsToldToUseIt() throws {
        let failure = try initFailure(handler: "libcxx.so:greet", taskRoot: try Self.built.get())
        #expect(failure.type == "Runtime.HandlerNotFound")
        #expect(failure.message.contains("it exports the C++-mangled _Z5greetPK17lambda_invocation: declare the handler extern \"C\""), "\(failure.message)")
    }
}
