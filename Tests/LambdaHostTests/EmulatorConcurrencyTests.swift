import Foundation
import Glibc
import Testing

/// `serve` and `emulate` with `--max-concurrency N`, the emulator's Lambda Managed
/// Instances mode: the real binaries, real sockets, the real host's worker processes or
/// the test playing the runtime.
@Suite struct EmulatorConcurrencyTests {
    /// A plugin that waits until `BARRIER` invocations are in its handler at once (each
    /// leaves a file named by its request id in `BARRIER_DIR`; 30 s at most), then answers
    /// "<event>|<files seen>|<AWS_LAMBDA_INITIALIZATION_TYPE>|<AWS_LAMBDA_LOG_FORMAT>".
    static let barrier = """
        #include <lambda_plugin.h>
        #include <dirent.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <time.h>
        #include <unistd.h>

        LAMBDA_PLUGIN_DEFINE("barrier", "1", NULL, NULL)

        static int arrived(const char *dir) {
            int count = 0;
            DIR *folder = opendir(dir);
            if (folder == NULL) return 0;
            struct dirent *entry;
            while ((entry = readdir(folder)) != NULL) if (entry->d_name[0] != '.') count++;
            closedir(folder);
            return count;
        }

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            const char *dir = getenv("BARRIER_DIR");
            int want = atoi(getenv("BARRIER") ? getenv("BARRIER") : "1");
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir ? dir : "/nonexistent", inv->request_id);
            close(open(path, O_WRONLY | O_CREAT, 0644));
            time_t give_up = time(NULL) + 30;
            int seen = arrived(dir);
            while (seen < want && time(NULL) < give_up) {
                usleep(2000);
                seen = arrived(dir);
            }
            const char *type = getenv("AWS_LAMBDA_INITIALIZATION_TYPE");
            const char *format = getenv("AWS_LAMBDA_LOG_FORMAT");
            char out[512];
            int n = snprintf(out, sizeof out, "%.*s|%d|%s|%s", (int)inv->payload_size, (const char *)inv->payload, seen,
                             type ? type : "", format ? format : "");
            return inv->host->respond(inv, out, (size_t)n);
        }
        """

    /// Both of the host's models: worker processes, and threads for a thread-safe plugin.
    @Test(arguments: [false, true])
    func serveRunsFourInvocationsAtOnceOnTheHostsWorkers(threadSafe: Bool) throws {
        let root = try TemporaryFolder()
        let arrivals = root.path + "/arrivals"
        try FileManager.default.createDirectory(atPath: arrivals, withIntermediateDirectories: true)
        let library = root.path + "/libbarrier.so"
        let source = Self.barrier.replacingOccurrences(
            of: #"LAMBDA_PLUGIN_DEFINE("barrier", "1", NULL, NULL)"#,
            with: #"LAMBDA_PLUGIN_DEFINE_FLAGS("barrier", "1", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)"#)
        try compilePlugin(threadSafe ? source : Self.barrier, to: library)
        let host = try HostProcess(
            handler: nil, api: nil,
            arguments: [
                "serve", "--port", "0", "--max-concurrency", "4", "--handler", library, "--env", "BARRIER_DIR=\(arrivals)", "--env", "BARRIER=4",
            ])
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        // Five callers at once: four meet in the handler, the fifth waits for a free worker.
        let replies = try #require(
            Replies.concurrently(5, within: 60) { HTTPPost.invoke(port: port, "event-\($0)") }, "stderr: \(host.stderr)")
        var met = 0
        for i in 0..<5 {
            let fields = (replies.get(i)?.body ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            #expect(replies.get(i)?.status == 200, "caller \(i): \(fields)")
            // Each caller gets the answer to its own event.
            #expect(fields.first == "event-\(i)", "caller \(i): \(fields)")
            #expect(fields.dropFirst(2) == ["lambda-managed-instances", "JSON"], "caller \(i): \(fields)")
            if let seen = fields.dropFirst().first.flatMap({ Int($0) }), seen >= 4 { met += 1 }
        }
        // None gave up waiting: four were in flight at once, and the fifth ran too.
        #expect(met == 5, "stderr: \(host.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: arrivals)) ?? []).count == 5)
        let model = threadSafe ? "one worker process runs 4 threads" : "starting 3 more worker processes"
        #expect(host.stderr.contains(model), "\(host.stderr)")
        host.terminate()
        #expect(host.waitForExit() == 128 + SIGTERM)
    }

    @Test(
        .enabled(
            if: LocalDevelopmentTests.hasAWSRuntimeInterfaceClient,
            "SKIPPED: AWS's awslambdaric is not installed here (pip install awslambdaric); .ci/run installs it"))
    func awsPythonRuntimeClientRunsFourAtOnce() throws {
        let root = try TemporaryFolder()
        let arrivals = root.path + "/arrivals"
        try FileManager.default.createDirectory(atPath: arrivals, withIntermediateDirectories: true)
        try """
            import os, time
            def handler(event, context):
                folder = os.environ["BARRIER_DIR"]
                open(os.path.join(folder, context.aws_request_id), "w").close()
                give_up = time.time() + 30
                while len(os.listdir(folder)) < 4 and time.time() < give_up:
                    time.sleep(0.002)
                return {"got": event, "seen": len(os.listdir(folder)), "pid": os.getpid()}
            """.write(toFile: root.path + "/app.py", atomically: true, encoding: .utf8)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let host = try HostProcess(
            handler: nil, api: nil, environment: ["PATH": path],
            arguments: [
                "emulate", "--port", "0", "--max-concurrency", "4", "--task-root", root.path, "--env", "BARRIER_DIR=\(arrivals)", "--",
                "python3", "-m", "awslambdaric", "app.handler",
            ],
            currentDirectory: root.path)
        let port = try #require(host.invokePort(), "emulate did not start: \(host.stderr)")
        let replies = try #require(
            Replies.concurrently(4, within: 60) { HTTPPost.invoke(port: port, #"{"caller":\#($0)}"#) }, "stderr: \(host.stderr)")
        var workers = Set<Int>()
        for i in 0..<4 {
            let body = replies.get(i)?.body ?? ""
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "caller \(i): \(body)")
            #expect((object["got"] as? [String: Any])?["caller"] as? Int == i, "caller \(i): \(body)")
            #expect(object["seen"] as? Int == 4, "caller \(i): \(body)")
            if let pid = object["pid"] as? Int { workers.insert(pid) }
        }
        // awslambdaric forks one worker process per AWS_LAMBDA_MAX_CONCURRENCY.
        #expect(workers.count == 4)
    }

    /// The invocation a `GET /next` on `connection` got.
    struct HandedOut {
        var connection: RawHTTP
        var reply: RawHTTP.Reply
        var requestID: String { reply.headers["lambda-runtime-aws-request-id"] ?? "" }
        var deadlineMs: Int64 { Int64(reply.headers["lambda-runtime-deadline-ms"] ?? "") ?? 0 }
    }

    @Test func atMostNAreOutAtOnceAndEachAnswerFindsItsOwnCaller() throws {
        let timeout = 60
        let emulator = try Emulator(["--max-concurrency", "2", "--timeout", String(timeout)])
        let callers = try (0..<3).map { try #require(emulator.post("event-\($0)")) }
        // Three workers ask; only two get an invocation.
        let workers = try (0..<3).map { _ in try #require(RawHTTP(port: emulator.api)) }
        for worker in workers { worker.request("GET", "/2018-06-01/runtime/invocation/next") }
        var ready: [Int] = []
        #expect(ProcessWatch.until(20) {
            ready = RawHTTP.readable(workers, waitingMs: 100)
            return ready.count >= 2
        })
        try #require(ready.count == 2, "handed out: \(ready)")
        let first = try ready.map { HandedOut(connection: workers[$0], reply: try #require(workers[$0].reply())) }
        let waiting = try #require(Set(0..<3).subtracting(ready).first)
        // Answering one (on a connection of its own: answers go by request id) frees a
        // slot, and only then is the third handed out: its deadline starts after the answer.
        let answeredAt = Int64(Date().timeIntervalSince1970 * 1000)
        let path = "/2018-06-01/runtime/invocation/\(first[1].requestID)/response"
        #expect(emulator.post(api: path, body: Array("done:\(first[1].reply.text)".utf8))?.status == 202)
        let third = HandedOut(connection: workers[waiting], reply: try #require(workers[waiting].reply()))
        #expect(third.deadlineMs >= answeredAt + Int64(timeout) * 1000, "handed out before a slot was free")
        #expect(Set([first[0].requestID, first[1].requestID, third.requestID]).count == 3)
        // The rest are answered on other connections than the ones they came on, in
        // another order.
        for invocation in [third, first[0]] {
            let answer = "done:\(invocation.reply.text)"
            let reply = emulator.post(api: "/2018-06-01/runtime/invocation/\(invocation.requestID)/response", body: Array(answer.utf8))
            #expect(reply?.status == 202)
        }
        for (i, caller) in callers.enumerated() {
            #expect(caller.reply()?.text == "done:event-\(i)", "caller \(i)")
        }
    }

    @Test func aTimeoutEndsOnlyItsInvocationAndALateAnswerGets410() throws {
        let emulator = try Emulator(["--max-concurrency", "2", "--timeout", "1"])
        let caller = try #require(emulator.post("slow"))
        let (worker, invocation) = try #require(emulator.next())
        let id = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let tool = emulator.host.process.processIdentifier
        #expect(ProcessWatch.until(20) { ProcessWatch.children(of: tool).count == 1 })
        let runtime = ProcessWatch.children(of: tool)
        let timedOut = try #require(caller.reply())
        #expect(timedOut.headers["x-amz-function-error"] == "Unhandled")
        #expect(timedOut.text.contains(#""errorType":"Sandbox.Timedout""#), "\(timedOut.text)")
        #expect(timedOut.text.contains("Task timed out after 1.00 seconds"))

        let base = "/2018-06-01/runtime/invocation/"
        let late = try #require(emulator.post(api: base + id + "/response", body: Array("too late".utf8)))
        #expect(late.status == 410)
        #expect(late.text.contains(#""errorType":"InvokeTimeout""#), "\(late.text)")
        // Told once, as AWS's emulator does; then the id is unknown.
        #expect(emulator.post(api: base + id + "/error", body: Array("{}".utf8))?.status == 400)
        let unknown = try #require(emulator.post(api: base + "no-such-id/response", body: Array("x".utf8)))
        #expect(unknown.status == 400)
        #expect(unknown.text.contains(#""errorType":"InvalidRequestID""#))

        // The runtime was not stopped: the same process, and the same connection gets the
        // next invocation.
        #expect(ProcessWatch.children(of: tool) == runtime)
        let next = try #require(emulator.post("after"))
        worker.request("GET", "/2018-06-01/runtime/invocation/next")
        let second = try #require(worker.reply())
        #expect(second.text == "after")
        let secondID = try #require(second.headers["lambda-runtime-aws-request-id"])
        #expect(emulator.post(api: base + secondID + "/response", body: Array("on time".utf8))?.status == 202)
        #expect(next.reply()?.text == "on time")
        #expect(ProcessWatch.children(of: tool) == runtime)
    }

    @Test(arguments: [
        (["--max-concurrency", "3"], [String: String](), "MC=3 IT=lambda-managed-instances LF=JSON"),
        (["--max-concurrency", "3"], ["AWS_LAMBDA_LOG_FORMAT": "Text"], "MC=3 IT=lambda-managed-instances LF=Text"),
        ([], [:], "MC=unset IT=on-demand LF=unset"),
    ])
    func theRuntimeIsToldTheMode(flags: [String], environment: [String: String], expected: String) throws {
        let script = #"echo "MC=${AWS_LAMBDA_MAX_CONCURRENCY-unset} IT=$AWS_LAMBDA_INITIALIZATION_TYPE LF=${AWS_LAMBDA_LOG_FORMAT-unset}"; exec sleep 3600"#
        let emulator = try Emulator(flags, command: ["/bin/sh", "-c", script], environment: environment)
        // The runtime starts with the first invocation.
        let caller = emulator.post("{}")
        #expect(emulator.host.waitForLog("MC="), "\(emulator.host.stderr)")
        let line = emulator.host.stderr.split(separator: "\n").first { $0.hasPrefix("MC=") }.map(String.init)
        #expect(line == expected)
        _ = caller
    }

    @Test(arguments: ["0", "1025", "-2", "many"])
    func aMaxConcurrencyOutOfRangeIsAUsageError(value: String) throws {
        for command in [["emulate", "--max-concurrency", value, "--", "true"], ["serve", "--max-concurrency", value, "--handler", BuildProducts.plugin("Hello")]] {
            let outcome = try runCommand("/usr/bin/timeout", ["30", BuildProducts.host] + command)
            #expect(outcome.status == 64, "\(command): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--max-concurrency"), "\(command): \(outcome.stderr)")
        }
    }

    @Test func theHelpExplainsTheFlagWithAnExample() throws {
        for command in ["serve", "emulate"] {
            let help = try runCommand(BuildProducts.host, [command, "--help"]).stdout
            let flowing = help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(flowing.contains("--max-concurrency <n>"), "\(command): \(help)")
            #expect(flowing.contains("Example: --max-concurrency 4"), "\(command): \(help)")
            #expect(flowing.contains("410 InvokeTimeout"), "\(command): \(help)")
        }
    }
}
