import LambdaEmulator
import Testing

/// The parsers of a function's configuration (env files, `--env`, the JSON config file)
/// and the environment a local runtime gets, in process.
@Suite struct FunctionConfigurationTests {
    @Test func anEnvFileTakesDockersFormat() throws {
        let text = "# a comment\n\nGREETING=Bonjour tout le monde\r\n  INDENTED=yes\nURL=https://x.example/?a=b&c=d\nQUOTED=\"kept\"\nEMPTY=\nGREETING=again\n"
        let variables = try EnvironmentFile.parse(Array(text.utf8), origin: ".env")
        #expect(variables.map(\.name) == ["GREETING", "INDENTED", "URL", "QUOTED", "EMPTY", "GREETING"])
        #expect(variables[0].value == "Bonjour tout le monde")
        #expect(variables[2].value == "https://x.example/?a=b&c=d")
        #expect(variables[3].value == "\"kept\"")
        #expect(variables[4].value == "")
        #expect(variables[5].value == "again")
    }

    @Test(arguments: [
        ("A=1\nsecretvalue\n", ConfigurationError.Code.malformedVariable, ".env:2:"),
        ("A=1\n\n# c\n1BAD=x\n", .invalidName, ".env:4:"),
        ("A B=x\n", .invalidName, ".env:1:"),
        ("=x\n", .invalidName, ".env:1:"),
    ])
    func aMalformedLineIsNamedByFileAndLine(text: String, code: ConfigurationError.Code, place: String) {
        #expect {
            try EnvironmentFile.parse(Array(text.utf8), origin: ".env")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == code && error.message.hasPrefix(place) && !error.message.contains("secretvalue")
        }
    }

    /// Editors on Windows start a UTF-8 file with a byte order mark; Docker drops it too.
    @Test func aByteOrderMarkBeforeTheFirstLineIsDropped() throws {
        let variables = try EnvironmentFile.parse([0xEF, 0xBB, 0xBF] + Array("KEY=1\r\nB=2\r\n".utf8), origin: ".env")
        #expect(variables.map(\.name) == ["KEY", "B"] && variables.map(\.value) == ["1", "2"])
    }

    /// A NUL would end the runtime's `NAME=value` C string: the runtime would get another
    /// value than the one written.
    @Test func aNULInAValueIsRefusedWithoutTheValue() {
        #expect {
            try EnvironmentFile.parse(Array("A=1\nTOKEN=abc\u{0}secretvalue\n".utf8), origin: ".env")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == .malformedVariable && error.message.hasPrefix(".env:2:") && !error.message.contains("secretvalue")
        }
        #expect {
            try FunctionConfiguration.parse(
                Array(#"{"functions": {"a": {"environment": {"TOKEN": "abc\u0000secretvalue"}}}}"#.utf8), origin: "f.json", folder: "/p")
        } throws: { error in
            "\(error)".contains("functions.a.environment.TOKEN") && !"\(error)".contains("secretvalue")
        }
    }

    /// A line that is not `NAME=value` (a YAML line, a pasted token) holds a secret more
    /// often than not: its error names the line and the character, never the text.
    @Test(arguments: [
        ("DB_URL: postgres://u:secretvalue@db/x?ssl=require\n", "':'"),
        ("FwoGZXIvsecretvalue/abc+def==\n", "'/'"),
        ("secretvalue KEY=x\n", "a space"),
        ("export secretvalue=x\n", "leave out 'export '"),
    ])
    func aBadNameIsNotEchoed(text: String, expected: String) {
        #expect {
            try EnvironmentFile.parse(Array(text.utf8), origin: ".env")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == .invalidName && error.message.hasPrefix(".env:1:") && error.message.contains(expected)
                && !error.message.contains("secretvalue")
        }
        #expect {
            try FunctionConfiguration.parse(
                Array(#"{"functions": {"a": {"environment": {"\#(text.dropLast().split(separator: "=")[0])": "v"}}}}"#.utf8),
                origin: "f.json", folder: "/p")
        } throws: { error in
            "\(error)".contains("functions.a.environment") && !"\(error)".contains("secretvalue")
        }
    }

    @Test func anEnvFileMustBeUTF8() {
        #expect(throws: ConfigurationError.self) { try EnvironmentFile.parse([0x41, 0x3d, 0xff], origin: "f") }
    }

    @Test(arguments: ["A", "_x", "AWS_REGION2", "a1_B"]) func variableNames(valid: String) {
        #expect(EnvironmentFile.isValidName(valid))
    }

    @Test(arguments: ["", "1A", "A-B", "A.B", "É", "A=B"]) func notVariableNames(invalid: String) {
        #expect(!EnvironmentFile.isValidName(invalid))
    }

    @Test func aReservedVariableNamesItsFlag() {
        #expect {
            try LambdaEnvironment.checkNotReserved("AWS_REGION", origin: "--env")
        } throws: { ($0 as? ConfigurationError)?.code == .reservedVariable && "\($0)".contains("--region") }
        #expect(throws: Never.self) { try LambdaEnvironment.checkNotReserved("TABLE", origin: "--env") }
    }

    static let twoFunctions = #"""
        {"functions": {
          "hello": {"handler": "libHello.so", "taskRoot": "build", "environment": {"GREETING": "Bonjour"}, "timeout": 30, "memorySize": 256},
          "echo": {"handler": "plugins/libEcho.so"}
        }}
        """#

    @Test func aConfigFileNamesFunctionsWithPathsFromItsFolder() throws {
        let functions = try FunctionConfiguration.parse(Array(Self.twoFunctions.utf8), origin: "f.json", folder: "/project")
        #expect(functions.map(\.name) == ["echo", "hello"])
        let hello = try FunctionConfiguration.select("hello", from: functions, origin: "f.json")
        #expect(hello == FunctionConfiguration(
            name: "hello", handler: "libHello.so", taskRoot: "/project/build", environment: ["GREETING": "Bonjour"], timeout: 30, memorySize: 256))
        let echo = try FunctionConfiguration.select("echo", from: functions, origin: "f.json")
        #expect(echo.handler == "/project/plugins/libEcho.so" && echo.taskRoot == nil && echo.timeout == nil)
    }

    @Test func severalFunctionsNeedAName() throws {
        let functions = try FunctionConfiguration.parse(Array(Self.twoFunctions.utf8), origin: "f.json", folder: "/p")
        #expect {
            try FunctionConfiguration.select(nil, from: functions, origin: "f.json")
        } throws: { ($0 as? ConfigurationError)?.code == .unknownFunction && "\($0)".contains("echo, hello") && "\($0)".contains("--function") }
        #expect {
            try FunctionConfiguration.select("nope", from: functions, origin: "f.json")
        } throws: { ($0 as? ConfigurationError)?.code == .unknownFunction && "\($0)".contains("nope") }
        let one = try FunctionConfiguration.parse(Array(#"{"functions": {"only": {}}}"#.utf8), origin: "f.json", folder: "/p")
        #expect(try FunctionConfiguration.select(nil, from: one, origin: "f.json").name == "only")
    }

    @Test(arguments: [
        (#"{"functions": {"a": {"handlr": "x"}}}"#, "functions.a: unknown key \"handlr\""),
        (#"{"function": {}}"#, "the top level: unknown key \"function\""),
        (#"{"functions": {"a": {"timeout": 901}}}"#, "functions.a.timeout: must be 1 to 900"),
        (#"{"functions": {"a": {"timeout": "30"}}}"#, "timeout: expected a whole number"),
        (#"{"functions": {"a": {"memorySize": 64}}}"#, "functions.a.memorySize: must be 128 to 10240"),
        (#"{"functions": {"a b": {}}}"#, "functions.a b: a function's name is 1 to 64"),
        (#"{"functions": {"a": {"environment": {"1X": "v"}}}}"#, "functions.a.environment: '1X' is not a variable name"),
        (#"{"functions": {"a": {"environment": {"_HANDLER": "v"}}}}"#, "use --handler"),
        (#"{"functions": {}}"#, "\"functions\" is empty"),
        (#"{"functions": {"a": {}}"#, "not valid JSON"),
    ])
    func aBadConfigFileSaysWhereAndWhat(text: String, expected: String) {
        #expect {
            try FunctionConfiguration.parse(Array(text.utf8), origin: "f.json", folder: "/p")
        } throws: { error in
            "\(error)".hasPrefix("f.json: ") && "\(error)".contains(expected)
        }
    }

    static func environment(configured: [String: String] = [:], inherits: Bool = false) -> LambdaEnvironment {
        LambdaEnvironment(
            functionName: "hello", functionVersion: "$LATEST", memorySize: 256, region: "eu-west-3", logGroup: "/aws/lambda/hello",
            logStream: "local", handler: "libHello.so", taskRoot: "/task", runtimeDirectory: "/runtime", configured: configured,
            inheritsShell: inherits)
    }

    static let shell = ["HOME": "/root", "SECRET_TOKEN": "s3cr3t", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk", "PATH": "/shell/bin"]

    @Test func theRuntimeGetsLambdasVariablesTheCredentialsAndNothingElseOfTheShell() {
        let variables = Self.environment(configured: ["TABLE": "visits"]).variables(endpoint: "127.0.0.1:9001", shell: Self.shell)
        #expect(variables == [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME": "hello", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/hello", "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "eu-west-3",
            "LAMBDA_TASK_ROOT": "/task", "LAMBDA_RUNTIME_DIR": "/runtime", "_HANDLER": "libHello.so",
            "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
            "LD_LIBRARY_PATH": "/lib64:/usr/lib64:/runtime:/runtime/lib:/task:/task/lib:/opt/lib",
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk", "TABLE": "visits",
        ])
    }

    @Test func inheritingTheShellKeepsLambdasOwnAndTheConfiguredOnTop() {
        let variables = Self.environment(configured: ["PATH": "/mine", "HOME": "/configured"], inherits: true)
            .variables(endpoint: "e", extra: ["AWS_LAMBDA_INITIALIZATION_TYPE": "lambda-managed-instances"], shell: Self.shell.merging(["_HANDLER": "shell"]) { $1 })
        #expect(variables["SECRET_TOKEN"] == "s3cr3t")
        #expect(variables["_HANDLER"] == "libHello.so")
        #expect(variables["PATH"] == "/mine" && variables["HOME"] == "/configured")
        #expect(variables["AWS_LAMBDA_INITIALIZATION_TYPE"] == "lambda-managed-instances")
        #expect(variables["AWS_LAMBDA_RUNTIME_API"] == "e")
    }

    /// With --inherit-env the shell's environment can hold names that are no variable
    /// names (`env 'X$(cmd)=1' …`): printed as they are, `eval` would run them.
    @Test func exportLinesLeaveOutNamesAShellWouldRun() {
        let lines = LambdaEnvironment.exportLines(["X$(touch /tmp/p)": "1", "`id`": "2", "A B": "3", "BASH_FUNC_f%%": "() { id; }", "OK": "4"])
        #expect(lines == "export OK='4'\n")
    }

    @Test func exportLinesQuoteForAShell() {
        let lines = LambdaEnvironment.exportLines(["B": "it's $HOME", "A": "x y", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_SESSION_TOKEN": "t"])
        #expect(lines == "export A='x y'\nexport B='it'\\''s $HOME'\n", "the credentials are not printed")
    }
}
