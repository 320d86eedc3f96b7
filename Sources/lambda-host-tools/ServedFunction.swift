import ArgumentParser
import LambdaEmulator

extension HTTPPayloadFormat: ExpressibleByArgument {}

/// One function `serve` runs: its name (the invoke path's, the route prefix, and
/// AWS_LAMBDA_FUNCTION_NAME), its `_HANDLER` and task root, and the file a reload watches.
struct ServedFunction {
    var name: String
    var handler: String
    var taskRoot: String
    /// The `.so` to watch, or nil for a system library the system loader finds.
    var library: String?
    /// Its entry in --config, whose environment, timeout and memory size it runs with.
    var selected: FunctionConfiguration? = nil
    /// Whether it was named (--function, or one of several in --config): then it is
    /// served under its name, and with --http under the path prefix /NAME.
    var named = false

    /// Reads `--function NAME=HANDLER`: NAME is 1 to 64 of A-Z a-z 0-9 - _, as Lambda's
    /// function names are; HANDLER anything `--handler` takes.
    static func parse(_ text: String) throws -> (name: String, handler: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
            throw ValidationError("--function takes NAME=HANDLER, such as --function hello=.build/release/libHello.so; got '\(text)'")
        }
        let name = String(text[..<equals])
        try checkName(name, flag: "--function")
        return (name, String(text[text.index(after: equals)...]))
    }

    /// Refuses a name that Lambda would refuse.
    static func checkName(_ name: String, flag: String) throws {
        guard FunctionConfiguration.isFunctionName(name) else {
            throw ValidationError(
                "\(flag): a function name must be 1 to 64 of the characters A-Z a-z 0-9 - _, as Lambda requires; got '\(ArgumentBytes.escaped(Array(name.utf8)))'")
        }
    }
}
