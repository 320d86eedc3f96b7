import ArgumentParser
import LambdaPackaging
import LambdaPluginLoader

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package init-check`: hidden. `package function` and `package check`
    /// run it in a child process (see `PluginInitCheck`), so that a plugin that crashes
    /// while loading cannot take the command down.
    struct InitCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init-check",
            abstract: "Run the host's INIT checks on one library (used by package function and package check).",
            shouldDisplay: false
        )

        @Option(help: "The _HANDLER value to check the library as.")
        var handler: String

        @Option(help: "Where to write the verdict.")
        var result: String

        @Argument(help: "The library.")
        var path: String

        /// Writes `plugin\n<handler>\n<name>` (the handler a C identifier, or the descriptor's
        /// field; the name last, as it may hold anything), `library`, or
        /// `error\n<Runtime.* type>\n<message>`.
        func run() throws {
            var verdict: String
            do {
                let spec = try HandlerSpec(handler)
                verdict = try LoadedPlugin.open(path: path, spec: spec).map { "plugin\n\($0.handlerName)\n\($0.name)" } ?? "library"
            } catch {
                verdict = "error\n\(error.code.errorType)\n\(error.message)"
            }
            try FileSystem.write(Array(verdict.utf8), to: result)
        }
    }
}
