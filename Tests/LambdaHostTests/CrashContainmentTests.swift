import Foundation
import Glibc
import Testing

/// A plugin that crashes or calls exit() still gets exactly one error posted for what was
/// in flight (the invocation, its stream, or INIT), naming the signal and where it struck;
/// then the process dies as it would have, so that Lambda restarts the environment.
@Suite struct CrashContainmentTests {
    /// The outcome of one invocation that ends the host.
    struct Crash {
        var answer: TestRuntimeAPI.Request
        var type: String
        var message: String
        var frames: [String]
        var signal: Int32?
        var exitStatus: Int32?
        var answers: Int
        var stderr: String
    }

    /// Runs `event` on `handler` and returns the one answer and how the host ended.
    func crash(
        _ event: String, handler: String = "libProbe.so", environment: [String: String] = [:]
    ) throws -> Crash {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: handler, api: api, environment: environment)
        api.enqueue("crash-1", event, headers: [("Lambda-Runtime-Invocation-Id", "inv-77")])
        let answer = try #require(api.answer(to: "crash-1"))
        let status = host.waitForExit()
        // A response or a stream is not an error document.
        let body = jsonObject(answer) ?? [:]
        return Crash(
            answer: answer, type: body["errorType"] as? String ?? "", message: body["errorMessage"] as? String ?? "",
            frames: body["stackTrace"] as? [String] ?? [], signal: host.terminationSignal,
            exitStatus: host.terminationSignal == nil ? status : nil,
            answers: api.received.filter { $0.path.contains("/invocation/crash-1/") }.count, stderr: host.stderr)
    }

    @Test func aNullDereferenceIsTheInvocationsErrorThenTheProcessDiesOfSIGSEGV() throws {
        let crash = try crash("crash-null")
        #expect(crash.answer.path == "/2018-06-01/runtime/invocation/crash-1/error")
        #expect(crash.answer.headers["lambda-runtime-function-error-type"] == "Runtime.Crash")
        #expect(crash.answer.headers["lambda-runtime-invocation-id"] == "inv-77")
        #expect(crash.answer.headers["content-type"] == "application/vnd.aws.lambda.error+json")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("SIGSEGV"))
        #expect(crash.message.contains("libProbe.so+0x"))
        #expect(crash.message.contains("(probe_crash_null+0x"))
        #expect(crash.message.contains("accessing address 0x0"))
        #expect(crash.frames.first?.hasPrefix("libProbe.so+0x") == true)
        #expect(crash.frames.contains { $0.contains("(handler+0x") })
        #expect(crash.signal == SIGSEGV)
        #expect(crash.answers == 1)
        // The log says it too, with the request id, and that the service took the report.
        #expect(crash.stderr.contains("[FATAL]\tcrash-1\tlambda-host: Runtime.Crash: the handler crashed: SIGSEGV"))
        #expect(crash.stderr.contains("(reported: 202)"))
    }

    @Test func abortIsReportedWithThePluginFrameThatCalledIt() throws {
        let crash = try crash("abort")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("SIGABRT"))
        #expect(crash.message.contains("called from libProbe.so+0x"))
        #expect(crash.message.contains("(handler+0x"))
        #expect(crash.signal == SIGABRT)
        #expect(crash.answers == 1)
    }

    @Test func aSwiftTrapIsReportedInsideTheSwiftPlugin() throws {
        let crash = try crash("trap", handler: "libSwiftTrap.so")
        #expect(crash.type == "Runtime.Crash")
        #if arch(x86_64)
            #expect(crash.message.contains("SIGILL"))
            #expect(crash.signal == SIGILL)
        #else
            #expect(crash.message.contains("SIGTRAP"))
            #expect(crash.signal == SIGTRAP)
        #endif
        #expect(crash.message.contains("libSwiftTrap.so+0x"))
        #expect(crash.frames.contains { $0.hasPrefix("libSwiftTrap.so+0x") && $0.contains("(handler+0x") })
        #expect(crash.answers == 1)
    }

    @Test func aCTrapAndAnIntegerDivisionByZeroAreReportedToo() throws {
        let trap = try crash("trap")
        #expect(trap.type == "Runtime.Crash")
        #expect(trap.message.contains("libProbe.so+0x"))
        #if arch(x86_64)
            #expect(trap.signal == SIGILL)
            // arm64 does not trap on an integer division by zero.
            let divide = try crash("divide-zero")
            #expect(divide.message.contains("SIGFPE"))
            #expect(divide.message.contains("libProbe.so+0x"))
            #expect(divide.signal == SIGFPE)
        #else
            #expect(trap.signal == SIGTRAP)
        #endif
    }

    @Test func aCrashOnAPluginThreadIsTheInvocationsErrorToo() throws {
        let crash = try crash("thread-crash")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("(probe_crash_null+0x"))
        #expect(crash.signal == SIGSEGV)
        #expect(crash.answers == 1)
    }

    @Test func aCrashAfterTheFirstChunkEndsTheStreamWithTheErrorInItsTrailers() throws {
        let crash = try crash("stream-crash")
        #expect(crash.answer.path == "/2018-06-01/runtime/invocation/crash-1/response")
        #expect(crash.answer.text == "partial")
        #expect(crash.answer.trailers["lambda-runtime-function-error-type"] == "Runtime.Crash")
        let document = try #require(
            crash.answer.trailers["lambda-runtime-function-error-body"].flatMap { Data(base64Encoded: $0) })
        let body = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
        #expect((body["errorMessage"] as? String)?.contains("SIGSEGV") == true)
        #expect(crash.signal == SIGSEGV)
        #expect(crash.answers == 1)
    }

    @Test func exitFromTheHandlerIsAnErrorNamingTheExitThenTheProcessExitsWithItsStatus() throws {
        let crash = try crash("exit-call")
        #expect(crash.answer.path.hasSuffix("/crash-1/error"))
        #expect(crash.type == "Runtime.ExitError")
        #expect(crash.message.contains("exit(4)"))
        #expect(crash.message.contains("from libProbe.so+0x"))
        #expect(crash.exitStatus == 4)
        #expect(crash.answers == 1)
    }

    @Test func exitAfterTheAnswerAddsNothing() throws {
        let crash = try crash("respond-exit")
        #expect(crash.answer.path.hasSuffix("/crash-1/response"))
        #expect(crash.answer.text == "bye")
        #expect(crash.exitStatus == 0)
        #expect(crash.answers == 1)
    }

    @Test func theReportFollowsTheJSONLogFormat() throws {
        let crash = try crash("crash-null", environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        let line = try #require(crash.stderr.split(separator: "\n").first { $0.contains("Runtime.Crash") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "FATAL")
        #expect(object["requestId"] as? String == "crash-1")
        #expect(object["logger"] as? String == "lambda-host")
        #expect((object["message"] as? String)?.contains("SIGSEGV") == true)
        #expect((object["timestamp"] as? String)?.count == 24)
    }

    @Test func aServiceThatNeverAcknowledgesDelaysTheDeathOnlyBriefly() throws {
        let api = try TestRuntimeAPI()
        api.repliesToErrors = false
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("crash-2", "crash-null")
        #expect(api.answer(to: "crash-2") != nil)
        let started = Date()
        #expect(host.waitForExit(timeout: 10) == SIGSEGV)
        #expect(host.terminationSignal == SIGSEGV)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(host.stderr.contains("(the report could not be delivered)"))
    }

    // MARK: INIT

    /// Starts the host with the Probe's init hook in `mode`; returns its init error.
    func initCrash(_ mode: String) throws -> (type: String, message: String, host: HostProcess, api: TestRuntimeAPI) {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, environment: ["PROBE_INIT": mode])
        let request = try #require(api.initError())
        _ = host.waitForExit()
        let body = try #require(jsonObject(request))
        #expect(request.headers["lambda-runtime-function-error-type"] == body["errorType"] as? String)
        #expect(api.received.filter { $0.path == "/2018-06-01/runtime/init/error" }.count == 1)
        #expect(!api.received.contains { $0.path.hasSuffix("/invocation/next") })
        return (body["errorType"] as? String ?? "", body["errorMessage"] as? String ?? "", host, api)
    }

    @Test func aCrashInTheInitHookIsAnInitError() throws {
        let crash = try initCrash("crash")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("during INIT"))
        #expect(crash.message.contains("SIGSEGV"))
        #expect(crash.message.contains("libProbe.so+0x"))
        #expect(crash.host.terminationSignal == SIGSEGV)
    }

    @Test func abortInTheInitHookIsAnInitError() throws {
        let crash = try initCrash("abort")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("SIGABRT"))
        #expect(crash.host.terminationSignal == SIGABRT)
    }

    @Test func exitInTheInitHookIsAnInitErrorThenTheProcessExitsWithItsStatus() throws {
        let crash = try initCrash("exit")
        #expect(crash.type == "Runtime.ExitError")
        #expect(crash.message.contains("during INIT, called exit(5)"))
        #expect(crash.host.terminationSignal == nil)
        #expect(crash.host.process.terminationStatus == 5)
    }

    // MARK: What the review of the guard found

    @Test func aForkedChildThatExitsOrCrashesReportsNothingForTheParent() throws {
        for child in ["exit", "crash"] {
            let api = try TestRuntimeAPI()
            let host = try HostProcess(handler: "libProbe.so", api: api, environment: ["PROBE_CHILD": child])
            api.enqueue("fork-1", "fork-exit")
            let answer = try #require(api.answer(to: "fork-1"))
            #expect(answer.path.hasSuffix("/fork-1/response"), "\(child)")
            #expect(answer.text == "parent")
            api.enqueue("fork-2", "x")
            #expect(api.answer(to: "fork-2") != nil)
            #expect(api.received.filter { $0.path.contains("/invocation/fork-1/") }.count == 1, "\(child)")
            #expect(host.process.isRunning)
        }
    }

    @Test func aStackThatCannotBeUnwoundIsStillReported() throws {
        let crash = try crash("smash-stack")
        #expect(crash.type == "Runtime.Crash")
        #expect(crash.message.contains("SIGSEGV"))
        #expect(crash.message.contains("(probe_crash_null+0x"))
        #expect(crash.frames.count == 1)
        #expect(crash.signal == SIGSEGV)
    }

    /// A crash on a plugin's thread while the handler answers: whichever comes first is
    /// the one answer. (The race has no fixed outcome; run it a few times.)
    @Test func aCrashRacingTheHandlersAnswerNeverAnswersTwice() throws {
        for round in 0..<8 {
            let crash = try crash("race-crash")
            #expect(crash.answers == 1, "round \(round)")
            #expect(crash.signal == SIGSEGV, "round \(round)")
            #expect(crash.answer.text == "raced" || crash.type == "Runtime.Crash", "round \(round): \(crash.answer.text)")
        }
    }

    @Test func aCrashOnAnotherThreadWhileTheStreamIsWrittenEndsItWithTrailersBetweenChunks() throws {
        for round in 0..<3 {
            let crash = try crash("stream-race")
            #expect(crash.answer.path.hasSuffix("/crash-1/response"))
            #expect(crash.answer.trailers["lambda-runtime-function-error-type"] == "Runtime.Crash", "round \(round)")
            // Only whole chunks reached the service.
            #expect(crash.answer.body.count % (64 * 1024) == 0, "round \(round)")
            #expect(crash.signal == SIGSEGV)
        }
    }

    @Test func aResponseFromMemoryTheHostCannotReadIsAnErrorAndTheHostGoesOn() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("bad-1", "bad-pointer")
        let answer = try #require(api.waitFor { $0.path.hasSuffix("/bad-1/error") })
        #expect(answer.headers["lambda-runtime-function-error-type"] == "Runtime.InvalidResponseBuffer")
        #expect(host.waitForLog("bad-pointer respond returned -3"))
        api.enqueue("bad-2", "x")
        #expect(api.answer(to: "bad-2")?.path.hasSuffix("/bad-2/response") == true)
        #expect(host.process.isRunning)
    }

    @Test func aSignalSentRatherThanRaisedByAFaultNamesNoFaultingAddress() throws {
        let crash = try crash("raise-bus")
        #expect(crash.message.contains("SIGBUS"))
        #expect(!crash.message.contains("accessing address"))
        #expect(crash.signal == SIGBUS)
    }

    @Test func theJSONLogLineStaysValidWithAHugeRequestID() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        let id = String(repeating: "r", count: 60_000)
        api.enqueue(id, "crash-null")
        #expect(api.answer(to: id)?.path.hasSuffix("/error") == true)
        #expect(host.waitForExit() == SIGSEGV)
        let line = try #require(host.stderr.split(separator: "\n").first { $0.contains("Runtime.Crash") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((object["requestId"] as? String)?.count == 1024)
    }

    @Test func anExitIsReportedBeforeThePluginsOwnExitHandlersRun() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, environment: ["PROBE_INIT": "atexit"])
        api.enqueue("exit-1", "exit-call")
        #expect(api.answer(to: "exit-1")?.path.hasSuffix("/exit-1/error") == true)
        #expect(host.waitForExit() == 4)
        let report = try #require(host.stderr.range(of: "Runtime.ExitError"))
        let atexit = try #require(host.stderr.range(of: "probe: atexit ran"))
        #expect(report.lowerBound < atexit.lowerBound)
    }
}
