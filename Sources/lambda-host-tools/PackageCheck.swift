import ArgumentParser
import LambdaPackaging
import LambdaPluginLoader

extension LambdaHostTools.PackageCommand {
    /// `lambda-host package check`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Audit ELF files, zips or unpacked folders for provided.al2023.",
            discussion: """
                Every ELF file must be built for the layer's architecture; each library it needs \
                must be in the layer's lib/ or in provided.al2023's base (glibc 2.34, libgcc_s, \
                libstdc++ of GCC 11; docs/deploy.md has the list); and no symbol may need a version \
                the provider lacks: above GLIBC_2.34 or GLIBCXX_3.4.29 for the base. A layer among the \
                paths (a zip or folder with bootstrap at its root) is the layer the others are checked \
                against. Each library that passes, outside the layer, is then put through the host's \
                own INIT checks (entry point, descriptor, Swift toolchain, and the handler --symbol \
                names, as a function); a refusal is the Runtime.* error the host would report. A \
                library for another architecture than this machine cannot be loaded here, and the \
                output says so. Exits 1, naming each file and symbol, when something would not load.

                Examples:
                  lambda-host package check lambda-host-layer.zip libHello.zip
                  lambda-host package check --layer lambda-host-layer.zip libmine.so
                """
        )

        @Argument(help: "ELF files, zips or unpacked folders to check.")
        var paths: [String]

        @Option(help: "The handler symbol the functions' Handler names. Example: --symbol greet")
        var symbol: String = HandlerSpec.defaultSymbol

        @OptionGroup var layer: LayerReference

        func validate() throws {
            if paths.isEmpty { throw ValidationError("give at least one file, zip or folder to check") }
        }

        func run() throws {
            let contents = try paths.map { (path: $0, files: try PackageContents.read($0)) }
            let layerPath = layer.layer ?? contents.first { $0.files.contains { $0.path == "bootstrap" } }?.path
            let target = try LayerReference.target(layer: layerPath, inputs: layer.inputs)
            var failures: [AuditProblem] = []
            var refusals: [String] = []
            var checked = 0
            let initChecks = PluginInitCheck(layerLibraries: target.audit.libraries)
            for input in contents {
                let isLayer = input.files.contains { $0.path == "bootstrap" }
                // Where a file is on disk: the input itself, or inside an unpacked folder.
                let folder = FileSystem.isDirectory(input.path)
                for (path, file) in input.files {
                    checked += 1
                    // A file given by itself is named once; one inside a zip or folder, with it.
                    let shown = path == input.path ? path : "\(input.path): \(path)"
                    let problems = target.audit.problems(in: file)
                    failures += problems.map { AuditProblem(file: shown, symbol: $0.symbol, kind: $0.kind, message: $0.message) }
                    let name = FileSystem.baseName(of: path)
                    guard problems.isEmpty, !isLayer, HandlerSpec.isLibraryFileName(name) else {
                        print("\(problems.isEmpty ? "ok  " : "FAIL")  \(shown)")
                        continue
                    }
                    do {
                        let handler = symbol == HandlerSpec.defaultSymbol ? name : "\(name):\(symbol)"
                        let onDisk = folder ? input.path + "/" + path : path == input.path ? path : nil
                        let verdict = try initChecks.run(file, at: onDisk, handler: handler, shown: shown)
                        print("ok    \(shown)  (\(verdict.summary))")
                    } catch {
                        print("FAIL  \(shown)")
                        refusals.append("  \(shown): \(error)")
                    }
                }
            }
            guard checked > 0 else { throw ValidationError("no ELF file found in \(paths.joined(separator: ", "))") }
            var reasons: [String] = []
            if !failures.isEmpty { reasons.append(target.audit.failure(failures).message) }
            if !refusals.isEmpty { reasons.append("would fail the host's INIT checks:\n" + refusals.joined(separator: "\n")) }
            guard reasons.isEmpty else { throw CheckFailure(description: reasons.joined(separator: "\n")) }
            print("audit: \(checked) ELF files load on \(target.audit.base.name) (\(target.audit.architecture)), with \(target.description)")
        }
    }
}

/// Why `package check` exits 1: the audit's findings, the INIT checks' refusals, or both.
struct CheckFailure: Error, CustomStringConvertible {
    var description: String
}
