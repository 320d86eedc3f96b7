import Foundation
import Glibc
import Testing

/// How the emulator treats a runtime's INIT, as Lambda does: an exit or crash before the
/// first `/next` answers the waiting invocation at once, INIT is bounded, restarts back
/// off, and a late init error changes nothing.
@Suite struct EmulatorLifecycleTests {
    /// A shell command that appends the time to `log` each time it starts, then runs `then`.
    func runtime(logging log: String, then: String) -> [String] {
        ["sh", "-c", "date +%s.%N >> '\(log)'; \(then)"]
    }

    /// The start times `log` holds.
    func starts(_ log: String) -> [Double] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Double($0) }
    }

    @Test func anExitDuringInitAnswersAtOnceAndRestartsBackOff() throws {
        let root = try TemporaryFolder()
        let log = root.path + "/starts"
        let emulator = try Emulator(["--timeout", "60"], command: runtime(logging: log, then: "exit 7"))
        for attempt in 1...4 {
            let reply = try #require(emulator.post("{}", timeout: 15)?.reply(), "attempt \(attempt): no answer")
            #expect(reply.status == 200)
            #expect(reply.headers["x-amz-function-error"] == "Unhandled")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
            #expect(document["errorType"] as? String == "Runtime.ExitError")
            let message = try #require(document["errorMessage"] as? String)
            #expect(message.hasPrefix("RequestId: ") && message.hasSuffix(" Error: Runtime exited with error: exit status 7"), "\(message)")
            // One fresh runtime per invocation, never a restart loop.
            #expect(starts(log).count == attempt, "attempt \(attempt): \(starts(log).count) starts")
        }
        let times = starts(log)
        // The fourth start waited out the back-off after three failed INITs in a row (400 ms).
        #expect(times[3] - times[2] >= 0.35, "starts at \(times)")
    }

    @Test func aSignalDuringInitIsNamedAndACleanExitHasLambdasWording() throws {
        let crash = try Emulator(command: ["sh", "-c", "kill -SEGV $$"])
        let crashed = try #require(crash.post("{}", timeout: 15)?.reply())
        #expect(crashed.text.contains("Runtime exited with error: signal: segmentation fault"), "\(crashed.text)")
        let clean = try Emulator(command: ["true"])
        let exited = try #require(clean.post("{}", timeout: 15)?.reply())
        #expect(exited.text.contains(#""errorType":"Runtime.ExitError""#))
        #expect(exited.text.contains("Runtime exited without providing a reason"), "\(exited.text)")
    }

    @Test func anInitErrorPostedBeforeTheExitStillReachesTheInvoker() throws {
        let script = """
            import os, urllib.request
            api = os.environ["AWS_LAMBDA_RUNTIME_API"]
            body = b'{"errorMessage":"bad config","errorType":"App.InitFailed"}'
            request = urllib.request.Request(f"http://{api}/2018-06-01/runtime/init/error", data=body, method="POST",
                headers={"Lambda-Runtime-Function-Error-Type": "App.InitFailed"})
            urllib.request.urlopen(request).read()
            os._exit(1)
            """
        let root = try TemporaryFolder()
        try script.write(toFile: root.path + "/init_error.py", atomically: true, encoding: .utf8)
        let emulator = try Emulator(command: ["python3", root.path + "/init_error.py"])
        let reply = try #require(emulator.post("{}", timeout: 15)?.reply())
        #expect(reply.text.contains(#""errorType":"App.InitFailed""#), "\(reply.text)")
        #expect(reply.text.contains("bad config"))
    }

    @Test func invokeEndsWithAnErrorWhenThePluginExitsDuringInit() throws {
        let root = try TemporaryFolder()
        let library = root.path + "/libexitinit.so"
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <unistd.h>
            __attribute__((constructor)) static void leave(void) { _exit(5); }
            LAMBDA_PLUGIN_DEFINE("exitinit", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "no", 2); }
            """, to: library)
        let outcome = try runCommand(
            "/usr/bin/timeout", ["60", BuildProducts.host, "invoke", "--handler", library, "--event", "{}"])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(#""errorType":"Runtime.ExitError""#))
        #expect(outcome.stderr.contains("Runtime exited with error: exit status 5"))
    }

    @Test func initIsBoundedAndARuntimeThatNeverAsksIsReplaced() throws {
        let root = try TemporaryFolder()
        let log = root.path + "/starts"
        let emulator = try Emulator(["--init-timeout", "1"], command: runtime(logging: log, then: "exec sleep 3600"))
        let began = Date()
        let reply = try #require(emulator.post("{}", timeout: 15)?.reply(), "no answer: \(emulator.host.stderr)")
        #expect(Date().timeIntervalSince(began) < 5)
        #expect(reply.headers["x-amz-function-error"] == "Unhandled")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        #expect(document["errorType"] as? String == "Sandbox.Timedout")
        let message = try #require(document["errorMessage"] as? String)
        #expect(message.contains("INIT timed out after 1.00 seconds"), "\(message)")
        #expect(message.contains("/2018-06-01/runtime/invocation/next"), "\(message)")
        #expect(emulator.host.waitForLog("INIT_REPORT Init Duration: "))
        #expect(emulator.host.stderr.contains("Phase: init\tStatus: timeout"))
        // The next invocation gets a fresh runtime.
        #expect(emulator.post("{}", timeout: 15)?.reply() != nil)
        #expect(starts(log).count == 2)
    }

    @Test func serveBoundsAPluginsInitAndSaysWhy() throws {
        let root = try TemporaryFolder()
        let library = root.path + "/libslowinit.so"
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <unistd.h>
            static lambda_status slow(const lambda_host_api *host, void **state) { sleep(30); return LAMBDA_OK; }
            LAMBDA_PLUGIN_DEFINE("slowinit", "1", slow, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "late", 4); }
            """, to: library)
        let host = try HostProcess(
            handler: nil, api: nil, arguments: ["serve", "--port", "0", "--init-timeout", "1", "--handler", library])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        #expect(host.waitForLog("did not start (Sandbox.Timedout: INIT timed out after 1.00 seconds"), "\(host.stderr)")
        let began = Date()
        let reply = try #require(HTTPPost.invoke(port: port, "{}"))
        #expect(Date().timeIntervalSince(began) < 10)
        #expect(reply.body.contains(#""errorType":"Sandbox.Timedout""#), "\(reply.body)")
        #expect(reply.body.contains("INIT timed out after 1.00 seconds"))
    }

    @Test func theInitTimeoutIsRangeChecked() throws {
        for value in ["0", "901", "-1", "99999999999999999999"] {
            let outcome = try runCommand(BuildProducts.host, ["emulate", "--init-timeout", value, "--", "true"])
            #expect(outcome.status == 64, "--init-timeout \(value): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--init-timeout"), "--init-timeout \(value): \(outcome.stderr)")
        }
    }

    @Test func aLateInitErrorIsRefusedAndChangesNothing() throws {
        let emulator = try Emulator()
        let waiting = try #require(emulator.post("first"))
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let late = try #require(
            emulator.post(
                api: "/2018-06-01/runtime/init/error", body: Array(#"{"errorMessage":"late","errorType":"Late"}"#.utf8),
                headers: [("Lambda-Runtime-Function-Error-Type", "Late")]))
        #expect(late.status == 403)
        #expect(late.text.contains(#""errorType":"InvalidStateTransition""#), "\(late.text)")
        #expect(late.text.contains("State transition from Running to InitError failed for runtime"), "\(late.text)")
        let answered = emulator.post(api: "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("fine".utf8))
        #expect(answered?.status == 202)
        #expect(waiting.reply()?.text == "fine")
        // Between invocations too; and the next invocation is served as usual.
        let second = try #require(emulator.post("second"))
        let (_, next) = try #require(emulator.next())
        let secondID = try #require(next.headers["lambda-runtime-aws-request-id"])
        _ = emulator.post(api: "/2018-06-01/runtime/invocation/\(secondID)/response", body: Array("also fine".utf8))
        #expect(second.reply()?.text == "also fine")
        let idle = emulator.post(api: "/2018-06-01/runtime/init/error", body: Array("{}".utf8))
        #expect(idle?.status == 403)
        #expect(idle?.text.contains("State transition from Ready to InitError") == true)
    }
}
