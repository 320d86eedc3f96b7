import Foundation
import Glibc
import Testing

/// AWS_LAMBDA_MAX_CONCURRENCY = N, the process model (docs/concurrency.md): the real host
/// binary forks N workers against a concurrent Runtime API (concurrent-runtime-api.py)
/// that records every invocation; real plugins compiled by the test.
@Suite struct ConcurrencyTests {
    /// A plugin that logs "handling <request id>", waits 200 ms and answers
    /// "<request id> <pid> <trace-env|no-trace-env>";
    /// the event "crash" crashes it (once WORKER_CRASH_WITH handlers run, when set).
    /// WORKER_INIT=fail fails its init hook, WORKER_INIT=crash crashes in it; its shutdown hook appends
    /// "shutdown <pid> running=<handlers running>" to the file WORKER_SHUTDOWN_FILE names.
    static let source = """
        #include <lambda_plugin.h>
        #include <fcntl.h>
        #include <stdatomic.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>

        static lambda_status worker_init(const lambda_host_api *host, void **state) {
            *state = NULL;
            const char *mode = getenv("WORKER_INIT");
            if (mode && strcmp(mode, "crash") == 0) *(volatile int *)NULL = 1;
            if (mode && strcmp(mode, "fail") == 0) {
                host->fail(NULL, "Worker.InitFailed", "the worker was told to fail its init hook");
                return LAMBDA_ERROR;
            }
            return LAMBDA_OK;
        }

        static _Atomic int running;

        static void worker_shutdown(void *state) {
            (void)state;
            const char *path = getenv("WORKER_SHUTDOWN_FILE");
            if (path == NULL) return;
            char line[64];
            int n = snprintf(line, sizeof line, "shutdown %d running=%d\\n", (int)getpid(), atomic_load(&running));
            int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
            if (fd >= 0) { write(fd, line, (size_t)n); close(fd); }
        }

        LAMBDA_PLUGIN_DEFINE("worker", "1.0.0", worker_init, worker_shutdown)

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            char note[128];
            int noted = snprintf(note, sizeof note, "handling %s", inv->request_id);
            inv->host->log(inv, LAMBDA_LOG_INFO, note, (size_t)noted);
            atomic_fetch_add(&running, 1);
            if (inv->payload_size == 5 && memcmp(inv->payload, "crash", 5) == 0) {
                /* With threads: crash once WORKER_CRASH_WITH handlers (this one too) run. */
                const char *with = getenv("WORKER_CRASH_WITH");
                for (int waited = 0; with && atomic_load(&running) < atoi(with) && waited < 5000; waited++) usleep(1000);
                *(volatile int *)NULL = 1;
            }
            usleep(200000);
            char out[256];
            int n = snprintf(out, sizeof out, "%s %d %s", inv->request_id, (int)getpid(),
                             getenv("_X_AMZN_TRACE_ID") ? "trace-env" : "no-trace-env");
            lambda_status status = inv->host->respond(inv, out, (size_t)n);
            atomic_fetch_sub(&running, 1);
            return status;
        }
        """

    /// The compiled plugin's task root: libworker.so, and libworkersafe.so, the same
    /// plugin declaring LAMBDA_PLUGIN_THREAD_SAFE.
    static let taskRoot: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concurrency-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            try compilePlugin(source, to: folder + "/libworker.so")
            let safe = source.replacingOccurrences(
                of: #"LAMBDA_PLUGIN_DEFINE("worker", "1.0.0", worker_init, worker_shutdown)"#,
                with: #"LAMBDA_PLUGIN_DEFINE_FLAGS("worker", "1.0.0", worker_init, worker_shutdown, LAMBDA_PLUGIN_THREAD_SAFE)"#)
            try compilePlugin(safe, to: folder + "/libworkersafe.so")
        } catch {
            Issue.record("cannot compile the worker plugin: \(error)")
        }
        return folder
    }()

    static func host(
        _ api: ConcurrentRuntimeAPI, concurrency: String?, handler: String = "libworker.so", _ extra: [String: String] = [:]
    ) throws -> HostProcess {
        var environment = ["AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_LOG_FORMAT": "JSON"]
        if let concurrency { environment["AWS_LAMBDA_MAX_CONCURRENCY"] = concurrency }
        return try HostProcess(
            handler: handler, api: nil, taskRoot: Self.taskRoot, environment: environment.merging(extra) { $1 })
    }

    func host(_ api: ConcurrentRuntimeAPI, concurrency: String?, _ extra: [String: String] = [:]) throws -> HostProcess {
        try Self.host(api, concurrency: concurrency, extra)
    }

    @Test func fourWorkersRunFourInvocationsAtOnce() throws {
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "wait", count: 12))
        let host = try host(api, concurrency: "4")
        let report = try #require(api.waitFor { $0.answered.count == 12 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 12, "stderr: \(host.stderr)")
        #expect(report.maxInFlight == 4)
        #expect(report.unknownAnswers == 0)
        // Each answer carries its own request id, from a worker that never saw the
        // process-wide trace variable.
        var pids = Set<String>()
        for invocation in report.invocations {
            let words = (invocation.body ?? "").split(separator: " ").map(String.init)
            #expect(invocation.kind == "response")
            #expect(words.first == invocation.id)
            #expect(words.last == "no-trace-env")
            if words.count == 3 { pids.insert(words[1]) }
        }
        #expect(pids.count == 4)
        // One Runtime API connection per worker, kept alive.
        #expect(Set(report.nextPorts).count == 4)
        // The supervisor plus four workers; the supervisor runs one thread and loads nothing.
        let supervisor = host.process.processIdentifier
        #expect(ProcessWatch.children(of: supervisor).count == 4)
        #expect(ProcessWatch.threads(of: supervisor) == 1)
        let maps = (try? String(contentsOfFile: "/proc/\(supervisor)/maps", encoding: .utf8)) ?? "libworker.so"
        #expect(!maps.contains("libworker.so"))
        host.terminate()
        #expect(host.waitForExit() == 0)
        #expect(host.stderr.contains("starting 3 more worker processes"))
    }

    @Test func aCrashedWorkerIsReplaced() throws {
        let api = try ConcurrentRuntimeAPI(payloads: ["wait", "crash"] + Array(repeating: "wait", count: 8))
        let host = try host(api, concurrency: "4")
        let report = try #require(api.waitFor { $0.answered.count == 10 }, "stderr: \(host.stderr)")
        #expect(report.answered.count == 10, "stderr: \(host.stderr)")
        for invocation in report.invocations {
            if invocation.payload == "crash" {
                #expect(invocation.kind == "error")
                #expect(invocation.errorType == "Runtime.Crash")
            } else {
                #expect(invocation.kind == "response")
                #expect(invocation.body?.hasPrefix(invocation.id + " ") == true)
            }
        }
        #expect(report.maxInFlight <= 4)
        #expect(host.waitForLog("a new worker starts in"))
        let supervisor = host.process.processIdentifier
        #expect(ProcessWatch.until(20) { ProcessWatch.children(of: supervisor).count == 4 })
        #expect(host.process.isRunning)
        host.terminate()
        #expect(host.waitForExit() == 0)
    }

    @Test(arguments: [
        ("libworker.so", ["WORKER_INIT": "fail"], "Worker.InitFailed"),
        ("libProbe.so", ["PROBE_INIT": "crash"], "Runtime.Crash"),
        // A thread-safe plugin's crash during INIT is INIT's, not another invocation's.
        ("libworkersafe.so", ["WORKER_INIT": "crash"], "Runtime.Crash"),
    ])
    func oneInitErrorReachesTheRuntimeAPI(handler: String, environment: [String: String], type: String) throws {
        let api = try ConcurrentRuntimeAPI(payloads: ["wait"])
        var settings = ["AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_MAX_CONCURRENCY": "4"]
        settings.merge(environment) { $1 }
        let taskRoot = handler.hasPrefix("libworker") ? Self.taskRoot : BuildProducts.folder.path
        let host = try HostProcess(handler: handler, api: nil, taskRoot: taskRoot, environment: settings)
        let status = try #require(host.waitForExit())
        #expect(status != 0)
        let report = try #require(api.report())
        #expect(report.initErrors.count == 1, "stderr: \(host.stderr)")
        #expect(report.initErrors.allSatisfy { !$0.contains("another invocation") && $0.contains(type) }, "\(report.initErrors)")
        #expect(report.nextPorts.isEmpty)
        #expect(host.stderr.contains(type))
        #expect(host.stderr.contains("reported an init error"))
    }

    @Test func sigtermRunsEachWorkersShutdownHook() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shutdown-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let api = try ConcurrentRuntimeAPI(payloads: [])
        let host = try host(api, concurrency: "3", ["WORKER_SHUTDOWN_FILE": file])
        // Every worker is past INIT once it asks for an invocation.
        let ready = api.waitFor { Set($0.nextPorts).count == 3 }
        #expect(ready.map { Set($0.nextPorts).count } == 3, "stderr: \(host.stderr)")
        let workers = Set(ProcessWatch.children(of: host.process.processIdentifier).map { "shutdown \($0) running=0" })
        host.terminate()
        #expect(host.waitForExit() == 0)
        let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(Set(lines) == workers)
    }

    @Test func workersThatKeepDyingEndTheSupervisor() throws {
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "crash", count: 20))
        let host = try host(api, concurrency: "2")
        #expect(host.waitForExit() == 1)
        let report = try #require(api.report())
        // Each death is one invocation answered with its crash; the eleventh within 10 s ends it.
        #expect(report.answered.count == 11, "stderr: \(host.stderr)")
        #expect(report.answered.allSatisfy { $0.errorType == "Runtime.Crash" })
        #expect(host.stderr.contains("more than 10 workers ended within 10 s"))
        #expect(ProcessWatch.children(of: host.process.processIdentifier).isEmpty)
    }

    @Test func noWorkerOutlivesAKilledSupervisor() throws {
        let api = try ConcurrentRuntimeAPI(payloads: [])
        let host = try host(api, concurrency: "3")
        let ready = api.waitFor { Set($0.nextPorts).count == 3 }
        #expect(ready.map { Set($0.nextPorts).count } == 3, "stderr: \(host.stderr)")
        let workers = ProcessWatch.children(of: host.process.processIdentifier)
        #expect(workers.count == 3)
        kill(host.process.processIdentifier, SIGKILL)
        #expect(ProcessWatch.until(10) { workers.allSatisfy(ProcessWatch.isGone) })
    }

    @Test(arguments: [nil, "1", "0", "abc", "5000"])
    func oneInvocationAtATimeOtherwise(concurrency: String?) throws {
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "wait", count: 3))
        let host = try host(api, concurrency: concurrency)
        let report = try #require(api.waitFor { $0.answered.count == 3 }, "stderr: \(host.stderr)")
        #expect(report.maxInFlight == 1)
        #expect(Set(report.nextPorts).count == 1)
        #expect(report.answered.allSatisfy { $0.body?.hasSuffix(" trace-env") == true })
        #expect(ProcessWatch.children(of: host.process.processIdentifier).isEmpty)
        let warned = host.stderr.contains("AWS_LAMBDA_MAX_CONCURRENCY is '\(concurrency ?? "")', not a number in 1...1024")
        #expect(warned == (concurrency.map { Int($0) == nil || !(1...1024).contains(Int($0) ?? 0) } ?? false))
        host.terminate()
        #expect(host.waitForExit() == 0)
    }
}
