import ArgumentParser
import CLambdaProcess
import Glibc
import LambdaEmulator
import NIOCore

extension LambdaHostTools {
    /// `lambda-host invoke`: one invocation through the real Runtime API path.
    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invoke a handler once, locally, and print its response.",
            discussion: """
                Starts an embedded Runtime API emulator and the lambda-host runtime, sends one event, \
                prints the response body to stdout and exits 0. A function error, init error, timeout, \
                INIT longer than --init-timeout, or runtime exit or crash (during INIT too) is printed to \
                stderr as Lambda's error JSON and the exit status is 1; so is an event over 6 MiB \
                (RequestEntityTooLarge, as Lambda's Invoke API refuses it), before any runtime starts. A streamed response goes to \
                stdout as it comes, and an error after its first byte to stderr. The runtime's own \
                output (logs, stdout) goes to stderr.

                Examples:
                  lambda-host invoke --handler .build/release/libHello.so --event '{"name":"World"}'
                  lambda-host invoke --handler libEcho.so --task-root .build/release --event-file event.json
                  echo '{"name":"stdin"}' | lambda-host invoke --handler .build/release/libHello.so
                  lambda-host invoke --handler .build/release/libHello.so --env GREETING=Bonjour --env-file .env
                  lambda-host invoke --config functions.json --function hello --event '{}'
                """
        )

        @OptionGroup var plugin: HandlerOptions

        @OptionGroup var event: EventOptions

        @OptionGroup var file: ConfigFileOptions

        @OptionGroup var configuration: EnvironmentOptions

        @OptionGroup var function: FunctionOptions

        func run() async throws {
            let selected = try file.selected()
            let (handler, taskRoot) = try plugin.resolve(selected)
            let local = try function.local(
                handler: handler, taskRoot: taskRoot, runtimeDirectory: folder(of: hostBinary), selected: selected,
                variables: try configuration.variables(selected), inheritsShell: configuration.inheritEnv)
            let payload = try event.read()
            // Refused as `serve` and Lambda's Invoke API refuse it, before a runtime starts.
            if payload.count > InvokeEndpoint.maxEventBytes {
                try Output.print(.error(type: "RequestEntityTooLarge", body: Array(InvokeEndpoint.eventTooLarge.utf8)))
            }
            try await Self.once(payload: payload, function: local)
        }

        /// Runs `runtime` against a new emulator, sends it one event, prints the answer.
        static func once(
            payload: [UInt8], function: LocalFunction, runtime: String = hostBinary, environment: [String: String] = [:]
        ) async throws {
            let emulator = try await RuntimeAPIEmulator.start(configuration: function.emulator)
            let supervisor = function.supervisor(on: emulator, command: [runtime], extra: environment)
            var invocation = EmulatedInvocation(payload: payload)
            invocation.stream = StdoutStream()
            let result: InvocationResult
            do {
                result = try await supervisor.invoke(invocation)
            } catch {
                await supervisor.shutdown()
                throw error
            }
            await supervisor.shutdown()
            try Output.print(result)
        }
    }
}

/// The event of a one-off invocation.
struct EventOptions: ParsableArguments {
    @Option(help: "The event, as text (usually JSON). Example: --event '{\"name\":\"World\"}'")
    var event: String?

    @Option(help: "Read the event from a file; - reads stdin. Example: --event-file event.json")
    var eventFile: String?

    func validate() throws {
        if event != nil && eventFile != nil { throw ValidationError("give --event or --event-file, not both") }
    }

    /// The event's bytes: --event, --event-file, piped stdin, or `{}`.
    func read() throws -> [UInt8] {
        if let event { return Array(event.utf8) }
        // `-` is stdin, so that `lambda-host event sqs | lambda-host invoke --event-file -` works.
        if eventFile == "-" { return Output.readAll(fd: 0) }
        if let eventFile { return try Output.readAll(path: eventFile) }
        if isatty(0) == 0 { return Output.readAll(fd: 0) }
        return Array("{}".utf8)
    }
}

/// Reading events and writing results for the commands.
enum Output {
    /// Prints a response to stdout, or an error document to stderr and exits 1.
    static func print(_ result: InvocationResult) throws {
        // The tool is being stopped: the runtime's end is its doing, not the function's.
        guard lh_termination_signal() == 0 else { return }
        switch result {
        case .streamed(let errorType):
            // The chunks went to stdout as they came; an error after them to stderr.
            if errorType != nil { throw ExitCode(1) }
        case .response(let body):
            write(body, to: 1)
        case .error(_, let body):
            write(body, to: 2)
            throw ExitCode(1)
        }
    }

    static func readAll(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ValidationError("\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return readAll(fd: fd)
    }

    static func readAll(fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { return bytes }
            bytes += chunk[0..<got]
        }
    }

    /// Writes bytes; on a terminal, a whole answer gets a final newline (`asIs` for chunks).
    static func write(_ bytes: [UInt8], to fd: Int32, asIs: Bool = false) {
        var bytes = bytes
        if !asIs && isatty(fd) != 0 && bytes.last != 10 { bytes.append(10) }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// A streamed response written to stdout chunk by chunk, as it arrives; an error after
/// the first byte goes to stderr as the error document.
struct StdoutStream: ResponseStream {
    func begin(contentType: String) {}

    func write(_ chunk: ByteBuffer, written: @escaping @Sendable () -> Void) {
        Output.write(Array(chunk.readableBytesView), to: 1, asIs: true)
        written()
    }

    func end(errorType: String?, errorBody: [UInt8]?) {
        guard let errorType else { return }
        Output.write(errorBody ?? Array(#"{"errorType":"\#(errorType)"}"#.utf8), to: 2)
    }
}
