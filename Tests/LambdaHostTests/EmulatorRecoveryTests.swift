import Foundation
import Glibc
import Testing

/// How the emulator recovers from a runtime that exits, stalls or fails, played by the test
/// over raw sockets on `emulate`'s Runtime API port: an answer already on its way is
/// delivered, a runtime started by hand keeps working, and a runtime that reported an init
/// error is replaced.
@Suite struct EmulatorRecoveryTests {
    /// A runtime command that writes its pid to `file`, then waits for the test to play it.
    func placeholder(_ file: String) -> [String] {
        ["sh", "-c", "echo $$ > '\(file)'; exec sleep 3600"]
    }

    @Test func aResponseStillArrivingWhenTheRuntimeExitsIsDelivered() throws {
        let root = try TemporaryFolder()
        let pidFile = root.path + "/pid"
        let emulator = try Emulator(command: placeholder(pidFile))
        let caller = try #require(emulator.post("{}"))
        let runtime = try #require(ProcessWatch.pid(in: pidFile))
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        // The answer's first half is in, then the runtime process exits (as when waitpid
        // reports an exit before the event loop has read the last bytes of the socket).
        let connection = try #require(RawHTTP(port: emulator.api))
        // A first request and its reply: the emulator has taken the connection.
        connection.request("GET", "/2018-06-01/ping")
        #expect(connection.reply()?.status == 404)
        connection.send("POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nansw")
        kill(runtime, SIGKILL)
        // The caller is not told the runtime exited while the answer is still coming.
        #expect(RawHTTP.readable([caller], waitingMs: 500).isEmpty, "the caller was answered before the response ended")
        connection.send("ered")
        #expect(connection.reply()?.status == 202)
        let reply = try #require(caller.reply(), "no answer: \(emulator.host.stderr)")
        #expect(reply.text == "answered", "\(reply.text)")
    }

    @Test func aRuntimeStartedByHandStillGetsWorkAfterATimeout() throws {
        let emulator = try Emulator(["--timeout", "1", "--init-timeout", "3"])
        let slow = try #require(emulator.post("slow"))
        let (_, first) = try #require(emulator.next())
        #expect(first.text == "slow")
        // Not answered: the deadline passes and the placeholder runtime is stopped.
        #expect(try #require(slow.reply()).text.contains("Sandbox.Timedout"))
        // The runtime started by hand asks again while the emulator replaces the placeholder.
        let asking = try #require(RawHTTP(port: emulator.api, timeout: 15))
        asking.request("GET", "/2018-06-01/runtime/invocation/next")
        for event in ["a", "b"] {
            let caller = try #require(emulator.post(event))
            let invocation = try #require(asking.reply(), "the hand-run runtime got no work: \(emulator.host.stderr)")
            #expect(invocation.text == event)
            let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
            let answer = try #require(RawHTTP(port: emulator.api))
            answer.request("POST", "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("done \(event)".utf8))
            #expect(answer.reply()?.status == 202)
            #expect(caller.reply()?.text == "done \(event)")
            asking.request("GET", "/2018-06-01/runtime/invocation/next")
        }
    }

    @Test func aRuntimeThatReportsAnInitErrorAndStaysIsReplaced() throws {
        let root = try TemporaryFolder()
        let log = root.path + "/starts"
        let script = """
            import os, time, urllib.request
            open(os.environ["STARTS"], "a").write(f"{os.getpid()}\\n")
            api = os.environ["AWS_LAMBDA_RUNTIME_API"]
            request = urllib.request.Request(f"http://{api}/2018-06-01/runtime/init/error", method="POST",
                data=b'{"errorMessage":"bad config","errorType":"App.InitFailed"}',
                headers={"Lambda-Runtime-Function-Error-Type": "App.InitFailed"})
            urllib.request.urlopen(request).read()
            time.sleep(3600)
            """
        try script.write(toFile: root.path + "/stay.py", atomically: true, encoding: .utf8)
        let emulator = try Emulator(command: ["python3", root.path + "/stay.py"], environment: ["STARTS": log])
        for attempt in 1...2 {
            let reply = try #require(emulator.post("{}", timeout: 15)?.reply(), "attempt \(attempt)")
            #expect(reply.text.contains("App.InitFailed"), "\(reply.text)")
            let pids = starts(log)
            #expect(pids.count == attempt, "attempt \(attempt): \(pids.count) starts")
            // The runtime is stopped, and the next invocation runs INIT again in a fresh one.
            let pid = try #require(pids.last)
            #expect(ProcessWatch.until(10) { ProcessWatch.isGone(pid) }, "the runtime \(pid) stayed after its init error")
        }
    }

    /// The pids of the runtimes started so far.
    func starts(_ log: String) -> [pid_t] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    @Test func aRuntimeThatCannotBeStartedReportsNoInitTimeout() throws {
        let emulator = try Emulator(["--init-timeout", "1"], command: ["/nonexistent/runtime"])
        let reply = try #require(emulator.post("{}", timeout: 15)?.reply())
        #expect(reply.text.contains("/nonexistent/runtime"), "\(reply.text)")
        // The INIT timer starts with a runtime: none started, so no INIT ran out of time.
        #expect(!emulator.host.waitForLog("INIT_REPORT", timeout: 3), "\(emulator.host.stderr)")
    }

    @Test func invocationsArrivingWhileRuntimesExitAreAllAnswered() throws {
        let (host, port) = try LocalDevelopmentTests().serve(["--handler", BuildProducts.plugin("Probe")])
        // Each "exit" ends its runtime while the next callers are arriving.
        let count = 24
        let replies = try #require(
            Replies.concurrently(count, within: 60) { HTTPPost.invoke(port: port, $0 % 2 == 0 ? "exit" : "{}") },
            "callers left waiting: \(host.stderr.suffix(2000))")
        for i in 0..<count {
            #expect(replies.get(i)?.status == 200, "caller \(i)")
        }
    }
}
