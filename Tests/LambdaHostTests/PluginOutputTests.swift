import Foundation
import Glibc
import Testing

/// What a plugin prints to stdout reaches the log when its line ends, and what is left
/// without a newline is flushed before the host exits, on every path.
@Suite struct PluginOutputTests {
    /// C's printf and Swift's print(), each a line without an explicit flush.
    @Test(arguments: [("libProbe.so", "printf", "probe: printf line\n"), ("libSwiftTrap.so", "print", "swift-trap: print line\n")])
    func aPrintedLineReachesTheLogWhileTheHostRuns(handler: String, event: String, line: String) throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: handler, api: api, stdoutToLog: true)
        api.enqueue("out-1", event)
        #expect(api.answer(to: "out-1")?.text == "printed")
        #expect(host.waitForLog(line))
        #expect(host.process.isRunning)
    }

    @Test func aPartialLineIsFlushedOnSIGTERM() throws {
        // With a shutdown hook, SIGTERM reaches a watcher thread; without one, a plain
        // signal handler ends the host.
        for environment in [[:], ["PROBE_NO_SHUTDOWN": "1"]] {
            let api = try TestRuntimeAPI()
            let host = try HostProcess(handler: "libProbe.so", api: api, environment: environment, stdoutToLog: true)
            api.enqueue("out-3", "printf-partial")
            #expect(api.answer(to: "out-3") != nil)
            #expect(!host.stderr.contains("partial line without a newline"))
            host.terminate()
            #expect(host.waitForExit() == 0)
            #expect(host.stderr.contains("probe: partial line without a newline"), "\(environment)")
        }
    }

    @Test func aPartialLineIsFlushedWhenTheHandlerCrashes() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, stdoutToLog: true)
        api.enqueue("out-4", "printf-partial")
        #expect(api.answer(to: "out-4") != nil)
        api.enqueue("out-5", "crash-null")
        #expect(api.answer(to: "out-5") != nil)
        #expect(host.waitForExit() == SIGSEGV)
        #expect(host.stderr.contains("probe: partial line without a newline"))
    }

    @Test func aPartialLineIsFlushedWhenTheHostExitsOnAFatalError() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libProbe.so", api: api, stdoutToLog: true)
        api.enqueue("out-6", "printf-partial")
        #expect(api.answer(to: "out-6") != nil)
        // The next GET /next is answered 500: the host must exit.
        api.nextBehaviour = .status500
        api.enqueue("out-7", "x")
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("probe: partial line without a newline"))
    }
}
