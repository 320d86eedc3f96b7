import ArgumentParser
import LambdaPackaging
import LambdaPluginLoader

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package function`
    struct Function: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a function zip: the plugin's .so at the root, stripped, and nothing else.",
            discussion: """
                The plugin is audited against the layer (--layer, or the layer `package layer` would \
                build from this build) and provided.al2023, then put through the host's own INIT \
                checks: it is loaded, its entry point lambda_plugin_v1 called, its descriptor checked \
                (magic, ABI version, size, name, Swift toolchain) and its handler looked up as a \
                function. A refusal is the Runtime.* error the host would report at INIT, and no zip \
                is written. A plugin for another architecture than this machine cannot be loaded \
                here: the output says so. Prints the Handler value to set.

                Example:
                  lambda-host package function --plugin .build/release/libHello.so --output hello.zip
                """
        )

        @Option(help: "The plugin (or plain C library) to package. Example: --plugin .build/release/libHello.so")
        var plugin: String

        @Option(help: "Where to write the zip (default: the plugin's name with .zip, libHello.zip). Example: --output dist/hello.zip")
        var output: String?

        @Option(help: "The handler symbol the function's Handler names. Example: --symbol greet")
        var symbol: String = HandlerSpec.defaultSymbol

        @OptionGroup var layer: LayerReference

        func run() throws {
            let target = try layer.resolve()
            let stripper = try Stripper(preferredFolders: toolchainBinaries())
            defer { stripper.close() }
            let function = try FunctionPackager(stripper: stripper).build(plugin: plugin, audit: target.audit)
            let name = FileSystem.baseName(of: plugin)
            let handler = symbol == HandlerSpec.defaultSymbol ? name : "\(name):\(symbol)"
            let verdict = try PluginInitCheck(layerLibraries: target.audit.libraries)
                .run(function.file, at: plugin, handler: handler, shown: plugin)
            let path = output ?? String(name.dropLast(3)) + ".zip"
            let size = try writeArchive([function.entry], to: path)
            print("\(path): \(grouped(size)) bytes (\(function.entry.path): \(grouped(function.entry.contents.count)) bytes unzipped)")
            if !function.dropped.isEmpty {
                print("trimmed: \(function.dropped.joined(separator: ", ")) (NEEDED, but no symbol of theirs is used)")
            }
            print("audit: \(function.entry.path) loads on \(target.audit.base.name) with \(target.description)")
            print("init: \(verdict.summary)")
            let shownHandler = verdict.isPlugin ? handler : "\(name):<function>(<name>:<type>,...)-><type>"
            print("Handler: \(shownHandler)")
            print("""
                create:
                  aws lambda create-function --function-name \(String(name.dropLast(3))) --runtime provided.al2023 \\
                    --architectures \(target.audit.architecture) --handler '\(shownHandler)' --zip-file fileb://\(path) \\
                    --layers <the layer version ARN> --role <an execution role ARN>
                """)
        }
    }
}
