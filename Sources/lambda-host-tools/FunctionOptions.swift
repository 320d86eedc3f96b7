import ArgumentParser
import Glibc
import LambdaEmulator

/// The Lambda environment of a local run: what Lambda would set for the function.
struct FunctionOptions: ParsableArguments {
    @Option(help: "The function's name (AWS_LAMBDA_FUNCTION_NAME, and in the function ARN): 1 to 64 of A-Z a-z 0-9 - _, as in Lambda. Example: --function-name hello")
    var functionName: String = "function"

    @Option(help: "The function's version (AWS_LAMBDA_FUNCTION_VERSION). Example: --function-version 3")
    var functionVersion: String = "$LATEST"

    @Option(help: "The memory size in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE). Example: --memory-size 512")
    var memorySize: Int = 128

    @Option(help: "The region (AWS_REGION, and in the function ARN), in AWS's form. Example: --region eu-west-1")
    var region: String = "us-east-1"

    @Option(help: "Seconds an invocation may take (its deadline), 1 to 900 as in Lambda. Example: --timeout 30")
    var timeout: Int = 300

    @Option(
        help: ArgumentHelp(
            "Seconds a runtime may take from its start to its first GET /next (INIT), 1 to 900. Example: --init-timeout 30",
            discussion: """
                Lambda gives INIT 10 seconds. A runtime that has not asked for an invocation by then is \
                stopped, the invocations waiting for it get Sandbox.Timedout, and the next one starts a \
                fresh runtime.
                """))
    var initTimeout: Int = EmulatorConfiguration.defaultInitTimeoutSeconds

    @Option(help: "The log group (AWS_LAMBDA_LOG_GROUP_NAME; default /aws/lambda/<function name>). Example: --log-group /aws/lambda/hello")
    var logGroup: String?

    @Option(help: "The log stream (AWS_LAMBDA_LOG_STREAM_NAME). Example: --log-stream 2026/11/23/[$LATEST]local")
    var logStream: String = "local"

    func validate() throws {
        let longest = EmulatorConfiguration.maxTimeoutSeconds
        try check("--timeout", timeout, in: 1...longest, "seconds, as in Lambda")
        try check("--init-timeout", initTimeout, in: 1...longest, "seconds")
        try check("--memory-size", memorySize, in: 128...10240, "MB, as in Lambda")
        // Both go into headers and JSON the runtime reads: only what Lambda takes.
        let name = Array(functionName.utf8)
        guard (1...64).contains(name.count), name.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else {
            throw ValidationError(
                "--function-name must be 1 to 64 of the characters A-Z a-z 0-9 - _, as Lambda requires; got '\(ArgumentBytes.escaped(name))'")
        }
        guard Self.isRegion(region) else {
            throw ValidationError(
                "--region must be an AWS region such as us-east-1, eu-west-3 or us-gov-west-1; got '\(ArgumentBytes.escaped(Array(region.utf8)))'")
        }
    }

    /// Whether `text` has a region's form: letters, parts joined by `-`, ending in a digit
    /// (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`).
    static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard (3...4).contains(parts.count), parts[0].count == 2, let last = parts.last, (1...2).contains(last.count) else {
            return false
        }
        let lower = { (byte: UInt8) in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(lower) } && last.allSatisfy(isDigit)
    }

    /// The emulator's settings.
    var emulator: EmulatorConfiguration {
        EmulatorConfiguration(
            functionName: functionName, region: region, timeoutSeconds: timeout, initTimeoutSeconds: initTimeout,
            memorySizeMB: memorySize, functionVersion: functionVersion, platformLog: StandardError.line,
            log: { note("lambda-host: \($0)") })
    }

    /// A supervisor that runs the lambda-host runtime (`runtime`: by default the one next
    /// to this command), with `_HANDLER`, `LAMBDA_TASK_ROOT` and `environment` as given,
    /// against `emulator`.
    func hostRuntime(
        on emulator: RuntimeAPIEmulator,
        handler: String,
        taskRoot: String,
        runtime: String = hostBinary,
        environment extra: [String: String] = [:],
        cleanup: (@Sendable () -> Void)? = nil
    ) -> FunctionSupervisor {
        var variables = environment(endpoint: emulator.endpoint)
        variables["_HANDLER"] = handler
        variables["LAMBDA_TASK_ROOT"] = taskRoot
        variables.merge(extra) { $1 }
        let launch = RuntimeProcess.Launch(arguments: [runtime], environment: variables)
        return FunctionSupervisor(emulator: emulator, cleanup: cleanup) { endpoint in
            var started = launch
            started.environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
            return started
        }
    }

    /// Lambda's variables for a runtime talking to `endpoint`.
    func environment(endpoint: String) -> [String: String] {
        [
            "AWS_LAMBDA_RUNTIME_API": endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": functionName,
            "AWS_LAMBDA_FUNCTION_VERSION": functionVersion,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(memorySize),
            "AWS_LAMBDA_LOG_GROUP_NAME": logGroup ?? "/aws/lambda/\(functionName)",
            "AWS_LAMBDA_LOG_STREAM_NAME": logStream,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        ]
    }
}

/// Refuses a numeric flag outside `range`, naming the flag, the range and its `unit`.
func check(_ flag: String, _ value: Int, in range: ClosedRange<Int>, _ unit: String) throws {
    guard range.contains(value) else {
        throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound) \(unit); got \(value)")
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

private func isAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
}

/// A port on 127.0.0.1 (0 picks a free one).
let portRange = 0...65535

/// Which plugin a local run loads.
struct HandlerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The handler: a _HANDLER value (libhello.so, libhello.so:greet, hello.greet) or a path to a .so.",
            discussion: "With a path, the .so's folder is the task root. Example: --handler .build/release/libHello.so"
        ))
    var handler: String

    @Option(help: "Where the plugin is looked for (LAMBDA_TASK_ROOT; default: the current folder). Example: --task-root .build/release")
    var taskRoot: String?

    /// `_HANDLER` and `LAMBDA_TASK_ROOT` for the runtime.
    func resolve() throws -> (handler: String, taskRoot: String) {
        if handler.contains("/") && handler.hasSuffix(".so") {
            guard let real = realpath(handler, nil) else {
                throw ValidationError("--handler \(handler): no such file; build it first (swift build -c release)")
            }
            defer { free(real) }
            let path = String(cString: real)
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return (String(parts.last ?? ""), taskRoot ?? parts.dropLast().joined(separator: "/"))
        }
        return (handler, taskRoot ?? currentFolder())
    }
}

/// The current working folder.
func currentFolder() -> String {
    guard let path = getcwd(nil, 0) else { return "." }
    defer { free(path) }
    return String(cString: path)
}

/// The runtime binary: `lambda-host` next to this executable.
var hostBinary: String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
    guard length > 0 else { return "lambda-host" }
    let own = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/lambda-host"
}

/// Writes a line to stderr.
func note(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
