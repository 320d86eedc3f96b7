// swift-tools-version:6.0
import PackageDescription

// The JSON coders' benchmark (scripts/json-bench.sh): LambdaJSON against FoundationEssentials
// on the event fixtures of Tests/Fixtures/events. Its sources are links into the package
// (Sources/LambdaJSON and the tests' event shapes), so that it measures what ships and
// needs nothing fetched. Never part of the layer.
let package = Package(
    name: "json-bench",
    targets: [
        // As the package builds it (Package.swift's leanHost).
        .target(
            name: "LambdaJSON",
            swiftSettings: [
                .unsafeFlags([
                    "-Xfrontend", "-disable-implicit-concurrency-module-import",
                    "-Xfrontend", "-disable-implicit-string-processing-module-import",
                ])
            ]),
        .executableTarget(name: "json-bench", dependencies: ["LambdaJSON"]),
    ]
)
