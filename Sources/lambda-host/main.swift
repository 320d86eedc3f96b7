import LambdaHost

// The Lambda path comes first and stays lean: no argument parsing beyond this switch.
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case nil, "run":
    Host.main()
case "--version", "version":
    print("lambda-host \(LambdaHostVersion.string)")
case "-h", "--help", "help":
    print(Usage.text)
default:
    Usage.fail("unknown command '\(arguments.first ?? "")'")
}
