// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzzers (libFuzzer) for every parser that input reaches. Built apart
// from the main package, so that a plain `swift build` there is unaffected:
//
//   swift build --package-path Fuzz --scratch-path .build-fuzz \
//       --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library
//
// Each product is a libFuzzer binary; scripts/fuzz.sh runs one. See docs/fuzzing.md.

func fuzzer(_ name: String, _ modules: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzCheck"] + modules.map { .product(name: $0, package: "lambda-host") },
        path: "Sources/\(name)")
}

let package = Package(
    name: "lambda-host-fuzz",
    dependencies: [.package(name: "lambda-host", path: "..")],
    targets: [
        .target(name: "FuzzCheck"),
        fuzzer("fuzz-runtime-api", ["LambdaRuntimeAPI"]),
        fuzzer("fuzz-handler", ["LambdaPluginLoader"]),
        fuzzer("fuzz-signature", ["LambdaDynamicCall"]),
        fuzzer("fuzz-json-event", ["LambdaDynamicCall", "LambdaRuntimeAPI"]),
        fuzzer("fuzz-elf", ["LambdaPackaging"]),
        fuzzer("fuzz-zip", ["LambdaPackaging"]),
        fuzzer("fuzz-outbound-response", ["LambdaOutbound", "LambdaRuntimeAPI"]),
        fuzzer("fuzz-outbound-url", ["LambdaOutbound", "LambdaRuntimeAPI"]),
    ]
)
