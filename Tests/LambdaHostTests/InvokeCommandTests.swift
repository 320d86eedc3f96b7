import Foundation
import Testing

/// `lambda-host invoke`: the real binaries, the embedded emulator, one invocation.
@Suite struct InvokeCommandTests {
    func invoke(_ arguments: [String], stdin: String? = nil) throws -> CommandOutcome {
        try runCommand(BuildProducts.host, ["invoke"] + arguments, stdin: stdin)
    }

    @Test func invokesTheSwiftExamplePluginByPath() throws {
        let outcome = try invoke(["--handler", BuildProducts.plugin("Hello"), "--event", #"{"name":"World"}"#])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == #"{"message":"Hello, World!"}"#)
    }

    @Test func readsTheEventFromStdinAndTheTaskRootFromTheFlag() throws {
        let outcome = try invoke(
            ["--handler", "libEcho.so", "--task-root", BuildProducts.folder.path], stdin: "from stdin")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "from stdin")
    }

    @Test func aFunctionErrorGoesToStderrWithStatusOne() throws {
        let outcome = try invoke(["--handler", BuildProducts.plugin("Fail"), "--event", "{}"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        let error = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.stderr.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
                as? [String: Any])
        #expect(error["errorType"] as? String == "Fail.Deliberate")
    }

    @Test func anInitErrorReachesTheInvoker() throws {
        let outcome = try invoke(["--handler", BuildProducts.plugin("NoEntry"), "--event", "{}"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains(#""errorType":"Runtime.MissingEntryPoint""#))
    }

    @Test func aMissingSharedObjectIsAUsageError() throws {
        let outcome = try invoke(["--handler", "/nonexistent/libX.so"])
        #expect(outcome.status != 0 && outcome.status != 1)
        #expect(outcome.stderr.contains("no such file"))
    }

    @Test func everyOptionOfEveryCommandHasAnExample() throws {
        for command in [["invoke"], ["serve"], ["emulate"], ["package", "layer"], ["package", "function"],
            ["package", "check"], ["package", "simulate"]] {
            let text = try runCommand(BuildProducts.host, command + ["--help"]).stdout
            let options = try #require(text.components(separatedBy: "OPTIONS:").last)
            // Each option starts a line with "  -"; its help runs until the next one.
            var entries: [String] = []
            for line in options.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("  -") { entries.append(String(line)) } else if !entries.isEmpty { entries[entries.count - 1] += " " + line }
            }
            let documented = entries.filter { !$0.contains("--help") && !$0.contains("--version") }
            #expect(documented.count >= 2, "\(command)")
            for entry in documented {
                #expect(entry.contains("Example"), "\(command): \(entry)")
            }
        }
    }

    @Test func everyCommandHasHelp() throws {
        for command in [["--help"], ["invoke", "--help"], ["serve", "--help"], ["emulate", "--help"], ["help", "run"],
            ["package", "--help"], ["package", "layer", "--help"], ["package", "function", "--help"],
            ["package", "check", "--help"], ["package", "simulate", "--help"]] {
            let outcome = try runCommand(BuildProducts.host, command)
            #expect(outcome.status == 0, "\(command)")
            #expect(outcome.stdout.contains("Example"), "\(command)")
        }
    }
}
