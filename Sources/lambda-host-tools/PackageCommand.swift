import ArgumentParser
import LambdaPackaging

extension LambdaHostTools {
    /// `lambda-host package`: the layer, function zips, the audit and a local deployment.
    struct PackageCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "package",
            abstract: "Build the Lambda layer and function zips, and check them for provided.al2023.",
            discussion: """
                Publish the layer once; ship each function as a zip holding only its .so. Both \
                commands audit every ELF file they write: each DT_NEEDED must be in the layer or \
                in provided.al2023's base, and nothing may need a symbol version newer than glibc \
                2.34 or GCC 11's libstdc++ (GLIBCXX_3.4.29). Zips are reproducible: the same \
                inputs give the same bytes.

                Example:
                  swift build -c release
                  .build/release/lambda-host package layer
                  .build/release/lambda-host package function --plugin .build/release/libHello.so
                  .build/release/lambda-host package simulate --layer lambda-host-layer.zip \\
                    --function libHello.zip --event '{"name":"World"}'

                See docs/deploy.md for AWS SAM and the aws CLI.
                """,
            subcommands: [Layer.self, Function.self, Check.self, Simulate.self, InitCheck.self]
        )
    }
}

/// Where the inputs of `package layer` come from.
struct LayerInputs: ParsableArguments {
    @Option(help: "The lambda-host runtime binary (default: the one next to this command). Example: --host .build/release/lambda-host")
    var host: String?

    @Option(
        name: .customLong("swift-runtime-for"),
        help: ArgumentHelp(
            "A Swift plugin whose Swift runtime libraries the layer must carry; repeatable.",
            discussion: "Default: libHello.so next to this command, the SDK's example, which needs what any plugin on the LambdaPlugin SDK needs. Example: --swift-runtime-for .build/release/libMine.so"
        ))
    var swiftRuntimeFor: [String] = []

    /// The plan for these inputs.
    func plan() throws -> LayerPlan {
        let folder = FileSystem.folder(of: hostBinary)
        let plugins = swiftRuntimeFor.isEmpty ? [folder + "/libHello.so"] : swiftRuntimeFor
        for plugin in plugins where !FileSystem.exists(plugin) {
            throw ValidationError("\(plugin): no such file; build it first (swift build -c release)")
        }
        return try LayerPlan(host: host ?? hostBinary, plugins: plugins)
    }
}

/// The Swift toolchain's bin/, where llvm-objcopy is, from the runtime binary's own
/// search path: `<toolchain>/usr/lib/swift/linux` gives `<toolchain>/usr/bin`.
func toolchainBinaries() -> [String] {
    guard let file = try? ELFFile(name: hostBinary, bytes: FileSystem.read(hostBinary)),
        let path = file.searchPath?.value
    else { return [] }
    let suffix = "/lib/swift/linux"
    return path.split(separator: ":").filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) + "/bin" }
}

/// Writes a zip of `entries` to `path` and returns its size in bytes.
/// Creates the folder it goes in when missing.
func writeArchive(_ entries: [ZipEntry], to path: String) throws -> Int {
    let bytes = try ZipArchive.write(entries)
    try FileSystem.makeDirectories(FileSystem.folder(of: path))
    try FileSystem.write(bytes, to: path)
    return bytes.count
}

/// `12,345`
func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
        text.append(digit)
    }
    return text
}
