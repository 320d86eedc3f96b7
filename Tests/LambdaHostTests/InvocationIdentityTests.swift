import Foundation
import Glibc
import Testing

/// An invocation pointer is valid for its own invocation only: calls made with a pointer
/// whose handler has returned, or with one the host never handed out, are refused with
/// LAMBDA_E_INVALID and logged, and answer nothing.
@Suite struct InvocationIdentityTests {
    @Test func aRespondFromAPluginThreadAfterItsHandlerReturnedDoesNotAnswerTheNextInvocation() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("late-1", "late-respond")
        #expect(api.answer(to: "late-1")?.text == "started")
        // The next invocation releases the thread, which responds with late-1's pointer
        // while late-2's handler runs.
        api.enqueue("late-2", "late-release")
        let answer = try #require(api.answer(to: "late-2"))
        #expect(answer.path.hasSuffix("/late-2/response"))
        #expect(answer.text == "late respond -3 fail -3 stream_write -3 stream_end -3 remaining 0")
        #expect(!api.received.contains { $0.text == "stale" })
        #expect(api.received.filter { $0.path.contains("/invocation/late-") }.count == 2)
        #expect(host.waitForLog("host->respond() was called with an invocation that is over"))
        // log() with the stale pointer writes the line without a request id.
        #expect(host.waitForLog("[INFO]\tprobe: late log line"))
        #expect(!host.stderr.contains("late-2\tprobe: late log line"))
        // The host goes on serving.
        api.enqueue("late-3", "x")
        #expect(api.answer(to: "late-3")?.path.hasSuffix("/late-3/response") == true)
    }

    @Test func aPointerTheHostNeverHandedOutIsRefusedAndNeverRead() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("forged-1", "forged")
        let answer = try #require(api.answer(to: "forged-1"))
        #expect(answer.text == "respond -3 fail -3 stream_begin -3 remaining 0")
        #expect(host.waitForLog("[INFO]\tprobe: forged log line"))
        #expect(host.waitForLog("host->fail() was called with an invocation that is over"))
    }

    @Test func failWithoutAnInvocationIsRefusedAfterINIT() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("null-1", "fail-null")
        #expect(api.answer(to: "null-1")?.text == "fail(NULL) returned -3")
        #expect(host.waitForLog("host->fail(NULL, ...) was called after INIT"))
    }

    @Test func theInvocationServicesRefuseNULLDuringINIT() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, environment: ["PROBE_INIT": "host-calls"])
        #expect(host.waitForLog("probe init calls: respond -3 stream_begin -3 stream_write -3 stream_end -3 remaining 0"))
        api.enqueue("init-1", "x")
        #expect(api.answer(to: "init-1")?.path.hasSuffix("/response") == true)
    }

    @Test func threadsLoggingDuringTheHandlerKeepEachLineWholeAndTagged() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api)
        api.enqueue("storm-1", "log-storm")
        #expect(api.answer(to: "storm-1")?.text == "stormed")
        // Every line was written before the answer; the host's exit ends its stderr.
        host.terminate()
        _ = host.waitForExit()
        let lines = host.stderr.split(separator: "\n").filter { $0.contains("storm ") }
        #expect(lines.count == 1000)
        #expect(lines.allSatisfy { $0.hasPrefix("[INFO]\tstorm-1\tstorm ") })
    }
}
