import Foundation
import Glibc
import Testing

/// What reaches a runtime started by `invoke`, `serve` and `emulate` (Lambda's variables
/// and only what `--config`, `--env-file` and `--env` give), and `emulate` with a runtime
/// started by hand, all with the real binary and a real plugin that answers with its
/// environment.
@Suite(.serialized) struct FunctionEnvironmentTests {
    /// A plugin whose answer is its whole environment, one `NAME=value` a line.
    static let plugin = """
        #include <lambda_plugin.h>
        #include <string.h>
        extern char **environ;

        LAMBDA_PLUGIN_DEFINE("environment", "1", NULL, NULL)

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
            static char out[256 * 1024];
            size_t used = 0;
            for (char **entry = environ; *entry != NULL; entry++) {
                size_t length = strlen(*entry);
                if (used + length + 1 > sizeof out) break;
                memcpy(out + used, *entry, length);
                used += length;
                out[used++] = '\\n';
            }
            return inv->host->respond(inv, out, used);
        }
        """

    static let built: Result<String, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-environment-plugin").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try compilePlugin(plugin, to: folder + "/libenvironment.so")
        return folder + "/libenvironment.so"
    }

    /// The shell of the tool: a variable of its own, AWS credentials and a region.
    static let shell = [
        "SHELL_ONLY_PROBE": "leaked", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-example",
        "AWS_REGION": "eu-west-3",
    ]

    static func variables(_ text: String) -> [String: String] {
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }

    func invoke(_ flags: [String], in folder: String? = nil) throws -> CommandOutcome {
        try runCommand(
            "/usr/bin/timeout", ["60", BuildProducts.host, "invoke", "--event", "{}"] + flags, environment: Self.shell, in: folder)
    }

    @Test func invokeGivesLambdasVariablesAndNoShellVariable() throws {
        let library = try Self.built.get()
        let outcome = try invoke(["--handler", library, "--function-name", "hello", "--memory-size", "256", "--env", "TABLE=visits"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let seen = Self.variables(outcome.stdout)
        #expect(seen["SHELL_ONLY_PROBE"] == nil && seen["HOME"] == nil, "\(seen.keys.sorted())")
        #expect(seen["TABLE"] == "visits")
        #expect(seen["AWS_LAMBDA_FUNCTION_NAME"] == "hello" && seen["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256")
        #expect(seen["AWS_REGION"] == "eu-west-3" && seen["AWS_DEFAULT_REGION"] == "eu-west-3")
        #expect(seen["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE" && seen["AWS_SECRET_ACCESS_KEY"] == "secret-example")
        #expect(seen["_HANDLER"] == "libenvironment.so")
        let folder = String(library.dropLast("/libenvironment.so".count))
        #expect(seen["LAMBDA_TASK_ROOT"] == folder)
        #expect(seen["LAMBDA_RUNTIME_DIR"] == BuildProducts.folder.path)
        #expect(seen["TZ"] == ":UTC" && seen["LANG"] == "en_US.UTF-8" && seen["PATH"] == "/usr/local/bin:/usr/bin/:/bin:/opt/bin")
        #expect(seen["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST" && seen["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/hello")
        #expect(seen["AWS_EXECUTION_ENV"] == nil, "not set for OS-only runtimes")
        #expect(!outcome.stderr.contains("secret-example"))
    }

    @Test func inheritEnvPassesTheShellThrough() throws {
        let outcome = try invoke(["--handler", try Self.built.get(), "--inherit-env"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let seen = Self.variables(outcome.stdout)
        #expect(seen["SHELL_ONLY_PROBE"] == "leaked")
        #expect(seen["_HANDLER"] == "libenvironment.so")
    }

    @Test func theConfigFileThenEnvFilesThenEnvFlags() throws {
        let library = try Self.built.get()
        let root = try TemporaryFolder()
        let config = #"""
            {"functions": {
              "visits": {"handler": "\#(library)", "environment": {"A": "config", "B": "config", "C": "config"}, "memorySize": 512, "timeout": 20},
              "other": {"handler": "libnothing.so"}
            }}
            """#
        try config.write(toFile: root.path + "/functions.json", atomically: true, encoding: .utf8)
        try "# the second layer\nB=file\nC=file\n".write(toFile: root.path + "/.env", atomically: true, encoding: .utf8)
        let outcome = try invoke([
            "--config", root.path + "/functions.json", "--function", "visits", "--env-file", root.path + "/.env", "--env", "C=flag",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let seen = Self.variables(outcome.stdout)
        #expect(seen["A"] == "config" && seen["B"] == "file" && seen["C"] == "flag")
        #expect(seen["AWS_LAMBDA_FUNCTION_NAME"] == "visits" && seen["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512")
        // A flag wins over the file.
        let flagged = try invoke(["--config", root.path + "/functions.json", "--function", "visits", "--memory-size", "1024"])
        #expect(Self.variables(flagged.stdout)["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "1024", "\(flagged.stderr)")
    }

    @Test func badConfigurationIsAUsageErrorThatSaysWhere() throws {
        let library = try Self.built.get()
        let root = try TemporaryFolder()
        try "A=1\n\nthe-secret-value\n".write(toFile: root.path + "/bad.env", atomically: true, encoding: .utf8)
        try #"{"functions": {"a": {}, "b": {}}}"#.write(toFile: root.path + "/two.json", atomically: true, encoding: .utf8)
        for (flags, expected) in [
            (["--env-file", root.path + "/bad.env"], root.path + "/bad.env:3: expected KEY=VALUE"),
            (["--env-file", root.path + "/missing.env"], "missing.env: No such file or directory"),
            (["--env", "NOEQUALS"], "--env: expected KEY=VALUE"),
            (["--env", "1X=y"], "'1X' is not a variable name"),
            (["--env", "AWS_LAMBDA_FUNCTION_NAME=x"], "use --function-name"),
            (["--config", root.path + "/two.json"], "names several functions (a, b); pick one with --function NAME"),
            (["--config", root.path + "/two.json", "--function", "c"], "has no such function; it has a, b"),
            (["--function", "a"], "give --config FILE too"),
        ] {
            let outcome = try invoke(["--handler", library] + flags)
            #expect(outcome.status == 64, "\(flags): \(outcome.stderr)")
            #expect(outcome.stderr.contains(expected), "\(flags): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("the-secret-value"))
        }
    }

    /// `--env-file <(…)` and `--config <(…)` are pipes: they can be read once only, so
    /// checking the flags must not use up what the run then reads.
    @Test func anEnvFileAndAConfigFromAPipeAreReadOnce() throws {
        let library = try Self.built.get()
        let config = #"{"functions": {"piped": {"handler": "\#(library)", "environment": {"FROM_CONFIG": "yes"}}}}"#
        let script = "exec \"$0\" invoke --event '{}' --env-file <(printf 'FROM_FILE=yes\\n') --config <(printf '%s' \"$1\")"
        let outcome = try runCommand(
            "/usr/bin/timeout", ["60", "/bin/bash", "-c", script, BuildProducts.host, config], environment: Self.shell)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let seen = Self.variables(outcome.stdout)
        #expect(seen["FROM_FILE"] == "yes" && seen["FROM_CONFIG"] == "yes", "\(outcome.stderr)")
        #expect(seen["AWS_LAMBDA_FUNCTION_NAME"] == "piped")
    }

    /// An --env value that is not UTF-8 is refused without being quoted: it may be a
    /// secret, in either spelling of the flag.
    @Test func anEnvValueThatIsNotUTF8IsNotEchoed() throws {
        let library = try Self.built.get()
        for flag in ["--env \"$(printf 'TOKEN=secret-\\377-value')\"", "\"$(printf -- '--env=TOKEN=secret-\\377-value')\""] {
            let script = "exec timeout 20 \"$0\" invoke --handler \"$1\" --event '{}' \(flag)"
            let run = try runCommand("/bin/sh", ["-c", script, BuildProducts.host, library])
            #expect(run.status == 64, "\(flag): \(run.stderr)")
            #expect(run.stderr.contains("--env") && run.stderr.contains("is not valid UTF-8"), "\(run.stderr)")
            #expect(!run.stderr.contains("secret-"), "\(run.stderr)")
        }
    }

    /// The version is in the START line: a line break in it would forge log lines.
    /// Lambda's versions are `$LATEST` or a number.
    @Test func aFunctionVersionIsLatestOrANumber() throws {
        let library = try Self.built.get()
        for bad in ["1\nREPORT RequestId: forged", "", "v1", "$latest", "1.0"] {
            let outcome = try invoke(["--handler", library, "--function-version", bad])
            #expect(outcome.status == 64, "\(bad): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--function-version"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("\nREPORT RequestId: forged"))
        }
        let numbered = try invoke(["--handler", library, "--function-version", "42"])
        #expect(numbered.status == 0, "\(numbered.stderr)")
        #expect(Self.variables(numbered.stdout)["AWS_LAMBDA_FUNCTION_VERSION"] == "42")
        #expect(numbered.stderr.contains("Version: 42\n"), "\(numbered.stderr)")
    }

    @Test func serveAndEmulatePassTheConfiguredEnvironmentOnly() throws {
        let serve = try HostProcess(
            handler: nil, api: nil, environment: Self.shell,
            arguments: ["serve", "--port", "0", "--handler", try Self.built.get(), "--env", "TABLE=served"])
        let port = try #require(serve.invokePort(), "serve did not start: \(serve.stderr)")
        let reply = try #require(HTTPPost.invoke(port: port, "{}"))
        let served = Self.variables(reply.body)
        #expect(served["TABLE"] == "served" && served["SHELL_ONLY_PROBE"] == nil, "\(reply)")

        let script = #"echo "SEEN TABLE=${TABLE-unset} SHELL=${SHELL_ONLY_PROBE-unset} TZ=$TZ"; exec sleep 3600"#
        let emulate = try HostProcess(
            handler: nil, api: nil, environment: Self.shell,
            arguments: ["emulate", "--port", "0", "--env", "TABLE=emulated", "--", "/bin/sh", "-c", script])
        let emulatePort = try #require(emulate.invokePort(), "emulate did not start: \(emulate.stderr)")
        let caller = RawHTTP(port: emulatePort, timeout: 30)
        caller?.request("POST", "/2015-03-31/functions/function/invocations", body: Array("{}".utf8))
        #expect(emulate.waitForLog("SEEN "), "\(emulate.stderr)")
        #expect(emulate.stderr.contains("SEEN TABLE=emulated SHELL=unset TZ=:UTC"), "\(emulate.stderr)")
    }

    /// `serve --config` with two functions serves both on one port, each under its own
    /// name, with its own variables, memory size and AWS_LAMBDA_FUNCTION_NAME.
    @Test func serveRunsEveryFunctionOfTheConfigFileOnOnePort() throws {
        let folder = try TemporaryFolder()
        defer { withExtendedLifetime(folder) {} }
        let library = try Self.built.get()
        let config = #"""
            {"functions": {
              "first": {"handler": "\#(library)", "environment": {"TABLE": "one"}, "memorySize": 256},
              "second": {"handler": "\#(library)", "environment": {"TABLE": "two"}}
            }}
            """#
        try config.write(toFile: folder.path + "/functions.json", atomically: true, encoding: .utf8)
        let serve = try HostProcess(
            handler: nil, api: nil, environment: Self.shell,
            arguments: ["serve", "--port", "0", "--config", folder.path + "/functions.json", "--env", "SHARED=yes"])
        let port = try #require(serve.invokePort(), "serve did not start: \(serve.stderr)")
        for (name, table, memory) in [("first", "one", "256"), ("second", "two", "128")] {
            let reply = try #require(HTTPPost.send(port: port, path: "/2015-03-31/functions/\(name)/invocations", body: "{}"))
            let seen = Self.variables(reply.body)
            #expect(seen["TABLE"] == table && seen["SHARED"] == "yes" && seen["SHELL_ONLY_PROBE"] == nil, "\(name): \(reply)")
            #expect(seen["AWS_LAMBDA_FUNCTION_NAME"] == name && seen["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == memory, "\(name): \(reply)")
        }
        // --function NAME picks one of the file's functions.
        let picked = try HostProcess(
            handler: nil, api: nil, environment: Self.shell,
            arguments: ["serve", "--port", "0", "--config", folder.path + "/functions.json", "--function", "second"])
        let pickedPort = try #require(picked.invokePort(), "serve did not start: \(picked.stderr)")
        let reply = try #require(HTTPPost.send(port: pickedPort, path: "/2015-03-31/functions/second/invocations", body: "{}"))
        #expect(Self.variables(reply.body)["TABLE"] == "two", "\(reply)")
        let other = try #require(HTTPPost.send(port: pickedPort, path: "/2015-03-31/functions/first/invocations", body: "{}"))
        #expect(other.status == 404, "\(other)")
    }

    /// `emulate` with no command prints the environment and waits; a runtime started with
    /// exactly those variables (as under a debugger) answers an invocation.
    @Test func emulateWithoutACommandServesARuntimeStartedByHand() throws {
        let emulate = try HostProcess(
            handler: nil, api: nil, environment: Self.shell,
            arguments: ["emulate", "--port", "0", "--handler", "libEcho.so", "--task-root", BuildProducts.folder.path, "--env", "MARK=by-hand"],
            stdoutToLog: true)
        let port = try #require(emulate.invokePort(), "emulate did not start: \(emulate.stderr)")
        let printed = Self.exports(emulate.stderr)
        #expect(printed["AWS_LAMBDA_RUNTIME_API"]?.hasPrefix("127.0.0.1:") == true, "\(emulate.stderr)")
        #expect(printed["_HANDLER"] == "libEcho.so" && printed["MARK"] == "by-hand")
        // The shell's credentials reach a runtime the tool starts, but are never printed.
        #expect(printed["AWS_ACCESS_KEY_ID"] == nil && !emulate.stderr.contains("secret-example"))
        // The invocation waits for a runtime.
        let caller = try #require(RawHTTP(port: port, timeout: 30))
        caller.request("POST", "/2015-03-31/functions/function/invocations", body: Array(#"{"by":"hand"}"#.utf8))
        let runtime = try HostProcess(handler: nil, api: nil, environment: printed)
        let reply = try #require(caller.reply(), "no answer: \(emulate.stderr) \(runtime.stderr)")
        #expect(reply.status == 200 && reply.text == #"{"by":"hand"}"#, "\(reply.text)")
    }

    @Test func printEnvPrintsWhatACommandGets() throws {
        let emulate = try HostProcess(
            handler: nil, api: nil,
            arguments: ["emulate", "--port", "0", "--print-env", "--function-name", "shown", "--", "sleep", "3600"], stdoutToLog: true)
        _ = try #require(emulate.invokePort(), "emulate did not start: \(emulate.stderr)")
        let printed = Self.exports(emulate.stderr)
        #expect(printed["AWS_LAMBDA_FUNCTION_NAME"] == "shown" && printed["AWS_LAMBDA_RUNTIME_API"] != nil, "\(emulate.stderr)")
    }

    /// The variables of `export NAME='value'` lines, unquoted as a shell would.
    static func exports(_ text: String) -> [String: String] {
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            let quoted = assignment[assignment.index(after: equals)...]
            variables[String(assignment[..<equals])] = String(quoted.dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
        }
        return variables
    }
}
