import Foundation
import Glibc
import Testing

/// AWS_LAMBDA_MAX_CONCURRENCY = N with a plugin that declares LAMBDA_PLUGIN_THREAD_SAFE
/// (docs/concurrency.md): one worker process runs N threads after one INIT. The real host
/// against concurrent-runtime-api.py, with ConcurrencyTests' plugin built thread-safe.
@Suite struct ThreadModelTests {
    static let safe = "libworkersafe.so"

    /// The JSON log lines of `text` as objects.
    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    @Test func fourInvocationsRunAtOnceOnThreadsOfOneWorkerProcess() throws {
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "wait", count: 12))
        let host = try ConcurrencyTests.host(api, concurrency: "4", handler: Self.safe)
        let report = try #require(api.waitFor { $0.answered.count == 12 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 12, "stderr: \(host.stderr)")
        #expect(report.maxInFlight == 4)
        #expect(report.unknownAnswers == 0)
        let supervisor = host.process.processIdentifier
        let children = ProcessWatch.children(of: supervisor)
        #expect(children.count == 1)
        let worker = try #require(children.first)
        // One INIT: every answer comes from the one worker process, none saw the trace variable.
        for invocation in report.invocations {
            let words = (invocation.body ?? "").split(separator: " ").map(String.init)
            #expect(invocation.kind == "response")
            #expect(words == [invocation.id, String(worker), "no-trace-env"])
        }
        // One Runtime API connection per thread.
        #expect(Set(report.nextPorts).count == 4)
        #expect(ProcessWatch.threads(of: worker) >= 4)
        #expect(host.stderr.contains("one worker process runs 4 threads"))
        // Each plugin line carries the request id of its own invocation.
        let handling = Self.jsonLines(host.stderr).filter { ($0["message"] as? String)?.hasPrefix("handling ") == true }
        #expect(handling.count == 12)
        for line in handling {
            #expect(line["message"] as? String == "handling \(line["requestId"] as? String ?? "-")")
        }
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    @Test func aCrashAnswersEveryInvocationInFlightAndTheProcessIsReplaced() throws {
        let api = try ConcurrentRuntimeAPI(payloads: ["wait", "wait", "crash", "wait", "wait", "wait"])
        let host = try ConcurrencyTests.host(api, concurrency: "3", handler: Self.safe, ["WORKER_CRASH_WITH": "3"])
        let report = try #require(api.waitFor { $0.answered.count == 6 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 6, "stderr: \(host.stderr)")
        #expect(report.unknownAnswers == 0)
        let crashed = report.invocations.filter { $0.kind == "error" }
        // The crashing handler's invocation in its own words; the two running beside it
        // are told that another one ended the process.
        #expect(crashed.count == 3, "\(report.invocations)")
        for invocation in crashed {
            #expect(invocation.errorType == "Runtime.Crash")
            let cut = invocation.body?.contains("another invocation in this process ended it") == true
            #expect(cut == (invocation.payload != "crash"), "\(invocation.body ?? "")")
            #expect(invocation.body?.contains("SIGSEGV") == true)
        }
        // The replacement process answers the rest.
        #expect(report.invocations.filter { $0.kind == "response" }.count == 3)
        #expect(host.process.isRunning)
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    @Test func theShutdownHookRunsOnceAfterEveryWorkerIsIdle() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "thread-shutdown-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let api = try ConcurrentRuntimeAPI(payloads: ["wait", "wait", "wait"])
        let host = try ConcurrencyTests.host(api, concurrency: "3", handler: Self.safe, ["WORKER_SHUTDOWN_FILE": file])
        // SIGTERM while three handlers run their 200 ms.
        let busy = api.waitFor { $0.invocations.count == 3 }
        #expect(busy?.invocations.count == 3, "stderr: \(host.stderr)")
        let worker = ProcessWatch.children(of: host.process.processIdentifier).first ?? 0
        host.terminate()
        #expect(host.waitForExit() == 0)
        let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(lines == ["shutdown \(worker) running=0"])
        #expect(api.report()?.answered.count == 3)
    }

    @Test(arguments: ["libworker.so", safe])
    func aServerErrorOnNextIsRetriedWhileOtherWorkersGoOn(handler: String) throws {
        let api = try ConcurrentRuntimeAPI(payloads: ["wait", "!500", "wait", "wait", "wait", "wait"])
        let host = try ConcurrencyTests.host(api, concurrency: "2", handler: handler)
        let report = try #require(api.waitFor { $0.answered.count == 5 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 5, "stderr: \(host.stderr)")
        #expect(report.nextErrors == 1)
        #expect(host.stderr.contains("trying again in 100 ms"), "\(host.stderr)")
        #expect(host.process.isRunning)
        // No worker was replaced: the error was retried where it happened.
        #expect(!host.stderr.contains("a new worker starts"))
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    /// Retries are bounded: a thread that gets 500 six times in a row ends its process
    /// (status 1, after 100 + 200 + 400 + 800 + 1,600 ms of pauses), and the supervisor
    /// starts another.
    @Test func aRuntimeAPIThatKeepsFailingEndsTheProcessAfterTheLastRetry() throws {
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "!500", count: 12))
        let host = try ConcurrencyTests.host(api, concurrency: "2", handler: Self.safe)
        #expect(host.waitForLog("(6 tries in a row); exiting", timeout: 30), "\(host.stderr)")
        #expect(host.waitForLog("ended with status 1; a new worker starts", timeout: 30), "\(host.stderr)")
        // The replacement takes what the ended process left.
        #expect(api.waitFor { $0.nextErrors == 12 }?.nextErrors == 12)
        for pause in [100, 200, 400, 800, 1600] {
            #expect(host.stderr.contains("trying again in \(pause) ms"))
        }
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    /// The worker process is a fork of the supervisor, and the Swift runtime caches each
    /// thread's id for its locks: the child's main thread (worker 0) must not take the
    /// runtime's locks under its parent's id, or a second thread waiting on one hangs both
    /// for ever (the fork handler in CLambdaStartup/fork_thread_id.c). Worker 0 holds a
    /// `swift_once` of the host's runtime for 300 ms while worker 1 waits on it.
    static let onceSource = """
        #include <lambda_plugin.h>
        #include <sys/syscall.h>
        #include <unistd.h>

        extern void swift_once(void *predicate, void (*fn)(void *), void *context);
        static _Alignas(16) char token[64];

        static void slow(void *context) { (void)context; usleep(300000); }

        LAMBDA_PLUGIN_DEFINE_FLAGS("once", "1.0.0", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            int main_thread = syscall(SYS_gettid) == getpid();
            if (!main_thread) usleep(100000);
            swift_once(token, slow, NULL);
            return inv->host->respond(inv, main_thread ? "main" : "other", main_thread ? 4 : 5);
        }
        """

    @Test func aForkedWorkersMainThreadAndAnotherShareTheSwiftRuntimesLocks() throws {
        let root = try TemporaryFolder()
        try compilePlugin(Self.onceSource, to: root.path + "/libonce.so")
        let api = try ConcurrentRuntimeAPI(payloads: ["{}", "{}"])
        let host = try HostProcess(
            handler: "libonce.so", api: nil, taskRoot: root.path,
            environment: ["AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_MAX_CONCURRENCY": "2"])
        let report = try #require(api.waitFor(20) { $0.answered.count == 2 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 2, "stderr: \(host.stderr)")
        #expect(Set(report.invocations.compactMap(\.body)) == ["main", "other"])
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    /// A plain C function called through libffi: threads when its library declares it
    /// safe (`lambda_thread_safe_<function>`), worker processes otherwise.
    @Test(arguments: [true, false])
    func aLibffiFunctionGetsThreadsOnlyWhenItsLibraryDeclaresThem(declared: Bool) throws {
        let root = try TemporaryFolder()
        let source = """
            #include <unistd.h>
            double slow_square(double x) { usleep(200000); return x * x; }
            const char lambda_signature_slow_square[] = "slow_square(x:f64)->f64";
            \(declared ? "const int lambda_thread_safe_slow_square = 1;" : "")
            """
        try source.write(toFile: root.path + "/square.c", atomically: true, encoding: .utf8)
        _ = try FixtureCompiler.library(root.path + "/libsquare.so", from: [root.path + "/square.c"])
        // Each worker's own call arguments: every answer is its own event's square.
        let api = try ConcurrentRuntimeAPI(payloads: (1...8).map { #"{"x":\#($0)}"# })
        let host = try HostProcess(
            handler: "libsquare.so:slow_square", api: nil, taskRoot: root.path,
            environment: ["AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_MAX_CONCURRENCY": "4"])
        let report = try #require(api.waitFor { $0.answered.count == 8 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 8)
        #expect(report.maxInFlight == 4)
        for invocation in report.invocations {
            let x = Int(invocation.payload.filter(\.isNumber)) ?? 0
            #expect(invocation.body == #"{"result":\#(x * x).0}"#, "\(invocation.payload): \(invocation.body ?? "-")")
        }
        let children = ProcessWatch.children(of: host.process.processIdentifier)
        #expect(children.count == (declared ? 1 : 4))
        let model = declared ? "one worker process runs 4 threads" : "starting 3 more worker processes"
        #expect(host.stderr.contains(model), "\(host.stderr)")
        host.terminate()
        #expect(host.waitForExit() == 0)
    }
}
