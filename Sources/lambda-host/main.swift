import CLambdaStartup
import CLambdaSystem
import LambdaHost
import LambdaRuntimeAPI

lh_startup_finished()

// The Lambda path comes first and stays lean: no argument parsing, no emulator. Every
// other command belongs to lambda-host-tools, the developer half, which sits next to
// this binary in a build (it is not part of the Lambda layer).
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case nil, "run":
    Host.main()
case "--version":
    print("lambda-host \(LambdaHostVersion.string)")
default:
    lh_exec_sibling("lambda-host-tools", CommandLine.unsafeArgv)
    if arguments.first == "--help" || arguments.first == "-h" || arguments.first == "help" {
        print(Usage.text)
    } else {
        Usage.fail(
            "'\(arguments.first ?? "")' is a developer command, and lambda-host-tools is not next to this binary "
                + "(it comes with a `swift build` of the package, not with the Lambda layer)")
    }
}
