import Glibc

/// The environment a local runtime starts with: what Lambda sets for a function, and only
/// what was configured on top.
///
/// From the bottom up: Lambda's defaults for `PATH`, `LANG`, `LD_LIBRARY_PATH` and `TZ`;
/// then either the whole shell environment (``inheritsShell``, `--inherit-env`) or only the
/// shell's AWS credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, as `sam local` passes them); then Lambda's reserved variables,
/// which only flags set; then `extra` (what a mode adds); then ``configured``. A shell
/// variable does not reach the runtime otherwise. `AWS_EXECUTION_ENV` is not set, as
/// Lambda does not set it for OS-only (`provided`) runtimes.
public struct LambdaEnvironment: Sendable {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    public var functionName: String
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    public var functionVersion: String
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    public var memorySize: Int
    /// `AWS_REGION` and `AWS_DEFAULT_REGION`.
    public var region: String
    /// `AWS_LAMBDA_LOG_GROUP_NAME`.
    public var logGroup: String
    /// `AWS_LAMBDA_LOG_STREAM_NAME`.
    public var logStream: String
    /// `_HANDLER`; nil leaves it unset (a runtime that does not read it).
    public var handler: String?
    public var taskRoot: String
    /// `LAMBDA_RUNTIME_DIR`: in Lambda `/var/runtime`; locally the runtime's own folder.
    public var runtimeDirectory: String
    /// The function's own variables, already merged (config file < env files < `--env`).
    public var configured: [String: String]
    /// Whether the shell's variables pass through (`--inherit-env`).
    public var inheritsShell: Bool

    /// Creates a description of a function's environment.
    public init(
        functionName: String, functionVersion: String, memorySize: Int, region: String, logGroup: String, logStream: String,
        handler: String?, taskRoot: String, runtimeDirectory: String, configured: [String: String], inheritsShell: Bool
    ) {
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memorySize = memorySize
        self.region = region
        self.logGroup = logGroup
        self.logStream = logStream
        self.handler = handler
        self.taskRoot = taskRoot
        self.runtimeDirectory = runtimeDirectory
        self.configured = configured
        self.inheritsShell = inheritsShell
    }

    /// The shell credentials a runtime gets even without `--inherit-env`.
    public static let credentialNames = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]

    /// Variables Lambda sets itself and refuses in a function's configuration, with the
    /// flag that sets each here.
    public static let reserved: [String: String] = [
        "_HANDLER": "--handler",
        "LAMBDA_TASK_ROOT": "--task-root",
        "LAMBDA_RUNTIME_DIR": "nothing: it is the runtime's folder",
        "AWS_LAMBDA_RUNTIME_API": "nothing: the emulator sets it",
        "AWS_LAMBDA_FUNCTION_NAME": "--function-name (or the config file's function name)",
        "AWS_LAMBDA_FUNCTION_VERSION": "--function-version",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "--memory-size",
        "AWS_LAMBDA_LOG_GROUP_NAME": "--log-group",
        "AWS_LAMBDA_LOG_STREAM_NAME": "--log-stream",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "--max-concurrency",
        "AWS_REGION": "--region",
        "AWS_DEFAULT_REGION": "--region",
    ]

    /// Refuses a variable that Lambda reserves, naming the flag to use instead.
    public static func checkNotReserved(_ name: String, origin: String) throws(ConfigurationError) {
        if let flag = reserved[name] {
            throw ConfigurationError(.reservedVariable, "\(origin): \(name) is set by Lambda, not by the function's configuration; use \(flag)")
        }
    }

    /// The runtime's variables, for a Runtime API at `endpoint`, with `extra` above Lambda's own.
    public func variables(endpoint: String, extra: [String: String] = [:], shell: [String: String] = Self.shell()) -> [String: String] {
        var variables = [
            "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LD_LIBRARY_PATH": "/lib64:/usr/lib64:\(runtimeDirectory):\(runtimeDirectory)/lib:\(taskRoot):\(taskRoot)/lib:/opt/lib",
        ]
        if inheritsShell {
            variables.merge(shell) { $1 }
        } else {
            for name in Self.credentialNames { if let value = shell[name] { variables[name] = value } }
        }
        variables.merge([
            "AWS_LAMBDA_RUNTIME_API": endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": functionName,
            "AWS_LAMBDA_FUNCTION_VERSION": functionVersion,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(memorySize),
            "AWS_LAMBDA_LOG_GROUP_NAME": logGroup,
            "AWS_LAMBDA_LOG_STREAM_NAME": logStream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": taskRoot,
            "LAMBDA_RUNTIME_DIR": runtimeDirectory,
        ]) { $1 }
        variables["_HANDLER"] = handler
        variables.merge(extra) { $1 }
        variables.merge(configured) { $1 }
        variables["AWS_LAMBDA_RUNTIME_API"] = endpoint
        return variables
    }

    /// This process's environment.
    public static func shell() -> [String: String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }

    /// `export NAME='value'` lines, sorted, for a shell (values in single quotes, a `'`
    /// written as `'\''`): what a runtime started by hand needs. The AWS credentials
    /// (``credentialNames``) are left out, so that their values are never printed: the
    /// shell the runtime is started from has them already. So are names that are not
    /// variable names, which only `--inherit-env` brings (`env 'X$(cmd)=1' …`, Bash's
    /// exported functions): written out, `eval` would run them.
    public static func exportLines(_ variables: [String: String]) -> String {
        variables.filter { !credentialNames.contains($0.key) && EnvironmentFile.isValidName($0.key) }.sorted { $0.key < $1.key }
            .map { "export \($0.key)=\(shellQuoted($0.value))\n" }.joined()
    }

    /// `text` in single quotes for a POSIX shell.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
