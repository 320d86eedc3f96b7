import Foundation
import Glibc
import Testing

/// `serve` and the flags every command shares: names Lambda would refuse are refused,
/// what a failed start made is removed, a reload takes over the invocations waiting out
/// the old build's back-off, and the messages read right.
@Suite struct ServeCommandTests {
    @Test(arguments: [
        ["--function-name", "a\r\nX-Injected: 1"], ["--function-name", #"quote"name"#], ["--function-name", ""],
        ["--function-name", String(repeating: "f", count: 65)], ["--region", #"us-east-1""#], ["--region", "moon"],
    ])
    func namesLambdaWouldRefuseAreRefused(flag: [String]) throws {
        let outcome = try runCommand("/usr/bin/timeout", ["30", BuildProducts.host, "emulate"] + flag + ["--", "true"])
        #expect(outcome.status == 64, "\(flag): \(outcome.stderr)")
        #expect(outcome.stderr.contains(flag[0]), "\(flag): \(outcome.stderr)")
    }

    @Test func namesLambdaTakesReachTheRuntime() throws {
        let emulator = try Emulator(["--function-name", "my-fn_2", "--region", "eu-west-3"])
        let registered = emulator.post(api: "/2020-01-01/extension/register", body: Array(#"{"events":[]}"#.utf8))
        #expect(registered?.text == #"{"functionName":"my-fn_2","functionVersion":"$LATEST"}"#)
        let caller = try #require(emulator.post("{}"))
        let (_, invocation) = try #require(emulator.next())
        #expect(invocation.headers["lambda-runtime-invoked-function-arn"] == "arn:aws:lambda:eu-west-3:012345678912:function:my-fn_2")
        _ = caller
    }

    /// The staged copies of `name` in /tmp.
    static func stagedCopies(of name: String) -> [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        return folders.filter { $0.hasPrefix("lambda-host-watch-") }.map { "/tmp/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0 + "/" + name) }
    }

    /// A C plugin answering `reply`; with `exitInInit`, one whose INIT always exits.
    static func plugin(answering reply: String, exitInInit: Bool = false, to library: String) throws {
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <unistd.h>
            \(exitInInit ? "__attribute__((constructor)) static void leave(void) { _exit(5); }" : "")
            LAMBDA_PLUGIN_DEFINE("swap", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                return inv->host->respond(inv, "\(reply)", \(reply.utf8.count));
            }
            """, to: library)
    }

    @Test func aServeThatCannotStartItsRuntimeLeavesNoCopyBehind() throws {
        let root = try TemporaryFolder()
        let name = "libnostart\(UInt32.random(in: 0...UInt32.max)).so"
        try Self.plugin(answering: "x", to: root.path + "/" + name)
        // The tools without the runtime binary beside them: the runtime cannot be started.
        let tools = root.path + "/lambda-host-tools"
        try FileManager.default.copyItem(atPath: BuildProducts.folder.path + "/lambda-host-tools", toPath: tools)
        let outcome = try runCommand("/usr/bin/timeout", ["60", tools, "serve", "--port", "0", "--watch", "--handler", root.path + "/" + name])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot start"), "\(outcome.stderr)")
        #expect(Self.stagedCopies(of: name).isEmpty, "left behind: \(Self.stagedCopies(of: name))")
    }

    @Test func aReloadTakesOverTheInvocationsWaitingOutABackOff() throws {
        let root = try TemporaryFolder()
        let name = "libbackoff\(UInt32.random(in: 0...UInt32.max)).so"
        let library = root.path + "/" + name
        try Self.plugin(answering: "version 1", exitInInit: true, to: library)
        try Self.plugin(answering: "version 2", to: root.path + "/next.so")
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--watch", "--handler", library])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        #expect(host.waitForLog("watching"))
        // Five more INITs fail: the next start waits 3.2 s.
        for attempt in 1...5 {
            #expect(HTTPPost.invoke(port: port, "{}")?.body.contains("Runtime.ExitError") == true, "attempt \(attempt)")
        }
        // A fixed build lands while that invocation waits out the back-off.
        Self.expectReloadAnswers(host, port: port, moving: root.path + "/next.so", to: library) {}
        #expect(Self.stagedCopies(of: name).isEmpty, "left behind: \(Self.stagedCopies(of: name))")
    }

    /// An invocation queued for a runtime still in INIT goes to the build that replaces
    /// it, without waiting for that INIT: the old build only finishes what it was handed.
    @Test func aReloadTakesOverAnInvocationQueuedForAnInitInProgress() throws {
        let root = try TemporaryFolder()
        let name = "libslowinit\(UInt32.random(in: 0...UInt32.max)).so"
        let library = root.path + "/" + name
        let marker = root.path + "/second-start"
        // Build 1 exits in its first invocation; the runtime that replaces it then spends
        // 60 s in INIT.
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <stdio.h>
            #include <unistd.h>
            __attribute__((constructor)) static void slow(void) {
                if (access("\(marker)", F_OK) != 0) return;
                fprintf(stderr, "slow INIT begins\\n");
                fflush(stderr);
                sleep(60);
            }
            LAMBDA_PLUGIN_DEFINE("slow", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                fclose(fopen("\(marker)", "w"));
                _exit(3);
            }
            """, to: library)
        try Self.plugin(answering: "version 2", to: root.path + "/next.so")
        let host = try HostProcess(
            handler: nil, api: nil, arguments: ["serve", "--port", "0", "--init-timeout", "120", "--watch", "--handler", library])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        #expect(host.waitForLog("watching"))
        #expect(HTTPPost.invoke(port: port, "{}")?.body.contains("Runtime.ExitError") == true)
        Self.expectReloadAnswers(host, port: port, moving: root.path + "/next.so", to: library) {
            #expect(host.waitForLog("slow INIT begins"), "\(host.stderr)")
        }
    }

    /// Sends an invocation from another thread, runs `meanwhile`, moves the build
    /// answering "version 2" in place, and expects that build to answer the invocation;
    /// then stops `host`.
    static func expectReloadAnswers(
        _ host: HostProcess, port: Int, moving next: String, to library: String, meanwhile: () -> Void
    ) {
        let waiting = Replies(count: 1)
        let answered = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            waiting.set(0, HTTPPost.invoke(port: port, "{}"))
            answered.signal()
        }
        meanwhile()
        #expect(rename(next, library) == 0)
        #expect(host.waitForLog("reloaded \(library) (build 2)"), "\(host.stderr)")
        #expect(answered.wait(timeout: .now() + 30) == .success)
        #expect(waiting.get(0)?.body == "version 2", "\(waiting.get(0)?.body ?? "no answer")")
        host.terminate()
        #expect(host.waitForExit() == 128 + SIGTERM)
    }

    @Test func watchingASystemLibraryShowsServesUsage() throws {
        let outcome = try runCommand(
            "/usr/bin/timeout", ["30", BuildProducts.host, "serve", "--port", "0", "--watch", "--handler", "libm.so.6:cbrt(f64)->f64"])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Usage: lambda-host serve"), "\(outcome.stderr)")
    }

    @Test func aPortInUseIsNamedInPlainWords() throws {
        let taken = try #require(RawListener())
        let outcome = try runCommand(
            "/usr/bin/timeout", ["30", BuildProducts.host, "serve", "--port", String(taken.port), "--handler", BuildProducts.plugin("Hello")])
        let line = outcome.stderr.split(separator: "\n").first { $0.contains("cannot listen") }.map(String.init) ?? ""
        #expect(line == "Error: cannot listen on 127.0.0.1:\(taken.port): Address already in use", "\(outcome.stderr)")
    }

    @Test func theInitTimeoutHelpReadsAsOneSentence() throws {
        let help = try runCommand(BuildProducts.host, ["serve", "--help"]).stdout
        let flowing = help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(
            flowing.contains("A runtime that has not asked for an invocation by then is stopped, the invocations waiting for it"),
            "\(help)")
    }
}
