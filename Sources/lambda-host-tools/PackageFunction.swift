import ArgumentParser
import LambdaPackaging

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package function`
    struct Function: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a function zip: the plugin's .so at the root, stripped, and nothing else.",
            discussion: """
                The plugin is audited against the layer (--layer, or the layer `package layer` would \
                build from this build) and provided.al2023. Prints the Handler value to set.

                Example:
                  lambda-host package function --plugin .build/release/libHello.so --output hello.zip
                """
        )

        @Option(help: "The plugin (or plain C library) to package. Example: --plugin .build/release/libHello.so")
        var plugin: String

        @Option(help: "Where to write the zip (default: the plugin's name with .zip, libHello.zip). Example: --output dist/hello.zip")
        var output: String?

        @OptionGroup var layer: LayerReference

        func run() throws {
            let target = try layer.resolve()
            let stripper = try Stripper(preferredFolders: toolchainBinaries())
            defer { stripper.close() }
            let function = try FunctionPackager(stripper: stripper).build(plugin: plugin, audit: target.audit)
            let name = FileSystem.baseName(of: plugin)
            let path = output ?? String(name.dropLast(3)) + ".zip"
            let size = try writeArchive([function.entry], to: path)
            print("\(path): \(grouped(size)) bytes (\(function.entry.path): \(grouped(function.entry.contents.count)) bytes unzipped)")
            print("audit: \(function.entry.path) loads on \(target.audit.base.name) with \(target.description)")
            if function.isPlugin {
                print("Handler: \(function.handler)")
            } else {
                print("Handler: \(function.handler)")
                print("  (a plain C library: name a function and its signature; see docs/dynamic-handlers.md)")
            }
            print("""
                create:
                  aws lambda create-function --function-name \(String(name.dropLast(3))) --runtime provided.al2023 \\
                    --architectures \(target.audit.architecture) --handler '\(function.handler)' --zip-file fileb://\(path) \\
                    --layers <the layer version ARN> --role <an execution role ARN>
                """)
        }
    }
}
