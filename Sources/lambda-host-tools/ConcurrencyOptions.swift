import ArgumentParser
import LambdaEmulator

/// `--max-concurrency N` of `serve` and `emulate`: the emulator plays a Lambda Managed
/// Instances environment, as AWS's Runtime Interface Emulator does when
/// `AWS_LAMBDA_MAX_CONCURRENCY` is set. Without the flag nothing changes.
struct ConcurrencyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Run as Lambda Managed Instances do: up to N invocations at once in one runtime, 1 to 1024. Example: --max-concurrency 4",
            discussion: """
                The runtime gets AWS_LAMBDA_MAX_CONCURRENCY=N, \
                AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances and, unless you set one, \
                AWS_LAMBDA_LOG_FORMAT=JSON (unless --env sets one; the only log format Lambda Managed Instances take). Each \
                GET /next, on any connection, takes one invocation, and up to N are out at once, so \
                N callers run at once; more are queued, never dropped. Each answer goes to its own \
                caller, matched by request id. A missed deadline answers its caller \
                Sandbox.Timedout without stopping the runtime, as Lambda Managed Instances do; the \
                late answer then gets 410 InvokeTimeout. lambda-host itself runs N worker \
                processes in this mode.
                """,
            valueName: "n"))
    var maxConcurrency: Int?

    func validate() throws {
        if let maxConcurrency {
            let accepted = EmulatorConfiguration.maxConcurrencyRange
            try check("--max-concurrency", maxConcurrency, in: accepted, "invocations at once, as AWS_LAMBDA_MAX_CONCURRENCY takes")
        }
    }

    /// `configuration` in the mode the flag asks for.
    func applied(to configuration: EmulatorConfiguration) -> EmulatorConfiguration {
        var configuration = configuration
        configuration.maxConcurrency = maxConcurrency
        return configuration
    }

    /// What the runtime is told of the mode: nothing without the flag.
    var environment: [String: String] {
        guard let maxConcurrency else { return [:] }
        // A format the user sets (--env AWS_LAMBDA_LOG_FORMAT=Text) comes above these and
        // is kept, as AWS's emulator keeps it.
        return [
            "AWS_LAMBDA_MAX_CONCURRENCY": String(maxConcurrency),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "lambda-managed-instances",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
        ]
    }
}
