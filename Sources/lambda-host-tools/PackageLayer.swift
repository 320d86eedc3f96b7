import ArgumentParser
import LambdaPackaging

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package layer`
    struct Layer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the layer zip: bootstrap, bin/lambda-host, lib/ and include/lambda_plugin.h.",
            discussion: """
                lib/ holds exactly the shared libraries that the runtime and Swift plugins need and \
                provided.al2023 lacks: the Swift runtime libraries in use, and libffi. Everything is \
                stripped. bootstrap is the runtime binary itself (no shell, no extra exec), and \
                bin/lambda-host a symbolic link to it; it finds lib/ relative to its own location, so \
                the layer runs from any folder, /opt included.

                Example:
                  lambda-host package layer --output lambda-host-layer.zip
                """
        )

        @Option(help: "Where to write the zip. Example: --output dist/lambda-host-layer.zip")
        var output: String = "lambda-host-layer.zip"

        @OptionGroup var inputs: LayerInputs

        func run() throws {
            let plan = try inputs.plan()
            let stripper = try Stripper(preferredFolders: toolchainBinaries())
            defer { stripper.close() }
            let layer = try LayerBuilder(plan: plan, stripper: stripper).build()
            let size = try writeArchive(layer.entries, to: output)
            print("\(output): \(grouped(size)) bytes, for \(plan.architecture) on \(plan.base.name)")
            for entry in layer.entries {
                if let target = entry.target {
                    print("  \(entry.path.padding(to: 36))-> \(target)")
                } else if entry.kind == .file {
                    print("  \(entry.path.padding(to: 36))\(grouped(entry.contents.count).leftPadding(to: 12))")
                }
            }
            for line in layer.rebindings { print("  fixed: \(line)") }
            print("audit: bootstrap and \(layer.libraries.count) libraries load on \(plan.base.name)")
            print("""
                publish:
                  aws lambda publish-layer-version --layer-name lambda-host --zip-file fileb://\(output) \\
                    --compatible-runtimes provided.al2023 --compatible-architectures \(plan.architecture)
                """)
        }
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

    /// The string preceded by spaces up to `width` characters.
    func leftPadding(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
