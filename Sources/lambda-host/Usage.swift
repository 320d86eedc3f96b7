import CLambdaSystem
import LambdaHost
import LambdaRuntimeAPI

/// The command line's help text and its error path.
enum Usage {
    static let text = """
        lambda-host \(LambdaHostVersion.string): an AWS Lambda custom runtime that runs a handler \
        shared object (.so).

        USAGE
          lambda-host [run]       Run as the Lambda runtime (what the layer's bootstrap does).
          lambda-host --version   Print the version.
          lambda-host --help      Print this text.

        Developer commands (new, build, invoke, serve, emulate, package, include-path) come with lambda-host-tools,
        built next to this binary by `swift build`; they are not part of the Lambda layer.

        ENVIRONMENT (set by Lambda)
          AWS_LAMBDA_RUNTIME_API  host:port of the Runtime API, e.g. 127.0.0.1:9001
          _HANDLER                the plugin and symbol, e.g. libhello.so, libhello.so:greet,
                                  hello.greet (libhello.so or hello.so, symbol greet)
          LAMBDA_TASK_ROOT        where the function's zip is unpacked (default /var/task);
                                  plugins are looked for there, in its lib/, in /opt/lib, /opt
          AWS_LAMBDA_LOG_FORMAT   Text (default) or JSON
          AWS_LAMBDA_LOG_LEVEL    TRACE, DEBUG, INFO (default), WARN, ERROR, FATAL

        EXAMPLE
          _HANDLER=libEcho.so LAMBDA_TASK_ROOT=$PWD/.build/release \\
            AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 lambda-host

        The C ABI for plugins is documented in docs/abi.md.
        """

    static func fail(_ message: String) -> Never {
        HostLog.host(.error, "\(message); see lambda-host --help")
        lh_exit(2)
    }
}
