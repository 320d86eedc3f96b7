import ArgumentParser
import CLambdaProcess
import Glibc
import LambdaRuntimeAPI

/// The developer commands of lambda-host. The `lambda-host` binary runs the Lambda
/// runtime itself and hands every other command to this one, so that the runtime stays
/// free of the emulator, SwiftNIO and argument parsing.
@main
struct LambdaHostTools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-host",
        abstract: "An AWS Lambda custom runtime that runs a handler shared object (.so).",
        discussion: """
            In Lambda, the layer's bootstrap runs `lambda-host` with no arguments: it loads the plugin \
            that _HANDLER names and answers invocations. On a laptop, `lambda-host invoke` runs the same \
            runtime against an embedded Runtime API emulator, and `lambda-host package` builds the layer \
            and function zips for Lambda.

            Example:
              swift build -c release
              .build/release/lambda-host invoke --handler .build/release/libHello.so --event '{"name":"World"}'
            """,
        version: LambdaHostVersion.string,
        subcommands: [
            New.self, Build.self, Invoke.self, Serve.self, Emulate.self, EventCommand.self, PackageCommand.self, IncludePath.self,
            Run.self,
        ]
    )

    static func main() async {
        // Runtimes started by these commands stop with them.
        lh_forward_termination()
        if let error = ArgumentBytes.firstNonUTF8() { exit(withError: error) }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

extension LambdaHostTools {
    /// `lambda-host run`: documented here; the runtime binary handles it itself.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run as the Lambda runtime (what the layer's bootstrap does).",
            discussion: """
                Reads AWS_LAMBDA_RUNTIME_API, _HANDLER and LAMBDA_TASK_ROOT, loads the plugin and answers \
                invocations until SIGTERM. Example:

                  _HANDLER=libEcho.so LAMBDA_TASK_ROOT=$PWD/.build/release \\
                    AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 lambda-host run
                """
        )

        func run() throws {
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("lambda-host"), strdup("run"), nil]
            execv(hostBinary, argv)
            throw ValidationError("cannot run \(hostBinary): \(String(cString: strerror(errno)))")
        }
    }
}
