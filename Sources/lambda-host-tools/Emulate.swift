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

                With no COMMAND, it serves the Runtime API and waits for a runtime you start yourself \
                (under a debugger, say): it prints the runtime's environment as export lines on \
                stdout, and invocations wait until your runtime asks for them. No INIT timeout \
                applies then; after a missed deadline, start your runtime again. --print-env prints \
                the same lines when a COMMAND is given. See docs/local-development.md, Debugging.

                Examples:
                  lambda-host emulate --port 9000 -- python3 -m awslambdaric app.handler
                  lambda-host emulate --max-concurrency 8 -- python3 -m awslambdaric app.handler
                  lambda-host emulate --handler libEcho.so --task-root .build/release -- .build/release/lambda-host
                  lambda-host emulate --handler libEcho.so --task-root .build/release --timeout 900 > runtime.env
                  curl -d '{}' http://127.0.0.1:9000/2015-03-31/functions/function/invocations
                """
        )

        @Option(help: "The port of the invoke endpoint, on 127.0.0.1. Example: --port 8080")
        var port: Int = 9000

        @Option(help: "The port of the Runtime API (0 picks a free one). Example: --runtime-api-port 9001")
        var runtimeAPIPort: Int = 0

        @Option(help: "_HANDLER for the runtime, if it reads it. Example: --handler app.handler")
        var handler: String?

        @Option(help: "LAMBDA_TASK_ROOT (default: the current folder). Example: --task-root ./build")
        var taskRoot: String?

        @Flag(help: "Print the runtime's environment as shell export lines on stdout (always done with no COMMAND). Example: --print-env")
        var printEnv = false

        @OptionGroup var file: ConfigFileOptions

        @OptionGroup var configuration: EnvironmentOptions

        @OptionGroup var function: FunctionOptions

        @OptionGroup var concurrency: ConcurrencyOptions

        @Argument(
            parsing: .postTerminator,
            help: "The runtime to run, after --; none to start one yourself. Example: -- python3 -m awslambdaric app.handler")
        var command: [String] = []

        func validate() throws {
            try check("--port", port, in: portRange, "(0 picks a free port)")
            try check("--runtime-api-port", runtimeAPIPort, in: portRange, "(0 picks a free port)")
        }

        func run() async throws {
            let selected = try file.selected()
            let taskRoot = self.taskRoot ?? selected?.taskRoot ?? currentFolder()
            let local = try function.local(
                handler: handler ?? selected?.handler, taskRoot: taskRoot,
                runtimeDirectory: command.first.map { folder(of: $0) } ?? taskRoot, selected: selected,
                variables: try configuration.variables(selected), inheritsShell: configuration.inheritEnv)
            let emulator = try await RuntimeAPIEmulator.start(
                port: runtimeAPIPort, configuration: concurrency.applied(to: local.emulator))
            let variables = local.variables(endpoint: emulator.endpoint, extra: concurrency.environment)
            let invoke: @Sendable (EmulatedInvocation) async -> InvocationResult
            let stop: @Sendable () async -> Void
            if command.isEmpty {
                // A runtime started by hand: the emulator's queue is the whole story. It is
                // started with the printed variables, so its format is theirs.
                await emulator.useLogFormat(PlatformLogFormat(environment: variables["AWS_LAMBDA_LOG_FORMAT"]))
                emulator.onStuckRuntime {
                    note("lambda-host emulate: the invocation timed out; Lambda would stop the runtime: start yours again")
                    Task {
                        await emulator.runtimeExited(status: "signal: killed")
                        await emulator.reset()
                    }
                }
                invoke = { invocation in
                    do { return try await emulator.invoke(invocation) } catch {
                        return .failure(type: "Runtime.Unavailable", message: "\(error)")
                    }
                }
                stop = { await emulator.shutdown() }
            } else {
                let supervisor = FunctionSupervisor(emulator: emulator) { [command] endpoint in
                    var launch = RuntimeProcess.Launch(arguments: command, environment: variables)
                    launch.environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
                    return launch
                }
                invoke = { invocation in
                    do { return try await supervisor.invoke(invocation) } catch {
                        return .failure(type: "Runtime.Unavailable", message: "\(error)")
                    }
                }
                stop = { await supervisor.shutdown() }
            }
            let endpoint: InvokeEndpoint
            do {
                endpoint = try await InvokeEndpoint.start(port: port, invoke: invoke)
            } catch {
                await stop()
                throw error
            }
            if printEnv || command.isEmpty {
                Output.write(Array(LambdaEnvironment.exportLines(variables).utf8), to: 1, asIs: true)
            }
            if command.isEmpty {
                note(
                    "lambda-host emulate: no runtime command: start your runtime with the variables printed on stdout, "
                        + "e.g. emulate … > runtime.env, then: . ./runtime.env && gdb --args .build/debug/lambda-host")
            }
            note("lambda-host emulate: Runtime API on \(emulator.endpoint); POST events to \(endpoint.url)")
            while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
    }
}
