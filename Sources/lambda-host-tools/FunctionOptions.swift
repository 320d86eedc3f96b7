import ArgumentParser
import Glibc
import LambdaEmulator
import LambdaPackaging

/// The Lambda environment of a local run: what Lambda would set for the function. A flag
/// given wins over the config file's setting, which wins over the default.
struct FunctionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The function's name (AWS_LAMBDA_FUNCTION_NAME, and in the function ARN; default: function): 1 to 64 of A-Z a-z 0-9 - _, as in Lambda. Example: --function-name hello",
            valueName: "name"))
    var functionName: String?

    @Option(help: "The function's version (AWS_LAMBDA_FUNCTION_VERSION, and in START lines): $LATEST or a number, as in Lambda. Example: --function-version 3")
    var functionVersion: String = "$LATEST"

    @Option(help: ArgumentHelp("The memory size in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default: 128). Example: --memory-size 512", valueName: "mb"))
    var memorySize: Int?

    @Option(
        help: ArgumentHelp(
            "The region (AWS_REGION, and in the function ARN; default: the shell's AWS_REGION, else us-east-1). Example: --region eu-west-1",
            valueName: "region"))
    var region: String?

    @Option(
        help: ArgumentHelp(
            "Seconds an invocation may take (its deadline; default: 300), 1 to 900 as in Lambda. Example: --timeout 30", valueName: "seconds"))
    var timeout: Int?

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
        if let timeout { try check("--timeout", timeout, in: 1...longest, "seconds, as in Lambda") }
        try check("--init-timeout", initTimeout, in: 1...longest, "seconds")
        if let memorySize { try check("--memory-size", memorySize, in: FunctionConfiguration.memorySizeRange, "MB, as in Lambda") }
        // Both go into headers and JSON the runtime reads: only what Lambda takes.
        if let functionName, !FunctionConfiguration.isFunctionName(functionName) {
            throw ValidationError(
                "--function-name must be 1 to 64 of the characters A-Z a-z 0-9 - _, as Lambda requires; got '\(ArgumentBytes.escaped(Array(functionName.utf8)))'")
        }
        // It is in every START line too: a line break would forge log lines.
        if !Self.isVersion(functionVersion) {
            throw ValidationError(
                "--function-version must be $LATEST or a number such as 3, as in Lambda; got '\(ArgumentBytes.escaped(Array(functionVersion.utf8)))'")
        }
        if let region, !Self.isRegion(region) {
            throw ValidationError(
                "--region must be an AWS region such as us-east-1, eu-west-3 or us-gov-west-1; got '\(ArgumentBytes.escaped(Array(region.utf8)))'")
        }
    }

    /// Whether `text` is a version Lambda gives: `$LATEST`, or 1 to 1024 digits.
    static func isVersion(_ text: String) -> Bool {
        text == "$LATEST" || ((1...1024).contains(text.utf8.count) && text.utf8.allSatisfy(isDigit))
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

    /// The function as it will run: these flags over `selected` (the config file's
    /// function) over the defaults, with `variables` (configured) and the shell's
    /// variables only if `inheritsShell`.
    func local(
        handler: String?, taskRoot: String, runtimeDirectory: String, selected: FunctionConfiguration? = nil,
        variables: [String: String] = [:], inheritsShell: Bool = false
    ) throws -> LocalFunction {
        if selected != nil && functionName != nil {
            throw ValidationError("--function-name and --config: the function's name is its key in the config file; pick it with --function")
        }
        let name = selected?.name ?? functionName ?? "function"
        let shell = LambdaEnvironment.shell()
        let region = try self.region ?? Self.shellRegion(shell) ?? "us-east-1"
        let environment = LambdaEnvironment(
            functionName: name, functionVersion: functionVersion, memorySize: memorySize ?? selected?.memorySize ?? 128,
            region: region, logGroup: logGroup ?? "/aws/lambda/\(name)", logStream: logStream, handler: handler, taskRoot: taskRoot,
            runtimeDirectory: runtimeDirectory, configured: variables, inheritsShell: inheritsShell)
        return LocalFunction(
            environment: environment, timeout: timeout ?? selected?.timeout ?? 300, initTimeout: initTimeout, shell: shell)
    }

    /// The shell's AWS_REGION (or AWS_DEFAULT_REGION), as `sam local` takes it.
    private static func shellRegion(_ shell: [String: String]) throws -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            guard let value = shell[name], !value.isEmpty else { continue }
            guard isRegion(value) else {
                throw ValidationError("\(name) in the shell is not an AWS region such as us-east-1; unset it or give --region")
            }
            return value
        }
        return nil
    }
}

/// A function as a command runs it locally: its Lambda environment and its limits.
struct LocalFunction {
    var environment: LambdaEnvironment
    var timeout: Int
    var initTimeout: Int
    /// The tool's own environment, read once.
    var shell: [String: String]

    /// The emulator's settings.
    var emulator: EmulatorConfiguration {
        EmulatorConfiguration(
            functionName: environment.functionName, region: environment.region, timeoutSeconds: timeout, initTimeoutSeconds: initTimeout,
            memorySizeMB: environment.memorySize, functionVersion: environment.functionVersion, platformLog: StandardError.line,
            log: { note("lambda-host: \($0)") })
    }

    /// The runtime's variables for a Runtime API at `endpoint`.
    func variables(endpoint: String, extra: [String: String] = [:]) -> [String: String] {
        environment.variables(endpoint: endpoint, extra: extra, shell: shell)
    }

    /// A supervisor that runs `command` (by default the lambda-host runtime next to this
    /// command) against `emulator`, with this function's variables and `extra`.
    func supervisor(
        on emulator: RuntimeAPIEmulator,
        command: [String] = [hostBinary],
        extra: [String: String] = [:],
        cleanup: (@Sendable () -> Void)? = nil
    ) -> FunctionSupervisor {
        let launch = RuntimeProcess.Launch(arguments: command, environment: variables(endpoint: emulator.endpoint, extra: extra))
        return FunctionSupervisor(emulator: emulator, cleanup: cleanup) { endpoint in
            var started = launch
            started.environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
            return started
        }
    }
}

/// The folder of a program given as a path; the current folder for a bare name.
func folder(of program: String) -> String {
    program.contains("/") ? FileSystem.folder(of: program) : currentFolder()
}

/// Refuses a numeric flag outside `range`, naming the flag, the range and its `unit`.
func check(_ flag: String, _ value: Int, in range: ClosedRange<Int>, _ unit: String) throws {
    guard range.contains(value) else {
        throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound) \(unit); got \(value)")
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// A port on 127.0.0.1 (0 picks a free one).
let portRange = 0...65535

/// Which plugin a local run loads.
struct HandlerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The handler: a _HANDLER value (libhello.so, libhello.so:greet, hello.greet) or a path to a .so.",
            discussion: "With a path, the .so's folder is the task root. Required unless the config file's function names one. Example: --handler .build/release/libHello.so",
            valueName: "handler"))
    var handler: String?

    @Option(help: "Where the plugin is looked for (LAMBDA_TASK_ROOT; default: the current folder). Example: --task-root .build/release")
    var taskRoot: String?

    /// `_HANDLER` and `LAMBDA_TASK_ROOT` for the runtime: the flags, else `selected`'s.
    func resolve(_ selected: FunctionConfiguration? = nil) throws -> (handler: String, taskRoot: String) {
        guard let handler = handler ?? selected?.handler else {
            throw ValidationError("give --handler, or a --config whose function has a \"handler\"")
        }
        let taskRoot = self.taskRoot ?? selected?.taskRoot
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
    StandardError.line(text)
}
