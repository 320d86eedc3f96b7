import ArgumentParser
import LambdaPackaging

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package simulate`
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy a layer zip and a function zip into a temporary folder and invoke them.",
            discussion: """
                Unpacks the layer into <temp>/opt and the function into <temp>/task, exactly as Lambda \
                would (permission bits and symbolic links included), then runs <temp>/opt/bootstrap with \
                LAMBDA_TASK_ROOT=<temp>/task against the embedded Runtime API emulator and prints the \
                response. LD_LIBRARY_PATH is emptied, so the layer must find its own lib/, as it must \
                from /opt in Lambda. This is the closest thing to Lambda on this machine; the audit \
                (package check) covers what differs, the system libraries.

                Example:
                  lambda-host package simulate --layer lambda-host-layer.zip --function libHello.zip \\
                    --event '{"name":"World"}'
                  lambda-host package simulate --layer lambda-host-layer.zip --function libHello.zip --env LD_DEBUG=libs
                """
        )

        @Option(help: "The layer zip. Example: --layer lambda-host-layer.zip")
        var layer: String

        @Option(help: "The function zip. Example: --function libHello.zip")
        var function: String

        @Option(help: "The Handler value (default: the one plugin at the function zip's root). Example: --handler libHello.so")
        var handler: String?

        @Flag(help: "Keep the temporary folder, and print where it is. Example: --keep")
        var keep = false

        @OptionGroup var event: EventOptions

        @OptionGroup var options: FunctionOptions

        @OptionGroup var configuration: EnvironmentOptions

        func run() async throws {
            let payload = try event.read()
            let folder = try FileSystem.temporaryDirectory("lambda-host-simulate")
            defer {
                if keep { note("simulate: kept \(folder)") } else { FileSystem.removeTree(folder) }
            }
            let layerEntries = try ZipArchive.read(FileSystem.read(layer), name: layer)
            let functionEntries = try ZipArchive.read(FileSystem.read(function), name: function)
            guard layerEntries.contains(where: { $0.path == "bootstrap" && $0.kind == .file }) else {
                throw ValidationError("\(layer): no bootstrap at its root; build it with `lambda-host package layer`")
            }
            try FileSystem.unpack(layerEntries, into: folder + "/opt")
            try FileSystem.unpack(functionEntries, into: folder + "/task")
            let local = try options.local(
                handler: try handler ?? Self.onlyPlugin(in: functionEntries, zip: function), taskRoot: folder + "/task",
                runtimeDirectory: folder + "/opt", variables: try configuration.variables(nil), inheritsShell: configuration.inheritEnv)
            try await LambdaHostTools.Invoke.once(
                payload: payload, function: local, runtime: folder + "/opt/bootstrap", environment: ["LD_LIBRARY_PATH": ""])
        }

        static func onlyPlugin(in entries: [ZipEntry], zip: String) throws -> String {
            let plugins = entries.filter { $0.kind == .file && $0.path.hasSuffix(".so") && !$0.path.contains("/") }
            guard plugins.count == 1, let plugin = plugins.first else {
                throw ValidationError("\(zip) holds \(plugins.count) .so files at its root; say which with --handler")
            }
            return plugin.path
        }
    }
}
