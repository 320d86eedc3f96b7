import ArgumentParser
import LambdaEmulator

/// The function's own variables for `invoke`, `serve`, `emulate` and `package simulate`:
/// env files and `--env`, and whether the shell's variables pass through.
struct EnvironmentOptions: ParsableArguments {
    @Option(
        name: .customLong("env"),
        help: ArgumentHelp(
            "A variable for the function, KEY=VALUE; repeat for more. Example: --env TABLE=visits --env LOG_LEVEL=debug",
            discussion: """
                The runtime gets Lambda's variables (AWS_LAMBDA_FUNCTION_NAME, _HANDLER, AWS_REGION, \
                LAMBDA_TASK_ROOT, PATH, TZ, …) and only what --config, --env-file and --env give, in \
                that order (a later one wins: config file < env file < --env). Of the shell's \
                variables only AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN pass, \
                as with sam local, unless --inherit-env. Variables Lambda reserves (_HANDLER, \
                AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, …) are refused: their flags set them.
                """,
            valueName: "key=value"))
    var env: [String] = []

    @Option(
        help: ArgumentHelp(
            "Read variables from a file (docker --env-file's format: KEY=VALUE lines, # comments); repeatable. Example: --env-file .env",
            discussion: """
                The value is everything after the first '=', as it is: no quotes removed, nothing \
                expanded. A bare KEY (which Docker takes from the shell) is an error.
                """,
            valueName: "file"))
    var envFile: [String] = []

    @Flag(
        help: "Pass the shell's whole environment to the runtime (by default it gets only Lambda's and the configured variables). Example: --inherit-env"
    )
    var inheritEnv = false

    func validate() throws {
        _ = try variables(nil)
    }

    /// The function's variables: `selected`'s, then each --env-file's, then each --env.
    func variables(_ selected: FunctionConfiguration?) throws -> [String: String] {
        try configurationErrorsAsUsage {
            var variables = selected?.environment ?? [:]
            for file in envFile {
                for (name, value) in try ConfigurationFiles.variables(file) {
                    try LambdaEnvironment.checkNotReserved(name, origin: file)
                    variables[name] = value
                }
            }
            for text in env {
                let (name, value) = try EnvironmentFile.variable(text, origin: "--env")
                try LambdaEnvironment.checkNotReserved(name, origin: "--env")
                variables[name] = value
            }
            return variables
        }
    }

}

/// `--config FILE` and `--function NAME` of `invoke`, `serve` and `emulate`: the function
/// to run, from a file that names several.
struct ConfigFileOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A JSON file that names functions: handler, taskRoot, environment, timeout, memorySize. Example: --config functions.json",
            discussion: """
                {"functions": {"hello": {"handler": "libHello.so", "taskRoot": ".build/release", \
                "environment": {"GREETING": "Bonjour"}, "timeout": 30, "memorySize": 256}}}. The key is \
                the function's name; relative paths are taken from the file's folder; flags given on \
                the command line win over the file.
                """,
            valueName: "file"))
    var config: String?

    @Option(
        name: .customLong("function"),
        help: ArgumentHelp("Which function of --config to run, when it names several. Example: --function hello", valueName: "name"))
    var function: String?

    func validate() throws {
        if function != nil && config == nil { throw ValidationError("--function picks a function of --config; give --config FILE too") }
        _ = try selected()
    }

    /// The config file's function picked by --function; nil without --config.
    func selected() throws -> FunctionConfiguration? {
        guard let config else { return nil }
        return try configurationErrorsAsUsage {
            try FunctionConfiguration.select(function, from: try ConfigurationFiles.functions(config), origin: config)
        }
    }
}

/// Runs `work`, turning a configuration error into a usage error with its message.
func configurationErrorsAsUsage<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as ConfigurationError {
        throw ValidationError(error.message)
    }
}
