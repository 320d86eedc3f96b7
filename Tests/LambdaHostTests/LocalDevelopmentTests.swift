import Foundation
import Glibc
import Testing

/// `invoke`, `serve` and `emulate`: the real binaries, the embedded emulator, real sockets.
@Suite struct LocalDevelopmentTests {
    /// Starts `lambda-host serve` on a free port and returns it with the port.
    func serve(_ arguments: [String]) throws -> (HostProcess, Int) {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0"] + arguments)
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        return (host, port)
    }

    @Test func invokeReportsATimeoutAsLambdaDoes() throws {
        let host = try HostProcess(
            handler: nil, api: nil,
            arguments: ["invoke", "--handler", BuildProducts.plugin("Probe"), "--event", "sleep", "--timeout", "1"])
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains(#""errorType":"Sandbox.Timedout""#))
        #expect(host.stderr.contains("Task timed out after 1.00 seconds"))
    }

    @Test func invokeReportsARuntimeExit() throws {
        let host = try HostProcess(
            handler: nil, api: nil, arguments: ["invoke", "--handler", BuildProducts.plugin("Probe"), "--event", "exit"])
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains(#""errorType":"Runtime.ExitError""#))
        #expect(host.stderr.contains("Runtime exited with error: exit status 3"))
    }

    @Test func serveAnswersConcurrentCallersEachWithItsOwnReply() throws {
        let (host, port) = try serve(["--handler", BuildProducts.plugin("Hello")])
        let count = 20
        let replies = try #require(Replies.concurrently(count, within: 30) { HTTPPost.invoke(port: port, #"{"name":"caller-\#($0)"}"#) })
        for i in 0..<count {
            let reply = replies.get(i)
            #expect(reply?.status == 200, "caller \(i)")
            #expect(reply?.body == #"{"message":"Hello, caller-\#(i)!"}"#, "caller \(i)")
        }
        _ = host
    }

    @Test func serveReturnsFunctionErrorsAsTheInvokeAPIDoes() throws {
        let (host, port) = try serve(["--handler", BuildProducts.plugin("Fail")])
        let reply = try #require(HTTPPost.invoke(port: port, "{}"))
        #expect(reply.status == 200)
        #expect(reply.headers["x-amz-function-error"] == "Unhandled")
        #expect(reply.body.contains(#""errorType":"Fail.Deliberate""#))
        _ = host
    }

    @Test func serveStartsAFreshRuntimeAfterAnExitOrATimeout() throws {
        let (host, port) = try serve(["--handler", BuildProducts.plugin("Probe"), "--timeout", "1"])
        let exit = try #require(HTTPPost.invoke(port: port, "exit"))
        #expect(exit.headers["x-amz-function-error"] == "Unhandled")
        #expect(exit.body.contains("Runtime.ExitError"))
        let afterExit = try #require(HTTPPost.invoke(port: port, "context"))
        #expect(afterExit.status == 200 && afterExit.body.contains(#""state":"probe-state""#))
        let timeout = try #require(HTTPPost.invoke(port: port, "sleep"))
        #expect(timeout.body.contains("Sandbox.Timedout"))
        let afterTimeout = try #require(HTTPPost.invoke(port: port, "context"))
        #expect(afterTimeout.status == 200 && afterTimeout.body.contains(#""requestId""#))
        _ = host
    }

    @Test func serveRejectsOtherPaths() throws {
        let (host, port) = try serve(["--handler", BuildProducts.plugin("Echo")])
        let reply = try #require(HTTPPost.send(port: port, path: "/invoke", body: "{}"))
        #expect(reply.status == 404)
        #expect(reply.body.contains("/2015-03-31/functions/function/invocations"))
        _ = host
    }

    /// Builds a C plugin that answers `reply` into `library`, as a developer's rebuild does.
    func build(_ library: String, answering reply: String, entryPoint: Bool = true) throws {
        let entry = entryPoint ? #"LAMBDA_PLUGIN_DEFINE("swap", "1", NULL, NULL)"# : ""
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            \(entry)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                return inv->host->respond(inv, "\(reply)", \(reply.utf8.count));
            }
            """, to: library)
    }

    @Test func watchReloadsARebuiltPluginAndKeepsTheOldOneWhenTheNewOneIsBroken() throws {
        let root = try TemporaryFolder()
        let name = "libswap\(UInt32.random(in: 0...UInt32.max)).so"
        let library = root.path + "/" + name
        try build(library, answering: "version 1")
        let (host, port) = try serve(["--handler", library, "--watch"])
        #expect(host.waitForLog("watching"))
        #expect(HTTPPost.invoke(port: port, "{}")?.body == "version 1")

        // A rebuild with a change: the answer changes, the server stays up.
        try build(library, answering: "version 2")
        #expect(host.waitForLog("reloaded \(library) (build 2)"))
        #expect(HTTPPost.invoke(port: port, "{}")?.body == "version 2")

        // A broken build (no entry point): version 2 keeps serving, and the log says why.
        try build(library, answering: "version 3", entryPoint: false)
        #expect(host.waitForLog("did not start"))
        #expect(host.stderr.contains("Runtime.MissingEntryPoint"))
        #expect(HTTPPost.invoke(port: port, "{}")?.body == "version 2")

        // Fixed again: it reloads.
        try build(library, answering: "version 4")
        #expect(host.waitForLog("reloaded \(library) (build 4)"))
        #expect(HTTPPost.invoke(port: port, "{}")?.body == "version 4")

        // Every copy is gone once serve is.
        host.terminate()
        #expect(host.waitForExit() == 128 + SIGTERM)
        #expect(ServeCommandTests.stagedCopies(of: name).isEmpty, "left behind: \(ServeCommandTests.stagedCopies(of: name))")
    }

    static let hasAWSRuntimeInterfaceClient =
        (try? runCommand("/usr/bin/env", ["python3", "-c", "import awslambdaric"]))?.status == 0

    @Test(
        .enabled(
            if: hasAWSRuntimeInterfaceClient,
            "SKIPPED: AWS's awslambdaric is not installed here (pip install awslambdaric); .ci/run installs it"))
    func awsPythonRuntimeClientRunsAgainstTheEmulator() throws {
        let root = try TemporaryFolder()
        try """
            def handler(event, context):
                return {"got": event, "function": context.function_name, "requestId": context.aws_request_id}
            """.write(toFile: root.path + "/app.py", atomically: true, encoding: .utf8)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let host = try HostProcess(
            handler: nil, api: nil, environment: ["PATH": path],
            arguments: [
                "emulate", "--port", "0", "--function-name", "pyfn", "--task-root", root.path, "--",
                "python3", "-m", "awslambdaric", "app.handler",
            ],
            currentDirectory: root.path)
        let port = try #require(host.invokePort(), "emulate did not start: \(host.stderr)")
        let reply = try #require(HTTPPost.invoke(port: port, #"{"x":1}"#), "no reply: \(host.stderr)")
        #expect(reply.status == 200, "\(reply.body) \(host.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        #expect((object["got"] as? [String: Any])?["x"] as? Int == 1)
        #expect(object["function"] as? String == "pyfn")
        #expect((object["requestId"] as? String)?.count == 36)
    }
}

/// Replies collected from several threads.
final class Replies: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [HTTPPost.Reply?]

    init(count: Int) { replies = Array(repeating: nil, count: count) }

    /// Runs `call(0..<count)` each on its own thread at once; the replies, or nil if some
    /// caller still waits after `seconds`.
    static func concurrently(_ count: Int, within seconds: Int, _ call: @escaping @Sendable (Int) -> HTTPPost.Reply?) -> Replies? {
        let replies = Replies(count: count)
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            Thread.detachNewThread {
                replies.set(i, call(i))
                group.leave()
            }
        }
        return group.wait(timeout: .now() + .seconds(seconds)) == .success ? replies : nil
    }

    func set(_ index: Int, _ reply: HTTPPost.Reply?) {
        lock.lock()
        replies[index] = reply
        lock.unlock()
    }

    func get(_ index: Int) -> HTTPPost.Reply? {
        lock.lock()
        defer { lock.unlock() }
        return replies[index]
    }
}
