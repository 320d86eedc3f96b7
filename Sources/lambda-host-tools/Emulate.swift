import ArgumentParser
import LambdaEmulator

extension LambdaHostTools {
    /// `lambda-host emulate`: any runtime against the embedded Runtime API.
    struct Emulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run any Lambda runtime against the embedded Runtime API emulator.",
            discussion: """
                Runs COMMAND with AWS_LAMBDA_RUNTIME_API and the usual Lambda variables set, and \
                serves the same invoke endpoint as `serve`: \
                POST /2015-03-31/functions/function/invocations on 127.0.0.1:PORT. The runtime starts \
                with the first invocation, and a fresh one replaces it after an exit, a crash, a \
                timeout, or an INIT longer than --init-timeout (it must call GET /next by then). The \
                Runtime API answers as Lambda's does: one invocation per GET /next, 413 for a \
                response over 6 MiB (the caller gets Function.ResponseSizeTooLarge), 403 for an init \
                error after INIT, Runtime.TruncatedResponse for an answer cut off. With \
                --max-concurrency N it plays Lambda Managed Instances: up to N invocations at once, \
                on as many connections as the runtime opens.

                Examples:
                  lambda-host emulate --port 9000 -- python3 -m awslambdaric app.handler
                  lambda-host emulate --max-concurrency 8 -- python3 -m awslambdaric app.handler
                  lambda-host emulate --handler libEcho.so --task-root .build/release -- .build/release/lambda-host
                  curl -d '{}' http://127.0.0.1:9000/2015-03-31/functions/function/invocations
                """
        )

        @Option(help: "The port of the invoke endpoint, on 127.0.0.1. Example: --port 8080")
        var port: Int = 9000

        @Option(
            help: ArgumentHelp(
                "The port of the Runtime API (0 picks a free one). Example: --runtime-api-port 9001",
                discussion: """
                    For a runtime you start yourself, give a placeholder command that keeps running \
                    (-- sleep infinity): its exit counts as the runtime's exit.
                    """))
        var runtimeAPIPort: Int = 0

        @Option(help: "_HANDLER for the runtime, if it reads it. Example: --handler app.handler")
        var handler: String?

        @Option(help: "LAMBDA_TASK_ROOT (default: the current folder). Example: --task-root ./build")
        var taskRoot: String?

        @OptionGroup var function: FunctionOptions

        @OptionGroup var concurrency: ConcurrencyOptions

        @Argument(parsing: .postTerminator, help: "The runtime to run, after --. Example: -- python3 -m awslambdaric app.handler")
        var command: [String] = []

        func validate() throws {
            try check("--port", port, in: portRange, "(0 picks a free port)")
            try check("--runtime-api-port", runtimeAPIPort, in: portRange, "(0 picks a free port)")
            guard !command.isEmpty else {
                throw ValidationError("give the runtime to run after --, e.g. -- python3 -m awslambdaric app.handler")
            }
        }

        func run() async throws {
            let emulator = try await RuntimeAPIEmulator.start(
                port: runtimeAPIPort, configuration: concurrency.applied(to: function.emulator))
            var environment = function.environment(endpoint: emulator.endpoint).merging(concurrency.environment) { $1 }
            environment["LAMBDA_TASK_ROOT"] = taskRoot ?? currentFolder()
            if let handler { environment["_HANDLER"] = handler }
            let command = self.command
            let variables = environment
            let supervisor = FunctionSupervisor(emulator: emulator) { endpoint in
                var launch = RuntimeProcess.Launch(arguments: command, environment: variables)
                launch.environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
                return launch
            }
            let endpoint: InvokeEndpoint
            do {
                endpoint = try await InvokeEndpoint.start(port: port) { invocation in
                    do {
                        return try await supervisor.invoke(invocation)
                    } catch {
                        return .failure(type: "Runtime.Unavailable", message: "\(error)")
                    }
                }
            } catch {
                await supervisor.shutdown()
                throw error
            }
            note("lambda-host emulate: Runtime API on \(emulator.endpoint); POST events to \(endpoint.url)")
            while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
    }
}
