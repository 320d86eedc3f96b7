import Foundation
import Glibc
import Testing

/// The host services under ThreadSanitizer (docs/concurrency.md): the host built with
/// `swift build --sanitize=thread` runs a thread-safe plugin on 8 threads that calls every
/// host service at once from its handler threads and threads of its own, outbound calls to
/// a real nginx included, and late calls with pointers of invocations that are over.
@Suite(.serialized) struct ThreadSanitizerTests {
    /// Per invocation: a thread of the plugin logs, reads the remaining time and answers,
    /// while the handler's thread logs, makes two outbound calls and reads their errors;
    /// after the handler returns, a detached thread calls respond and log with the stale
    /// pointer (refused by the host).
    static let source = """
        #include <lambda_plugin.h>
        #include <pthread.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        LAMBDA_PLUGIN_DEFINE_FLAGS("stress", "1.0.0", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)

        static void *answer(void *raw) {
            const lambda_invocation *inv = raw;
            for (int i = 0; i < 20; i++) {
                inv->host->log(inv, LAMBDA_LOG_DEBUG, "from the plugin's thread", 24);
                (void)inv->host->remaining_time_ms(inv);
            }
            return NULL;
        }

        static void *late(void *raw) {
            const lambda_invocation *inv = raw;
            inv->host->respond(inv, "late", 4);
            inv->host->log(inv, LAMBDA_LOG_DEBUG, "late", 4);
            return NULL;
        }

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            pthread_t helper;
            if (pthread_create(&helper, NULL, answer, (void *)inv) != 0) return LAMBDA_ERROR;
            int statuses[2] = {0, 0};
            for (int i = 0; i < 2; i++) {
                lambda_http_response response;
                if (lambda_http_get(inv->host, inv, getenv("STRESS_URL"), &response) == LAMBDA_OK) statuses[i] = response.status;
                else (void)lambda_http_error(inv->host, inv);
                inv->host->log(inv, LAMBDA_LOG_DEBUG, "from the handler", 16);
            }
            pthread_join(helper, NULL);
            char out[64];
            int n = snprintf(out, sizeof out, "ok %d %d", statuses[0], statuses[1]);
            lambda_status status = inv->host->respond(inv, out, (size_t)n);
            pthread_t stale;
            if (pthread_create(&stale, NULL, late, (void *)inv) == 0) pthread_detach(stale);
            return status;
        }
        """

    /// The host built with ThreadSanitizer, in `.build-tsan` beside the package (built once).
    static let sanitizedHost: Result<String, BuildFailure> = {
        let package = BuildProducts.packageRoot.path
        let buildPath = package + "/.build-tsan"
        do {
            let outcome = try runCommand(
                "/usr/bin/env", ["swift", "build", "--package-path", package, "--sanitize=thread", "--product", "lambda-host",
                    "--build-path", buildPath])
            guard outcome.status == 0 else { return .failure(BuildFailure(description: outcome.stderr + outcome.stdout)) }
        } catch {
            return .failure(BuildFailure(description: "\(error)"))
        }
        return .success(buildPath + "/debug/lambda-host")
    }()

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    @Test func everyHostServiceFromEveryThreadIsRaceFree() throws {
        let host = try Self.sanitizedHost.get()
        let nginx = try NginxServer()
        let root = try TemporaryFolder()
        try Self.source.write(toFile: root.path + "/stress.c", atomically: true, encoding: .utf8)
        _ = try FixtureCompiler.library(root.path + "/libstress.so", from: [root.path + "/stress.c"], flags: ["-pthread"])
        let count = 160
        let api = try ConcurrentRuntimeAPI(payloads: Array(repeating: "{}", count: count))
        let runtime = try HostProcess(
            executable: host, handler: "libstress.so", api: nil, taskRoot: root.path,
            environment: [
                "AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_MAX_CONCURRENCY": "8", "AWS_LAMBDA_LOG_LEVEL": "DEBUG",
                "STRESS_URL": nginx.url("/1k"), "TSAN_OPTIONS": "verbosity=1 halt_on_error=0",
            ])
        let report = try #require(api.waitFor(120) { $0.answered.count == count }, "stderr: \(runtime.stderr.suffix(4000))")
        #expect(report.answered.count == count)
        #expect(report.maxInFlight == 8)
        #expect(report.unknownAnswers == 0)
        #expect(report.invocations.allSatisfy { $0.body == "ok 200 200" }, "\(report.invocations.map { $0.body ?? "-" }.prefix(5))")
        runtime.terminate()
        _ = runtime.waitForExit(timeout: 30)
        let stderr = runtime.stderr
        // The sanitizer ran (its banner), it found nothing, and every late call was refused.
        #expect(stderr.contains("Running under ThreadSanitizer"))
        let warnings = stderr.components(separatedBy: "WARNING: ThreadSanitizer")
        #expect(warnings.count == 1, "\(warnings.dropFirst().first?.prefix(6000) ?? "")")
        #expect(stderr.contains("was called with an invocation that is over"))
    }
}
