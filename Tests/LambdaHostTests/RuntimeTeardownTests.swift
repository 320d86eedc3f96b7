import Foundation
import Glibc
import Testing

/// A runtime never outlives what stopped it: a timeout, an INIT that ran out of time, or a
/// signal to the tool reaches the runtime's whole process group, and escalates to SIGKILL
/// for a runtime that blocks or ignores SIGTERM. An idle tool does not poll.
@Suite struct RuntimeTeardownTests {
    /// A plugin that writes its pid to $PID_FILE, blocks every signal, and sleeps forever.
    func stubbornPlugin(in root: TemporaryFolder) throws -> String {
        let library = root.path + "/libstubborn.so"
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <unistd.h>
            LAMBDA_PLUGIN_DEFINE("stubborn", "1", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                sigset_t all;
                sigfillset(&all);
                pthread_sigmask(SIG_BLOCK, &all, NULL);
                FILE *f = fopen(getenv("PID_FILE"), "w");
                fprintf(f, "%d\\n", (int)getpid());
                fclose(f);
                for (;;) sleep(1);
            }
            """, to: library)
        return library
    }

    @Test func invokeLeavesNoRuntimeBehindAfterATimeout() throws {
        let root = try TemporaryFolder()
        let library = try stubbornPlugin(in: root)
        let pidFile = root.path + "/pid"
        let invoke = try HostProcess(
            handler: nil, api: nil,
            arguments: ["invoke", "--handler", library, "--timeout", "1", "--env", "PID_FILE=\(pidFile)"])
        let pid = try #require(ProcessWatch.pid(in: pidFile), "the handler never ran: \(invoke.stderr)")
        defer { kill(pid, SIGKILL) }
        #expect(invoke.waitForExit() == 1)
        #expect(invoke.stderr.contains("Sandbox.Timedout"), "\(invoke.stderr)")
        #expect(ProcessWatch.until(5) { ProcessWatch.isGone(pid) }, "runtime \(pid) outlived invoke")
    }

    /// Runs `command` (which writes its worker's pid to the file it is given) under
    /// `emulate` with `flags`: the invocation times out, and the worker must go too.
    func expectTimeoutStopsTheWorker(_ flags: [String], command: (String) -> [String]) throws {
        let root = try TemporaryFolder()
        let pidFile = root.path + "/pid"
        let emulator = try Emulator(flags, command: command(pidFile))
        let reply = try #require(emulator.post("{}", timeout: 15)?.reply(), "no answer: \(emulator.host.stderr)")
        #expect(reply.text.contains("Sandbox.Timedout"), "\(reply.text)")
        let worker = try #require(ProcessWatch.pid(in: pidFile))
        defer { kill(worker, SIGKILL) }
        #expect(ProcessWatch.until(5) { ProcessWatch.isGone(worker) }, "the runtime's worker \(worker) survived")
    }

    @Test func aTimedOutInitStopsTheRuntimesWholeProcessGroup() throws {
        // A shell script bootstrap whose child does the work, as many are.
        try expectTimeoutStopsTheWorker(["--init-timeout", "1"]) { pidFile in
            ["sh", "-c", "sleep 3600 & echo $! > '\(pidFile)'; wait"]
        }
    }

    @Test func aDeadlineStopsTheRuntimesWholeProcessGroup() throws {
        let root = try TemporaryFolder()
        let script = """
            import os, signal, socket, sys
            open(sys.argv[1], "w").write(str(os.getpid()))
            host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
            s = socket.create_connection((host, int(port)))
            s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            s.recv(65536)
            while True:
                signal.pause()
            """
        try script.write(toFile: root.path + "/slow.py", atomically: true, encoding: .utf8)
        // It takes its invocation and never answers; the shell that started it waits.
        try expectTimeoutStopsTheWorker(["--timeout", "1"]) { pidFile in
            ["sh", "-c", "python3 '\(root.path)/slow.py' '\(pidFile)'; exit 0"]
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalToTheToolStopsARuntimeThatIgnoresSIGTERM(signal: Int32) throws {
        let root = try TemporaryFolder()
        let pidFile = root.path + "/pid"
        let emulator = try Emulator(
            command: ["sh", "-c", "trap '' TERM INT; sleep 3600 & echo $! > '\(pidFile)'; echo $$ >> '\(pidFile).sh'; wait"])
        let waiting = try #require(emulator.post("{}"))
        let child = try #require(ProcessWatch.pid(in: pidFile), "the runtime did not start: \(emulator.host.stderr)")
        let shell = try #require(ProcessWatch.pid(in: pidFile + ".sh"))
        defer {
            kill(child, SIGKILL)
            kill(shell, SIGKILL)
        }
        // The runtime leads a process group of its own: a terminal's Ctrl-C reaches only
        // the tool, which stops the runtime's whole group.
        let tool = emulator.host.process.processIdentifier
        #expect(ProcessWatch.processGroup(shell) == shell)
        #expect(ProcessWatch.processGroup(shell) != ProcessWatch.processGroup(tool))
        kill(tool, signal)
        #expect(emulator.host.waitForExit() == 128 + signal)
        #expect(ProcessWatch.until(5) { ProcessWatch.isGone(child) && ProcessWatch.isGone(shell) }, "the runtime survived")
        _ = waiting
    }

    @Test func anIdleServeDoesNotPoll() throws {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("Hello")])
        #expect(host.invokePort() != nil, "serve did not start: \(host.stderr)")
        #expect(host.waitForLog("started"), "\(host.stderr)")
        let pid = host.process.processIdentifier
        // A measurement, not a wait: how often serve wakes up in two idle seconds. Polling
        // for the runtime's exit every 5 ms woke it about 1,000 times.
        let before = ProcessWatch.contextSwitches(pid)
        Thread.sleep(forTimeInterval: 2)
        let woken = ProcessWatch.wakeUps(from: before, to: ProcessWatch.contextSwitches(pid))
        #expect(woken < 100, "an idle serve woke up \(woken) times in 2 s")
    }
}
