import ArgumentParser
import Glibc
import LambdaEmulator

extension LambdaHostTools {
    /// `lambda-host invoke`: one invocation through the real Runtime API path.
    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invoke a handler once, locally, and print its response.",
            discussion: """
                Starts an embedded Runtime API emulator and the lambda-host runtime, sends one event, \
                prints the response body to stdout and exits 0. A function error or init error is \
                printed to stderr as Lambda's error JSON and the exit status is 1. The runtime's own \
                output (logs, stdout) goes to stderr.

                Examples:
                  lambda-host invoke --handler .build/release/libHello.so --event '{"name":"World"}'
                  lambda-host invoke --handler libEcho.so --task-root .build/release --event-file event.json
                  echo '{"name":"stdin"}' | lambda-host invoke --handler .build/release/libHello.so
                """
        )

        @Option(
            help: ArgumentHelp(
                "The handler: a _HANDLER value (libhello.so, libhello.so:greet, hello.greet) or a path to a .so.",
                discussion: "With a path, the .so's folder is the task root. Example: --handler .build/release/libHello.so"
            ))
        var handler: String

        @Option(help: "The event, as text (usually JSON). Example: --event '{\"name\":\"World\"}'")
        var event: String?

        @Option(help: "Read the event from a file. Example: --event-file event.json")
        var eventFile: String?

        @Option(help: "Where the plugin is looked for (LAMBDA_TASK_ROOT). Example: --task-root .build/release")
        var taskRoot: String?

        @Option(help: "Seconds before the invocation times out (the deadline given to the runtime). Example: --timeout 30")
        var timeout: Int = 300

        @Option(help: "The function name the runtime sees (AWS_LAMBDA_FUNCTION_NAME). Example: --function-name hello")
        var functionName: String = "function"

        func validate() throws {
            if event != nil && eventFile != nil { throw ValidationError("give --event or --event-file, not both") }
            guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
        }

        func run() async throws {
            let (handlerValue, root) = try resolveHandler()
            let payload = try readEvent()
            let emulator = try await RuntimeAPIEmulator.start(
                configuration: EmulatorConfiguration(functionName: functionName, timeoutSeconds: timeout))
            let runtime = try RuntimeProcess.spawn(environment: [
                "AWS_LAMBDA_RUNTIME_API": emulator.endpoint,
                "_HANDLER": handlerValue,
                "LAMBDA_TASK_ROOT": root,
                "AWS_LAMBDA_FUNCTION_NAME": functionName,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
                "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(functionName)",
                "AWS_LAMBDA_LOG_STREAM_NAME": "local",
                "AWS_REGION": "us-east-1",
            ])
            let watcher = Task {
                let status = await runtime.waitForExit()
                if await emulator.initError() == nil {
                    emulator.failPending(with: Self.error(
                        "Runtime.ExitError", "Runtime exited before answering: \(RuntimeProcess.describe(status))"))
                }
            }
            let timer = Task {
                try await Task.sleep(nanoseconds: UInt64(timeout) * 1_000_000_000)
                emulator.failPending(with: Self.error("Sandbox.Timedout", "Task timed out after \(timeout).00 seconds"))
            }
            let result = try await emulator.invoke(EmulatedInvocation(payload: payload))
            timer.cancel()
            runtime.terminate()
            _ = await watcher.value
            await emulator.shutdown()

            switch result {
            case .response(let body):
                Self.write(body, to: 1)
            case .error(_, let body):
                Self.write(body, to: 2)
                throw ExitCode(1)
            }
        }

        private func resolveHandler() throws -> (String, String) {
            if handler.contains("/") && handler.hasSuffix(".so") {
                guard let real = realpath(handler, nil) else {
                    throw ValidationError("--handler \(handler): no such file; build it first (swift build -c release)")
                }
                defer { free(real) }
                let path = String(cString: real)
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                let folder = parts.dropLast().joined(separator: "/")
                return (String(parts.last ?? ""), taskRoot ?? folder)
            }
            return (handler, taskRoot ?? ".")
        }

        private func readEvent() throws -> [UInt8] {
            if let event { return Array(event.utf8) }
            if let eventFile { return try Self.readAll(path: eventFile) }
            if isatty(0) == 0 { return Self.readAll(fd: 0) }
            return Array("{}".utf8)
        }

        static func readAll(path: String) throws -> [UInt8] {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw ValidationError("--event-file \(path): \(String(cString: strerror(errno)))")
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

        static func write(_ bytes: [UInt8], to fd: Int32) {
            var bytes = bytes
            if isatty(fd) != 0 && bytes.last != 10 { bytes.append(10) }
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count, let base = buffer.baseAddress {
                    let written = Glibc.write(fd, base + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }

        static func error(_ type: String, _ message: String) -> InvocationResult {
            .error(type: type, body: Array(#"{"errorMessage":"\#(message)","errorType":"\#(type)","stackTrace":[]}"#.utf8))
        }
    }
}
