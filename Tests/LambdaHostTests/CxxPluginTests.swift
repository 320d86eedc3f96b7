import Foundation
import Testing

/// C++ plugins, compiled with the machine's `c++` from Plugins/Fixtures/Cxx: one written
/// as the README says (LAMBDA_PLUGIN_DEFINE), which must load and answer through the real
/// host, and two whose entry point has a C++-mangled name, which must get the advice to
/// compile it with C linkage. And the example Plugins/CxxHello, written with the C++
/// wrapper lambda_plugin.hpp and compiled as docs/languages.md says, with every warning an
/// error: its answers, its exceptions reported at the boundary, its audit.
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
        try FixtureCompiler.library(
            folder + "/libCxxHello.so", from: [BuildProducts.packageRoot.appendingPathComponent("Plugins/CxxHello/hello.cpp").path],
            compiler: "c++", flags: ["-std=c++17", "-O2", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror", "-Wpedantic"])
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

    /// Runs CxxHello (`_HANDLER` `handler`) with `events` (request id → event) and returns
    /// the answers by request id, with the host's stderr.
    private func cxxHello(
        _ events: [(String, String)], handler: String = "libCxxHello.so", environment: [String: String] = [:]
    ) throws -> (answers: [String: TestRuntimeAPI.Request], stderr: String) {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: handler, api: api, taskRoot: try Self.built.get(), environment: environment)
        var answers: [String: TestRuntimeAPI.Request] = [:]
        for (id, event) in events {
            api.enqueue(id, event)
            answers[id] = try #require(api.answer(to: id), "\(id): \(host.stderr)")
        }
        return (answers, host.stderr)
    }

    @Test func theCxxExampleGreetsInJSONWithTheGreetingItsStateRead() throws {
        let (answers, stderr) = try cxxHello(
            [("hi-1", #"{"name": "Ada"}"#), ("hi-2", "{}")], environment: ["GREETING": "Bonjour"])
        #expect(answers["hi-1"]?.path.hasSuffix("/response") == true, "\(stderr)")
        #expect(answers["hi-1"]?.text == #"{"message":"Bonjour, Ada!"}"#)
        #expect(answers["hi-2"]?.text == #"{"message":"Bonjour, world!"}"#)
        #expect(stderr.contains("greeting with Bonjour"), "the state's constructor logs through lambda::services: \(stderr)")
    }

    @Test func anExceptionThrownByTheHandlerIsTheInvocationsErrorAndTheNextOneIsServed() throws {
        let (answers, stderr) = try cxxHello([("std-1", #"{"throw": "std"}"#), ("int-1", #"{"throw": "int"}"#), ("ok-1", #"{"name": "Bo"}"#)])
        let std = try #require(answers["std-1"])
        #expect(std.path.hasSuffix("/invocation/std-1/error"), "\(stderr)")
        #expect(std.headers["lambda-runtime-function-error-type"] == "std::invalid_argument")
        let stdBody = try #require(jsonObject(std))
        #expect(stdBody["errorType"] as? String == "std::invalid_argument")
        #expect(stdBody["errorMessage"] as? String == "no greeting for an event that asks for an exception")

        let int = try #require(answers["int-1"])
        #expect(int.path.hasSuffix("/invocation/int-1/error"))
        let intBody = try #require(jsonObject(int))
        #expect(intBody["errorType"] as? String == "Cxx.Exception")
        #expect(intBody["errorMessage"] as? String == "threw a value of type int, which is not a std::exception")
        // The process lived on: the exceptions never reached the host.
        #expect(answers["ok-1"]?.text == #"{"message":"Hello, Bo!"}"#, "\(stderr)")
    }

    @Test func theCxxExampleStreamsAndAnExceptionMidStreamGoesInTheTrailers() throws {
        let (answers, stderr) = try cxxHello([("st-1", "{}"), ("st-2", #"{"throw": "std"}"#)], handler: "libCxxHello.so:lines")
        let whole = try #require(answers["st-1"])
        #expect(whole.headers["lambda-runtime-function-response-mode"] == "streaming", "\(stderr)")
        #expect(whole.headers["content-type"] == "text/plain")
        #expect(whole.text == "line 1\nline 2\nline 3\n")
        #expect(whole.trailers.isEmpty)
        let broken = try #require(answers["st-2"])
        #expect(broken.text == "line 1\n")
        #expect(broken.trailers["lambda-runtime-function-error-type"] == "std::runtime_error", "\(broken.trailers)")
        let body = try #require(broken.trailers["lambda-runtime-function-error-body"])
        let document = try #require(Data(base64Encoded: body))
        let error = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
        #expect(error["errorMessage"] as? String == "stopped after line 1")
    }

    @Test func anExceptionFromTheStatesConstructorIsTheInitError() throws {
        let failure = try initFailure(handler: "libCxxHello.so", taskRoot: try Self.built.get(), environment: ["GREETING": #"say "hi""#])
        #expect(failure.type == "Greeting.Invalid", "\(failure.stderr)")
        #expect(failure.message == "GREETING must be plain text, without quotes or backslashes")
    }

    @Test func theCxxExamplePassesTheAuditForAmazonLinux2023() throws {
        let plugin = try Self.built.get() + "/libCxxHello.so"
        let check = try runCommand(BuildProducts.host, ["package", "check", plugin])
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("ok"), "\(check.stdout)")
        // Its only exports are the entry point and its two handlers (and the weak
        // template instances libstdc++'s headers make default-visible).
        let symbols = try runCommand("/usr/bin/env", ["nm", "-D", "--defined-only", plugin]).stdout
        let strong = symbols.split(separator: "\n").filter { $0.contains(" T ") }.compactMap { $0.split(separator: " ").last }
        #expect(Set(strong.map(String.init)) == ["handler", "lines", "lambda_plugin_v1"], "\(symbols)")
    }
}
