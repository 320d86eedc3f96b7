import ArgumentParser
import LambdaPackaging

/// The files of a new function in one language, as `lambda-host new` writes them: the
/// handler's source, its build file and a README with the commands that build, invoke and
/// package it. Each language's files are in a file of its own (CTemplate, CxxTemplate,
/// RustTemplate, SwiftTemplate), as Swift string literals, so that the tools need no
/// resource beside their binary.
struct FunctionTemplate {
    /// The languages a function can be written in.
    enum Language: String, CaseIterable, ExpressibleByArgument {
        case c, cpp, rust, swift

        /// How the README names it.
        var title: String {
            switch self {
            case .c: "C"
            case .cpp: "C++"
            case .rust: "Rust"
            case .swift: "Swift"
            }
        }
    }

    /// A file: its path in the function's folder and its text.
    struct File {
        var path: String
        var text: [UInt8]

        init(_ path: String, _ text: String) {
            self.path = path
            self.text = Array(text.utf8)
        }

        init(_ path: String, bytes: [UInt8]) {
            self.path = path
            self.text = bytes
        }
    }

    /// The language.
    var language: Language
    /// The function's files, the README last.
    var files: [File]

    /// The files of function `name` in `language`; `sdk` is the Swift SDK's git URL.
    static func make(_ language: Language, name: String, sdk: () throws -> String) throws -> FunctionTemplate {
        let files: [File]
        let plugin: String
        switch language {
        case .c:
            files = CTemplate.files(name: name)
            plugin = "lib\(name).so"
        case .cpp:
            files = CxxTemplate.files(name: name)
            plugin = "lib\(name).so"
        case .rust:
            files = RustTemplate.files(name: name)
            plugin = "target/release/lib\(name).so"
        case .swift:
            files = SwiftTemplate.files(name: name, sdk: try sdk())
            plugin = ".build/release/lib\(name).so"
        }
        let readme = File("README.md", readme(language, name: name, plugin: plugin, files: files))
        return FunctionTemplate(language: language, files: files + [readme])
    }

    /// The names SDKs and standard libraries already take, refused as a function's name
    /// (a module or crate of that name would hide theirs).
    static let takenNames: Set<String> = [
        "LambdaPlugin", "LambdaPluginHTTP", "LambdaJSON", "CLambdaPlugin", "lambda_plugin", "std", "core", "alloc", "test",
    ]

    /// `name` when it can name the library (`lib<name>.so`), a Swift module and a Rust
    /// crate alike: a letter, then letters, digits and `_`, at most 64.
    static func checkName(_ name: String) throws(ScaffoldError) -> String {
        let bytes = Array(name.utf8)
        let letter = { (b: UInt8) in (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        let digit = { (b: UInt8) in b >= 48 && b <= 57 }
        guard let first = bytes.first, letter(first), bytes.count <= 64,
            bytes.allSatisfy({ letter($0) || digit($0) || $0 == 95 })
        else {
            throw ScaffoldError(
                .badName,
                "'\(name)' cannot name the function: use a letter, then letters, digits or _ (at most 64), e.g. --name hello")
        }
        guard !takenNames.contains(name) else {
            throw ScaffoldError(.badName, "'\(name)' is the name of a library the function uses: choose another with --name")
        }
        return name
    }

    /// The default name for a function in `folder` (an absolute path): its last
    /// component, with each character a name cannot hold turned into `_`.
    static func defaultName(for folder: String) -> String {
        String(FileSystem.baseName(of: folder).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    private static func readme(_ language: Language, name: String, plugin: String, files: [File]) -> String {
        """
        # \(name)

        A Lambda function written in \(language.title) for lambda-host, the custom runtime that \
        runs a handler shared object (`.so`). It answers `{"name":"Ada"}` with \
        `{"message":"Hello, Ada!"}` and any other event with `{"message":"Hello from \(name)!"}`.

        Files: \(files.map { "`\($0.path)`" }.filter { !$0.contains("vendor/") }.joined(separator: ", "))\
        \(language == .rust ? ", and `vendor/lambda-plugin`, the lambda-plugin crate (there is no registry to fetch it from)" : "").

        From this folder:

        ```sh
        # Build in release mode; the last line printed is the plugin's path (\(plugin)).
        lambda-host build .

        # Invoke it once, locally, through lambda-host's Runtime API emulator.
        lambda-host invoke --handler \(plugin) --event '{}'
        lambda-host invoke --handler \(plugin) --event '{"name":"Ada"}'

        # Package it for Lambda: a zip with the stripped .so, and the Handler to set.
        lambda-host package function --plugin \(plugin) --output \(name).zip
        ```

        In Lambda the function runs on the provided.al2023 runtime with lambda-host's layer \
        (`lambda-host package layer`) and the Handler `lib\(name).so`.
        \(buildNote(language, name: name))
        """
    }

    private static func buildNote(_ language: Language, name: String) -> String {
        switch language {
        case .c, .cpp:
            """

            `lambda-host build .` runs `make` with `LAMBDA_HOST_INCLUDE` set to the folder of \
            lambda-host's headers; plain `make` asks `lambda-host include-path` for it.

            """
        case .rust:
            """

            `lambda-host build .` runs `cargo build --release --offline`. The plugin is `no_std` \
            (Rust 1.81 or later), the small build docs/languages.md recommends; Cargo.toml says \
            how to build it with std instead.

            """
        case .swift:
            """

            `lambda-host build .` runs `swift build -c release --product \(name)`. Build it with \
            the same Swift toolchain (major.minor) as the lambda-host it runs in. `swift test` runs \
            the handler's unit tests (`Tests/\(name)Tests`) with `LambdaPluginTesting`: a fake \
            invocation, no host.

            """
        }
    }
}
