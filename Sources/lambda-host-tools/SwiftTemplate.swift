import LambdaPackaging
import LambdaRuntimeAPI

/// `lambda-host new --lang swift`: a package with one dependency, lambda-host's Swift SDK
/// by git URL `from:` this version with its traits off (so it resolves nothing else), and a
/// dynamic library product on it.
enum SwiftTemplate {
    static func files(name: String, sdk: String) -> [FunctionTemplate.File] {
        [
            .init("Package.swift", manifest(name: name, sdk: sdk)), .init("Sources/\(name)/\(name).swift", source(name: name)),
            .init("Tests/\(name)Tests/\(name)Tests.swift", tests(name: name)),
        ]
    }

    static func manifest(name: String, sdk: String) -> String {
        let url = sdk.replacingOccurrences("\\", with: "\\\\").replacingOccurrences("\"", with: "\\\"")
        return #"""
            // swift-tools-version:6.1
            import PackageDescription

            let package = Package(
                name: "\#(name)",
                products: [
                    // lib\#(name).so, the plugin lambda-host loads (Handler: lib\#(name).so).
                    .library(name: "\#(name)", type: .dynamic, targets: ["\#(name)"]),
                ],
                dependencies: [
                    // lambda-host's Swift SDK alone: traits: [] turns off its default trait Tools
                    // (the emulator and developer tools, with swift-nio and swift-argument-parser).
                    .package(url: "\#(url)", from: "\#(LambdaHostVersion.string)", traits: []),
                ],
                targets: [
                    .target(name: "\#(name)", dependencies: [.product(name: "LambdaPlugin", package: "\#(identity(of: sdk))")]),
                    // swift test: the handler run with a fake invocation, no host needed.
                    .testTarget(
                        name: "\#(name)Tests",
                        dependencies: ["\#(name)", .product(name: "LambdaPluginTesting", package: "\#(identity(of: sdk))")]),
                ]
            )

            """#
    }

    static func source(name: String) -> String {
        #"""
        // \#(name): a Lambda function in Swift, a plugin for lambda-host on its LambdaPlugin
        // SDK. It answers {"name":"Ada"} with {"message":"Hello, Ada!"} and any other event
        // with {"message":"Hello from \#(name)!"}. A thrown LambdaPluginError answers the
        // invocation with its errorType; an event that does not decode is Runtime.InvalidEvent.
        //
        //   lambda-host build .     (or: swift build -c release --product \#(name))
        import LambdaPlugin

        struct Event: Decodable {
            let name: String?
        }

        struct Greeting: Encodable {
            let message: String
        }

        // The whole plugin is this one declaration: the handler goes into the plugin's
        // descriptor. It keeps no state, so the host may run it on several threads at once.
        @c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
            LambdaPluginDescriptor.register(name: "\#(name)", version: "1.0.0", concurrency: .threadSafe) { (event: Event, context) in
                if let name = event.name, !name.isEmpty {
                    return Greeting(message: "Hello, \(name)!")
                }
                return Greeting(message: "Hello from \#(name)!")
            }
        }

        """#
    }

    static func tests(name: String) -> String {
        #"""
        // Unit tests of \#(name)'s handler, with no host and no emulator: LambdaPluginTesting
        // calls the plugin's entry point and runs its handler with a fake invocation.
        //
        //   swift test
        import LambdaPluginTesting
        import Testing
        import \#(name)

        @Test func greetsTheNameTheEventGives() throws {
            let result = try LambdaTestHost.run(LambdaTestInvocation(event: #"{"name":"Ada"}"#), plugin: lambda_plugin_v1)
            #expect(result.responseText == #"{"message":"Hello, Ada!"}"#)
        }

        @Test func greetsFromTheFunctionWithoutAName() throws {
            let result = try LambdaTestHost.run(LambdaTestInvocation(event: "{}"), plugin: lambda_plugin_v1)
            #expect(result.responseText == #"{"message":"Hello from \#(name)!"}"#)
        }

        @Test func anEventThatIsNotJSONIsAnInvalidEvent() throws {
            let result = try LambdaTestHost.run(LambdaTestInvocation(event: "not json"), plugin: lambda_plugin_v1)
            #expect(result.error?.type == "Runtime.InvalidEvent")
        }

        """#
    }

    /// The package identity SwiftPM gives the dependency at `url`: its last path
    /// component, without `.git`.
    static func identity(of url: String) -> String {
        var last = Substring(url)
        while last.hasSuffix("/") { last = last.dropLast() }
        if let slash = last.lastIndex(of: "/") { last = last[last.index(after: slash)...] }
        if last.hasSuffix(".git") { last = last.dropLast(4) }
        return String(last)
    }

    /// The repository these tools were built from, derived from this file's path when they
    /// were compiled (`<repository>/Sources/lambda-host-tools/SwiftTemplate.swift`), when it
    /// is still a git repository on disk; nil otherwise.
    static func repositoryBuiltFrom(file: String = #filePath) -> String? {
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 3 else { return nil }
        let root = parts.dropLast(3).joined(separator: "/")
        guard root.hasPrefix("/"), FileSystem.exists(root + "/.git"), FileSystem.exists(root + "/Package.swift") else {
            return nil
        }
        return root
    }
}

extension String {
    /// The string with every `target` replaced, without Foundation.
    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
