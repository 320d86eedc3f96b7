import Foundation
import Testing

/// SIGTERM, the SIGTERM extension, and the host's behaviour when the Runtime API fails.
@Suite struct LifecycleTests {
    @Test func sigtermRunsTheShutdownHookAndExitsZero() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libFail.so", api: api)
        api.enqueue("t-1", "{}")
        #expect(api.answer(to: "t-1") != nil)
        // A plugin with a shutdown hook makes the host register an extension, so that
        // Lambda sends SIGTERM at all.
        let register = try #require(api.waitFor { $0.path == "/2020-01-01/extension/register" })
        #expect(register.headers["lambda-extension-name"] == "lambda-host")
        #expect(register.text == #"{"events":[]}"#)
        #expect(api.waitFor { $0.path == "/2020-01-01/extension/event/next" }?.headers["lambda-extension-identifier"] == "ext-1")
        host.terminate()
        #expect(host.waitForExit() == 0)
        #expect(host.stderr.contains("fail: shutdown after 1 invocations"))
    }

    @Test func sigtermWithoutAShutdownHookExitsZeroAndRegistersNothing() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libEcho.so", api: api)
        api.enqueue("t-2", "x")
        #expect(api.answer(to: "t-2") != nil)
        host.terminate()
        #expect(host.waitForExit() == 0)
        #expect(!api.received.contains { $0.path.hasPrefix("/2020-01-01/") })
    }

    @Test func a500FromTheServiceEndsTheHostWithALogLine() throws {
        let api = try TestRuntimeAPI()
        api.nextBehaviour = .status500
        let host = try HostProcess(handler: "libEcho.so", api: api)
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("answered 500 to GET /runtime/invocation/next"))
        #expect(host.stderr.contains("boom"))
    }

    @Test func aMalformedReplyEndsTheHostWithALogLine() throws {
        let api = try TestRuntimeAPI()
        api.nextBehaviour = .garbage
        let host = try HostProcess(handler: "libEcho.so", api: api)
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("does not start with an HTTP/1.x status line"))
    }

    @Test func aClosedConnectionEndsTheHostWithALogLine() throws {
        let api = try TestRuntimeAPI()
        api.nextBehaviour = .close
        let host = try HostProcess(handler: "libEcho.so", api: api)
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("the service closed the connection"))
    }

    @Test func aRefusedConnectionEndsTheHostWithALogLine() throws {
        // A port nobody listens on: bind one, then close it.
        let api = try TestRuntimeAPI()
        let endpoint = api.endpoint
        api.stop()
        let host = try HostProcess(
            handler: "libEcho.so", api: nil, environment: ["AWS_LAMBDA_RUNTIME_API": endpoint])
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("cannot connect to the Runtime API at \(endpoint)"))
    }

    @Test func withoutARuntimeAPITheHostSaysWhatToDo() throws {
        let host = try HostProcess(handler: "libEcho.so", api: nil)
        #expect(host.waitForExit() == 1)
        #expect(host.stderr.contains("AWS_LAMBDA_RUNTIME_API is not set"))
        let bad = try HostProcess(handler: "libEcho.so", api: nil, environment: ["AWS_LAMBDA_RUNTIME_API": "nope"])
        #expect(bad.waitForExit() == 1)
        #expect(bad.stderr.contains("expected host:port"))
    }

    @Test func a413FromTheServiceTurnsTheResponseIntoAnError() throws {
        let api = try TestRuntimeAPI()
        api.responseStatus = 413
        let host = try HostProcess(handler: "libEcho.so", api: api)
        api.enqueue("r-413", "payload")
        let error = try #require(api.waitFor { $0.path == "/2018-06-01/runtime/invocation/r-413/error" })
        #expect(error.headers["lambda-runtime-function-error-type"] == "Function.ResponseSizeTooLarge")
        api.enqueue("r-next", "still serving")
        #expect(api.waitFor { $0.path == "/2018-06-01/runtime/invocation/r-next/response" } != nil)
        _ = host
    }

    @Test func pluginLogsHonourTheLevelAndTheFormat() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(
            handler: "libProbe.so", api: api,
            environment: ["AWS_LAMBDA_LOG_LEVEL": "WARN", "AWS_LAMBDA_LOG_FORMAT": "JSON"])
        api.enqueue("log-1", "log")
        #expect(api.answer(to: "log-1")?.text == "logged")
        #expect(host.waitForLog("probe log level 5"))
        let lines = host.stderr.split(separator: "\n").filter { $0.contains("probe log level") }
        #expect(lines.count == 3)  // WARN, ERROR, FATAL
        let first = try #require(lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "WARN")
        #expect(object["requestId"] as? String == "log-1")
        #expect(object["message"] as? String == "probe log level 3")
        #expect((object["timestamp"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func helpAndVersion() throws {
        let help = try HostProcess(handler: nil, api: nil, arguments: ["--help"])
        #expect(help.waitForExit() == 0)
        let version = try HostProcess(handler: nil, api: nil, arguments: ["--version"])
        #expect(version.waitForExit() == 0)
        // Anything but the runtime's own commands goes to lambda-host-tools, whose
        // argument parser reports a usage error (64).
        let unknown = try HostProcess(handler: nil, api: nil, arguments: ["frobnicate"])
        #expect(unknown.waitForExit() == 64)
        #expect(unknown.stderr.contains("Unexpected argument 'frobnicate'"))
    }
}
