import Foundation

/// `lambda-host emulate` with both ports free, its invoke and Runtime API ports.
struct Emulator {
    let host: HostProcess
    let invoke: Int
    let api: Int

    /// Runs `command` as the runtime (by default one that never talks: the test plays it),
    /// with `environment` given to it by `--env` flags.
    init(_ extra: [String] = [], command: [String] = ["sleep", "3600"], environment: [String: String] = [:]) throws {
        let variables = environment.sorted { $0.key < $1.key }.flatMap { ["--env", "\($0.key)=\($0.value)"] }
        host = try HostProcess(
            handler: nil, api: nil,
            arguments: ["emulate", "--port", "0", "--runtime-api-port", "0"] + extra + variables + ["--"] + command)
        guard let invoke = host.invokePort(), let api = host.runtimeAPIPort() else {
            throw EmulatorStartFailure(stderr: host.stderr)
        }
        self.invoke = invoke
        self.api = api
    }

    /// Sends an event to the invoke endpoint; the connection waits for its answer.
    func post(_ event: String, headers: [(String, String)] = [], timeout: Int = 30) -> RawHTTP? {
        guard let connection = RawHTTP(port: invoke, timeout: timeout) else { return nil }
        connection.request("POST", "/2015-03-31/functions/function/invocations", body: Array(event.utf8), headers: headers)
        return connection
    }

    /// `GET /next` on a fresh connection: the invocation handed out, or nil.
    func next(timeout: Int = 30) -> (connection: RawHTTP, reply: RawHTTP.Reply)? {
        guard let connection = RawHTTP(port: api, timeout: timeout) else { return nil }
        connection.request("GET", "/2018-06-01/runtime/invocation/next")
        guard let reply = connection.reply() else { return nil }
        return (connection, reply)
    }

    /// Posts `body` to a Runtime API path on a fresh connection and returns the reply.
    func post(api path: String, body: [UInt8] = [], headers: [(String, String)] = []) -> RawHTTP.Reply? {
        guard let connection = RawHTTP(port: api) else { return nil }
        connection.request("POST", path, body: body, headers: headers)
        return connection.reply()
    }
}

struct EmulatorStartFailure: Error, CustomStringConvertible {
    var stderr: String
    var description: String { "emulate did not start: \(stderr)" }
}
