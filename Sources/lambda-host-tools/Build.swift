import ArgumentParser
import Glibc
import LambdaPackaging
import LambdaRuntimeAPI

extension LambdaHostTools {
    /// `lambda-host build`: the plugin of a function's folder, in release mode, whatever
    /// its language, found by its build file.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the plugin of a function's folder in release mode, and print the .so's path.",
            discussion: """
                Runs the folder's build in release mode, by its build file:
                  Package.swift  swift build -c release --product <its dynamic library product>
                  Cargo.toml     cargo build --release --offline
                  Makefile       make, with LAMBDA_HOST_INCLUDE set to `lambda-host include-path`
                The build's output goes to stderr; the last line of stdout is the absolute path of \
                the built .so (for a Makefile, the newest .so in the folder).

                Examples:
                  lambda-host build hello
                  lambda-host invoke --handler "$(lambda-host build hello | tail -n 1)" --event '{"name":"Ada"}'
                """
        )

        @Argument(help: "The function's folder, as `lambda-host new` made it. Example: hello")
        var folder: String

        @Option(help: "Swift only: the dynamic library product to build, when the package has several. Example: --product Hello")
        var product: String?

        @Flag(help: "Show the build program's commands and its verbose output.")
        var verbose = false

        func run() throws {
            guard FileSystem.isDirectory(folder) else {
                throw ScaffoldError(.noFolder, "\(folder): no such folder; create a function with lambda-host new --lang c|cpp|rust|swift \(folder)")
            }
            let root: String
            do {
                root = try FileSystem.realPath(folder)
            } catch {
                throw ScaffoldError(.io, "cannot find \(folder): \(error)")
            }
            let plugin: String
            if FileSystem.exists(root + "/Package.swift") {
                plugin = try swift(root)
            } else if FileSystem.exists(root + "/Cargo.toml") {
                plugin = try cargo(root)
            } else if let makefile = ["GNUmakefile", "makefile", "Makefile"].first(where: { FileSystem.exists(root + "/" + $0) }) {
                plugin = try make(root, makefile: makefile)
            } else {
                throw ScaffoldError(
                    .noBuildFile,
                    "\(folder) has no build file lambda-host knows (Package.swift, Cargo.toml or Makefile): build it by hand, or create a function with lambda-host new")
            }
            print(plugin)
        }

        /// `program` on PATH, or an error that says how to install it.
        private func program(_ name: String, install: String) throws -> String {
            guard let path = BuildProgram.find(name) else {
                throw ScaffoldError(.toolMissing, "\(name) is not on PATH, and this folder's build needs it: \(install)")
            }
            return path
        }

        private func swift(_ root: String) throws -> String {
            let swift = try program(
                "swift",
                install: "install the Swift toolchain lambda-host was built with (https://www.swift.org/install) and put its usr/bin on PATH")
            let package = ["--package-path", root]
            let product = try self.product ?? dynamicProduct(
                of: try BuildProgram.require([swift, "package"] + package + ["dump-package"], capture: true, verbose: verbose), in: root)
            let release = [swift, "build", "-c", "release"] + package
            try BuildProgram.require(release + ["--product", product] + (verbose ? ["-v"] : []), verbose: verbose)
            let bin = try BuildProgram.require(release + ["--show-bin-path"], capture: true, verbose: verbose)
            let plugin = String(decoding: bin, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            return try requirePlugin(plugin + "/lib\(product).so", "swift build succeeded but made no lib\(product).so: is \(product) a .dynamic library product?")
        }

        /// The one dynamic library product in `swift package dump-package`'s JSON.
        private func dynamicProduct(of manifest: [UInt8], in root: String) throws -> String {
            let document = try? manifest.withUnsafeBytes { try JSONReader.parse($0) }
            var dynamic: [String] = []
            for product in Self.member(document, "products")?.elements ?? [] {
                guard case .string(let name)? = Self.member(product, "name"),
                    Self.member(Self.member(product, "type"), "library")?.elements?.contains(.string("dynamic")) == true
                else { continue }
                dynamic.append(name)
            }
            guard let only = dynamic.first, dynamic.count == 1 else {
                throw ScaffoldError(
                    .noPlugin,
                    dynamic.isEmpty
                        ? "\(root)/Package.swift has no dynamic library product: add .library(name: \"Hello\", type: .dynamic, targets: [\"Hello\"])"
                        : "\(root)/Package.swift has several dynamic library products (\(dynamic.joined(separator: ", "))): choose one with --product")
            }
            return only
        }

        private func cargo(_ root: String) throws -> String {
            // rustup installs in ~/.cargo/bin, which not every shell puts on PATH.
            let home = getenv("HOME").map { String(cString: $0) } ?? ""
            if BuildProgram.find("cargo") == nil, home.hasPrefix("/"), access(home + "/.cargo/bin/cargo", X_OK) == 0 {
                let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
                setenv("PATH", path + ":" + home + "/.cargo/bin", 1)
            }
            let cargo = try program("cargo", install: "install Rust with rustup (https://rustup.rs), or apt-get install cargo / dnf install cargo")
            let messages = try BuildProgram.require(
                [cargo, "build", "--release", "--offline", "--manifest-path", root + "/Cargo.toml", "--message-format=json-render-diagnostics"]
                    + (verbose ? ["-v"] : []),
                capture: true, verbose: verbose)
            // One JSON message a line; the cdylib's artifact names the .so.
            var plugin: String?
            for line in messages.split(separator: UInt8(ascii: "\n")) {
                let message = try? Array(line).withUnsafeBytes { try JSONReader.parse($0) }
                guard Self.member(message, "reason") == .string("compiler-artifact"),
                    Self.member(Self.member(message, "target"), "kind")?.elements?.contains(.string("cdylib")) == true
                else { continue }
                for case .string(let file) in Self.member(message, "filenames")?.elements ?? [] where file.hasSuffix(".so") {
                    plugin = file
                }
            }
            guard let plugin else {
                throw ScaffoldError(.noPlugin, "cargo build succeeded but built no cdylib: set crate-type = [\"cdylib\"] in [lib] of \(root)/Cargo.toml")
            }
            return try requirePlugin(plugin, "cargo reported \(plugin), which is not there")
        }

        private func make(_ root: String, makefile: String) throws -> String {
            let make = try program("make", install: "apt-get install make gcc g++ (or dnf install make gcc gcc-c++)")
            let include = try IncludePath.write()
            try BuildProgram.require([make, "-C", root, "LAMBDA_HOST_INCLUDE=" + include], verbose: verbose)
            var newest: (path: String, time: timespec)?
            for name in (try? FileSystem.list(root)) ?? [] where name.hasSuffix(".so") {
                var status = stat()
                guard stat(root + "/" + name, &status) == 0 else { continue }
                let time = status.st_mtim
                if let current = newest?.time, (current.tv_sec, current.tv_nsec) >= (time.tv_sec, time.tv_nsec) { continue }
                newest = (root + "/" + name, time)
            }
            guard let newest else {
                throw ScaffoldError(.noPlugin, "make succeeded but left no .so in \(root): the first target of its \(makefile) should build lib<name>.so there")
            }
            return newest.path
        }

        private func requirePlugin(_ path: String, _ otherwise: String) throws -> String {
            guard path.hasPrefix("/"), FileSystem.exists(path) else { throw ScaffoldError(.noPlugin, otherwise) }
            return path
        }

        /// The member `key` of a JSON object, or nil.
        private static func member(_ value: JSONValue?, _ key: String) -> JSONValue? {
            guard case .object(let members)? = value else { return nil }
            return members.first { $0.0 == key }?.1
        }
    }
}

extension JSONValue {
    /// An array's elements, or nil.
    fileprivate var elements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
