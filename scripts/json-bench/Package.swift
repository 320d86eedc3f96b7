// swift-tools-version:6.0
import PackageDescription

// The JSON coders' benchmark (scripts/json-bench.sh): LambdaJSON against FoundationEssentials
// on the event fixtures of Tests/Fixtures/events. Its sources are links into the package
// (Sources/LambdaJSON and the tests' event shapes), so that it measures what ships and
// needs nothing fetched. Never part of the layer.
let package = Package(
    name: "json-bench",
    targets: [
        .target(name: "LambdaJSON"),
        .executableTarget(name: "json-bench", dependencies: ["LambdaJSON"]),
    ]
)
