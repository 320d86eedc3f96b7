import Foundation
import Glibc
import Testing

/// The commands' flags and exits: every `_HANDLER` form in `serve`, range-checked
/// numbers, `--watch`'s copies removed on a signal, and no SwiftNIO complaint on any exit.
@Suite struct ToolCommandTests {
    @Test func serveTakesASystemLibraryWithASignatureAsInvokeDoes() throws {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", "libm.so.6:cbrt(f64)->f64"])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        let reply = try #require(HTTPPost.invoke(port: port, "[27]"))
        #expect(reply.status == 200)
        #expect(reply.body.hasPrefix(#"{"result":3"#), "\(reply.body)")
    }

    @Test func watchingASystemLibraryIsRefusedWithAReason() throws {
        let outcome = try runCommand(
            "/usr/bin/timeout", ["30", BuildProducts.host, "serve", "--port", "0", "--watch", "--handler", "libm.so.6:cbrt(f64)->f64"])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--watch"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("libm.so.6"), "\(outcome.stderr)")
    }

    @Test func everyNumericFlagIsRangeChecked() throws {
        let probe = BuildProducts.plugin("Probe")
        let invoke = ["invoke", "--handler", probe, "--event", "{}"]
        let cases: [[String]] = [
            invoke + ["--timeout", "9223372036854775807"],
            invoke + ["--timeout", "901"],
            invoke + ["--timeout", "0"],
            invoke + ["--memory-size", "10241"],
            invoke + ["--memory-size", "-9223372036854775808"],
            ["serve", "--handler", probe, "--timeout", "9223372036854775807"],
            ["serve", "--handler", probe, "--port", "65536"],
            ["serve", "--handler", probe, "--port", "-1"],
            ["emulate", "--port", "99999999999", "--", "true"],
            ["emulate", "--runtime-api-port", "65536", "--", "true"],
            ["emulate", "--timeout", "9223372036854775807", "--", "true"],
        ]
        for arguments in cases {
            let outcome = try runCommand("/usr/bin/timeout", ["30", BuildProducts.host] + arguments)
            #expect(outcome.status == 64, "\(arguments): status \(outcome.status) \(outcome.stderr.prefix(300))")
            #expect(outcome.stderr.hasPrefix("Error: "), "\(arguments): \(outcome.stderr.prefix(300))")
            #expect(!outcome.stderr.contains("Fatal error"), "\(arguments)")
        }
        // The top of each range is accepted.
        let longest = try runCommand(BuildProducts.host, ["invoke", "--handler", probe, "--timeout", "900", "--memory-size", "10240", "--event", "{}"])
        #expect(longest.status == 0, "\(longest.stderr)")
    }

    @Test func aPortInUseIsAnErrorAndLeavesNoRuntimeBehind() throws {
        let taken = try #require(RawListener())
        for arguments in [
            ["emulate", "--port", "0", "--runtime-api-port", String(taken.port), "--", "true"],
            ["emulate", "--port", String(taken.port), "--", "true"],
            ["serve", "--port", String(taken.port), "--handler", BuildProducts.plugin("Hello")],
        ] {
            let outcome = try runCommand("/usr/bin/timeout", ["30", BuildProducts.host] + arguments)
            #expect(outcome.status == 1, "\(arguments): \(outcome.stderr.prefix(400))")
            #expect(outcome.stderr.contains("Error: cannot listen on 127.0.0.1:\(taken.port)"), "\(arguments): \(outcome.stderr.prefix(400))")
            // No runtime was left to fail on its own.
            #expect(!outcome.stderr.contains("cannot connect to the Runtime API"), "\(arguments): \(outcome.stderr)")
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func watchRemovesItsCopiesWhenServeIsStopped(signal: Int32) throws {
        let root = try TemporaryFolder()
        let name = "libwatch\(UInt32.random(in: 0...UInt32.max)).so"
        let library = root.path + "/" + name
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            LAMBDA_PLUGIN_DEFINE("watch", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "w", 1); }
            """, to: library)
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--watch", "--handler", library])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        #expect(HTTPPost.invoke(port: port, "{}")?.body == "w")
        #expect(ServeCommandTests.stagedCopies(of: name).count == 1)
        kill(host.process.processIdentifier, signal)
        #expect(host.waitForExit() == 128 + signal)
        #expect(ServeCommandTests.stagedCopies(of: name).isEmpty, "left behind: \(ServeCommandTests.stagedCopies(of: name))")
    }

    /// What SwiftNIO prints when work is scheduled on a loop that was shut down.
    static let complaint = "shut down"

    @Test func noExitPathOfInvokeComplainsAboutAShutDownEventLoop() throws {
        let probe = BuildProducts.plugin("Probe")
        for event in ["{}", "exit", "sleep", "long-error"] {
            for _ in 0..<3 {
                let outcome = try runCommand(BuildProducts.host, ["invoke", "--handler", probe, "--timeout", "1", "--event", event])
                #expect(!outcome.stderr.contains(Self.complaint), "\(event): \(outcome.stderr)")
            }
        }
        let initError = try runCommand(BuildProducts.host, ["invoke", "--handler", BuildProducts.plugin("NoEntry")])
        #expect(initError.status == 1)
        #expect(!initError.stderr.contains(Self.complaint))
        for signal in [SIGINT, SIGTERM] {
            let host = try HostProcess(
                handler: nil, api: nil,
                arguments: ["invoke", "--handler", probe, "--event", "sleep", "--env", "AWS_LAMBDA_LOG_LEVEL=DEBUG"])
            #expect(host.waitForLog("loaded plugin"))
            kill(host.process.processIdentifier, signal)
            #expect(host.waitForExit() == 128 + signal)
            #expect(!host.stderr.contains(Self.complaint), "\(host.stderr)")
        }
    }

    @Test func noExitPathOfServeOrEmulateComplainsAboutAShutDownEventLoop() throws {
        for signal in [SIGINT, SIGTERM] {
            let host = try HostProcess(
                handler: nil, api: nil, arguments: ["serve", "--port", "0", "--timeout", "1", "--handler", BuildProducts.plugin("Probe")])
            let port = try #require(host.invokePort())
            #expect(HTTPPost.invoke(port: port, "sleep")?.body.contains("Sandbox.Timedout") == true)
            #expect(HTTPPost.invoke(port: port, "exit")?.body.contains("Runtime.ExitError") == true)
            #expect(HTTPPost.invoke(port: port, "{}")?.status == 200)
            kill(host.process.processIdentifier, signal)
            #expect(host.waitForExit() == 128 + signal)
            #expect(!host.stderr.contains(Self.complaint), "\(host.stderr)")

            let emulator = try Emulator(["--init-timeout", "1"])
            #expect(emulator.post("{}", timeout: 15)?.reply() != nil)
            kill(emulator.host.process.processIdentifier, signal)
            #expect(emulator.host.waitForExit() == 128 + signal)
            #expect(!emulator.host.stderr.contains(Self.complaint), "\(emulator.host.stderr)")
        }
    }
}
