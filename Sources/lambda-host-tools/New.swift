import ArgumentParser
import Glibc
import LambdaPackaging
import LambdaRuntimeAPI

extension LambdaHostTools {
    /// `lambda-host new`: a new function in a new folder, ready for `lambda-host build`.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a function in a new folder: its source, build file and a README.",
            discussion: """
                Writes a handler that answers {"name":"Ada"} with {"message":"Hello, Ada!"} and any other \
                event with {"message":"Hello from <name>!"}, its build file and a README.md with the \
                commands that build, invoke and package it. The folder must not exist, or be empty.

                  c      hello.c on lambda_plugin.h, and a Makefile
                  cpp    hello.cpp on lambda_plugin.hpp (C++17), and a Makefile
                  rust   Cargo.toml and src/lib.rs on the lambda-plugin crate, written into \
                vendor/lambda-plugin (it builds offline)
                  swift  Package.swift, depending on lambda-host's Swift SDK alone (--sdk), and \
                Sources/<name>/<name>.swift

                Examples:
                  lambda-host new --lang c hello
                  lambda-host new --lang swift --name Greeter greeter --sdk https://example.com/you/lambda-host.git
                  lambda-host build hello
                  lambda-host invoke --handler hello/libhello.so --event '{"name":"Ada"}'
                """
        )

        @Option(help: "The language: c, cpp, rust or swift. Example: --lang rust")
        var lang: FunctionTemplate.Language

        @Option(help: "The function's name: the plugin is lib<name>.so (default: the folder's name). Example: --name hello")
        var name: String?

        @Option(
            help: """
                Swift only: the git URL (or local path) of the lambda-host repository whose SDK the \
                package depends on, which must have the tag \(versionTag) (default: the repository these \
                tools were built from, if it is still on disk). Example: --sdk https://example.com/you/lambda-host.git
                """)
        var sdk: String?

        @Argument(help: "The folder to create. Example: hello")
        var folder: String

        private static var versionTag: String { LambdaHostVersion.string }

        func run() throws {
            try Self.requireNewOrEmpty(folder)
            // The folder's own name when it exists ("." included), else the name given.
            let shown = (try? FileSystem.realPath(folder)) ?? folder
            let name = try FunctionTemplate.checkName(name ?? FunctionTemplate.defaultName(for: shown))
            let template = try FunctionTemplate.make(lang, name: name, sdk: resolveSDK)
            for file in template.files {
                let path = folder + "/" + file.path
                do {
                    try FileSystem.makeDirectories(FileSystem.folder(of: path))
                    try FileSystem.write(file.text, to: path)
                } catch {
                    throw ScaffoldError(.io, "cannot write \(path): \(error)")
                }
            }
            let listed = template.files.map(\.path).filter { !$0.hasPrefix(RustCrate.folder + "/") }
            print("created \(folder): a \(lang.title) function named \(name) (\(listed.joined(separator: ", ")))")
            print("next: lambda-host build \(folder)    (\(folder)/README.md has the commands)")
            if lang == .swift, let sdk = try? resolveSDK(), let missing = Self.missingTag(in: sdk) {
                Output.write(Array(missing.utf8), to: 2, asIs: true)
            }
        }

        /// A note for a local SDK repository without the tag the Swift template asks for
        /// (`from:` that version): SwiftPM would find no version to resolve. Nil when the tag
        /// is there, or when the SDK is not a local git repository (it cannot be checked).
        static func missingTag(in sdk: String) -> String? {
            guard FileSystem.exists(sdk + "/.git") || FileSystem.exists(sdk + "/HEAD"), let git = BuildProgram.find("git") else {
                return nil
            }
            let (ending, _) = BuildProgram.run([git, "-C", sdk, "rev-parse", "-q", "--verify", "refs/tags/\(versionTag)"], capture: true)
            guard ending != .exited(0) else { return nil }
            return "note: \(sdk) has no tag \(versionTag), which Package.swift asks for (from: \"\(versionTag)\"); "
                + "fetch the tags (git -C \(sdk) fetch --tags) or pass --sdk with a repository that has it\n"
        }

        /// The SDK's URL for the Swift template: --sdk, else the repository the tools came from.
        private func resolveSDK() throws -> String {
            // A local path is made absolute: SwiftPM would read a relative one from elsewhere.
            if let sdk { return FileSystem.exists(sdk) ? ((try? FileSystem.realPath(sdk)) ?? sdk) : sdk }
            guard let repository = SwiftTemplate.repositoryBuiltFrom() else {
                throw ScaffoldError(
                    .noSDK,
                    "the Swift template depends on lambda-host's SDK by git URL, and the repository these tools were built from is not on this machine: pass --sdk with the git URL or path of a lambda-host repository that has the tag \(Self.versionTag)"
                )
            }
            return repository
        }

        /// Refuses a `folder` that exists and is not an empty folder.
        static func requireNewOrEmpty(_ folder: String) throws {
            guard FileSystem.exists(folder) else { return }
            guard FileSystem.isDirectory(folder) else {
                throw ScaffoldError(.folderNotEmpty, "\(folder) exists and is not a folder: choose a new folder for the function")
            }
            let entries: [String]
            do {
                entries = try FileSystem.list(folder)
            } catch {
                throw ScaffoldError(.io, "cannot read \(folder): \(error)")
            }
            guard entries.isEmpty else {
                let shown = entries.prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
                throw ScaffoldError(
                    .folderNotEmpty,
                    "\(folder) already exists and is not empty (it holds \(shown)): choose a new folder, or empty this one")
            }
        }
    }
}
