// swift-tools-version:6.1
import PackageDescription

// The host links nothing but libswiftCore.so: the toolchain's libswiftGlibc.so needs
// GLIBC_2.35 (hypotf), and Concurrency, StringProcessing and RegexParser pull it in, while
// Lambda's provided.al2023 has glibc 2.34. The host therefore reaches libc through its own
// C shim (CLambdaSystem) and turns off the implicit imports. See docs/architecture.md.
let leanHost: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
    ])
]

// The host carries the Swift runtime inside itself (issue 13, docs/architecture.md): the
// whole of libswiftCore.a is linked in and exported, and the binary's DT_SONAME is
// libswiftCore.so, so the dynamic loader takes the host for the library that Swift plugins
// name in DT_NEEDED: one Swift runtime, no libswiftCore.so to load and relocate at start.
// ld.bfd, because gold and lld set no DT_SONAME in an executable. libswiftCore.a is found
// from the toolchain's dynamic library folder, which the driver passes with -L (its
// static twin is ../../swift_static/linux); C++'s runtime is linked in statically and kept
// out of the exported symbols.
let runtimeInside: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=bfd",
        "-Xlinker", "--whole-archive", "-Xlinker", "-l:../../swift_static/linux/libswiftCore.a", "-Xlinker", "--no-whole-archive",
        "-Xlinker", "-l:libstdc++.a", "-Xlinker", "--exclude-libs=libstdc++.a", "-Xlinker", "-lm",
        "-Xlinker", "--export-dynamic", "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/lambda-host/exports.map",
        "-Xlinker", "-soname=libswiftCore.so", "-Xlinker", "--as-needed",
    ], .when(platforms: [.linux]))
]

// The Swift toolchain a Swift plugin must share with the host (major.minor), written into
// each Swift plugin's descriptor by the SDK and checked by the loader.
#if compiler(>=7.0)
let swiftToolchain = "7+"
#elseif compiler(>=6.5)
let swiftToolchain = "6.5"
#elseif compiler(>=6.4)
let swiftToolchain = "6.4"
#elseif compiler(>=6.3)
let swiftToolchain = "6.3"
#elseif compiler(>=6.2)
let swiftToolchain = "6.2"
#elseif compiler(>=6.1)
let swiftToolchain = "6.1"
#else
let swiftToolchain = "6.0"
#endif

// The developer tools' dependencies, behind a trait that is on by default: a plugin's own
// package depends on this one with `traits: []` and then resolves, fetches and builds
// nothing but the SDK's four modules (docs/languages.md, "Swift").
let tools = TargetDependencyCondition.when(traits: ["Tools"])

let package = Package(
    name: "lambda-host",
    products: [
        .executable(name: "lambda-host", targets: ["lambda-host"]),
        .executable(name: "lambda-host-tools", targets: ["lambda-host-tools"]),
        .library(name: "LambdaPlugin", targets: ["LambdaPlugin"]),
        .library(name: "LambdaPluginHTTP", targets: ["LambdaPluginHTTP"]),
        .library(name: "LambdaPluginTesting", targets: ["LambdaPluginTesting"]),
        .library(name: "CLambdaPlugin", targets: ["CLambdaPlugin"]),
        .library(name: "LambdaJSON", targets: ["LambdaJSON"]),
        // The parsers that input reaches, for the fuzzers of the separate Fuzz/ package
        // (docs/fuzzing.md). A plain `swift build` builds these modules anyway.
        .library(name: "LambdaRuntimeAPI", targets: ["LambdaRuntimeAPI"]),
        .library(name: "LambdaPluginLoader", targets: ["LambdaPluginLoader"]),
        .library(name: "LambdaDynamicCall", targets: ["LambdaDynamicCall"]),
        .library(name: "LambdaPackaging", targets: ["LambdaPackaging"]),
        .library(name: "LambdaOutbound", targets: ["LambdaOutbound"]),
        // Example plugins: each is one small shared object.
        .library(name: "Echo", type: .dynamic, targets: ["Echo"]),
        .library(name: "Fail", type: .dynamic, targets: ["Fail"]),
        .library(name: "Hello", type: .dynamic, targets: ["Hello"]),
        .library(name: "WordStream", type: .dynamic, targets: ["WordStream"]),
        .library(name: "Calc", type: .dynamic, targets: ["Calc"]),
        .library(name: "Fetch", type: .dynamic, targets: ["Fetch"]),
        .library(name: "Visits", type: .dynamic, targets: ["Visits"]),
        .library(name: "Release", type: .dynamic, targets: ["Release"]),
        .library(name: "Notes", type: .dynamic, targets: ["Notes"]),
        // Test fixtures: plugins that misbehave on purpose.
        .library(name: "Probe", type: .dynamic, targets: ["Probe"]),
        .library(name: "HTTPProbe", type: .dynamic, targets: ["HTTPProbe"]),
        .library(name: "NoEntry", type: .dynamic, targets: ["NoEntry"]),
        .library(name: "SwiftStream", type: .dynamic, targets: ["SwiftStream"]),
        .library(name: "SwiftEventStream", type: .dynamic, targets: ["SwiftEventStream"]),
        .library(name: "SwiftTrap", type: .dynamic, targets: ["SwiftTrap"]),
    ],
    traits: [
        .trait(
            name: "Tools",
            description: "The emulator and the developer tools (swift-nio, swift-argument-parser); not needed by plugins."),
        .default(enabledTraits: ["Tools"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C ABI: the only thing a plugin includes.
        .target(
            name: "CLambdaPlugin",
            cSettings: [.define("LAMBDA_SWIFT_TOOLCHAIN", to: "\"\(swiftToolchain)\"")]
        ),
        // libc for the host, without the Glibc overlay.
        .target(name: "CLambdaSystem", cSettings: [.define("_GNU_SOURCE")]),
        // Child processes for the developer tools only.
        .target(name: "CLambdaProcess", dependencies: ["CLambdaSystem"], cSettings: [.define("_GNU_SOURCE")]),
        // Sockets, DNS and TLS for outbound calls; OpenSSL is dlopened on first TLS use.
        .target(name: "CLambdaOutbound", cSettings: [.define("_GNU_SOURCE")]),
        // JSON for host and SDK alike: the scanner both read with, and the Codable coders
        // that spare Swift plugins FoundationEssentials. No dependencies. The scanner's files
        // are built twice: in LambdaJSON, plain, for the SDK (a product with unsafe flags
        // cannot be used from a versioned dependency); and in LambdaJSONLean (links to those
        // five files, not the coders) with the lean flags, for the host, whose modules must
        // not autolink Concurrency.
        .target(name: "LambdaJSON"),
        .target(name: "LambdaJSONLean", swiftSettings: leanHost),
        .target(name: "LambdaRuntimeAPI", dependencies: ["CLambdaSystem", "LambdaJSONLean"], swiftSettings: leanHost),
        .target(name: "LambdaMetrics", dependencies: ["LambdaRuntimeAPI"], swiftSettings: leanHost),
        .target(
            name: "LambdaPluginLoader",
            dependencies: ["CLambdaPlugin", "CLambdaSystem"],
            swiftSettings: leanHost
        ),
        .target(
            name: "LambdaHost",
            dependencies: [
                "CLambdaPlugin", "CLambdaSystem", "LambdaRuntimeAPI", "LambdaPluginLoader", "LambdaDynamicCall", "LambdaOutbound",
                "LambdaMetrics",
            ],
            swiftSettings: leanHost
        ),
        .executableTarget(
            name: "lambda-host", dependencies: ["CLambdaStartup", "LambdaHost"], exclude: ["exports.map"],
            swiftSettings: leanHost,
            linkerSettings: runtimeInside),
        // What the runtime binary alone changes about the start of the Swift runtime in it.
        .target(name: "CLambdaStartup", cSettings: [.define("_GNU_SOURCE")]),
        // Outbound HTTP(S) for plugins: URLs, the allow-list, HTTP/1.1 framing, the pools.
        .target(
            name: "LambdaOutbound", dependencies: ["CLambdaOutbound", "CLambdaSystem", "LambdaRuntimeAPI"],
            swiftSettings: leanHost),

        // Plain C functions as handlers, called through libffi from a signature.
        // libffi's headers (Debian's libffi-dev); the library itself is dlopened at first use.
        .target(name: "CFFI"),
        .target(
            name: "LambdaDynamicCall", dependencies: ["CFFI", "CLambdaSystem", "LambdaRuntimeAPI"], swiftSettings: leanHost),

        // Developer tools, never in the layer: the embedded Runtime API emulator and the
        // commands that use it. `lambda-host <command>` hands over to lambda-host-tools.
        .target(
            name: "LambdaEmulator",
            dependencies: [
                "CLambdaProcess", "LambdaRuntimeAPI", "LambdaJSON",
                .product(name: "NIOCore", package: "swift-nio", condition: tools),
                .product(name: "NIOPosix", package: "swift-nio", condition: tools),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: tools),
            ]
        ),
        // Packaging: the layer and function zips, and the ELF audit for provided.al2023.
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CLambdaPluginHeader"),
        .target(name: "LambdaPackaging", dependencies: ["CZlib", "CLambdaPluginHeader"]),
        // The Rust crate's files, which `lambda-host new --lang rust` writes beside a function.
        .target(name: "CLambdaRustCrate"),
        .executableTarget(
            name: "lambda-host-tools",
            dependencies: [
                "CLambdaProcess", "CLambdaRustCrate", "LambdaEmulator", "LambdaPluginLoader", "LambdaPackaging",
                "LambdaRuntimeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser", condition: tools),
                .product(name: "NIOCore", package: "swift-nio", condition: tools),
            ]
        ),

        // The Swift SDK for plugins, linked statically into each Swift plugin.
        .target(name: "LambdaPlugin", dependencies: ["CLambdaPlugin", "LambdaJSON"]),
        // The SDK's outbound HTTP client, apart so that a plugin that never calls out does
        // not carry it (about 12 KB of code in every Swift plugin).
        .target(name: "LambdaPluginHTTP", dependencies: ["LambdaPlugin"]),
        // Runs a plugin's handler in a unit test, with a fake host (docs/languages.md).
        .target(name: "LambdaPluginTesting", dependencies: ["LambdaPlugin"]),

        .target(name: "Echo", dependencies: ["CLambdaPlugin"], path: "Plugins/Echo", publicHeadersPath: "."),
        .target(name: "Fail", dependencies: ["CLambdaPlugin"], path: "Plugins/Fail", publicHeadersPath: "."),
        .target(name: "Fetch", dependencies: ["CLambdaPlugin"], path: "Plugins/Fetch", publicHeadersPath: "."),
        .target(name: "Visits", dependencies: ["CLambdaPlugin"], path: "Plugins/Visits", publicHeadersPath: "."),
        .target(name: "Hello", dependencies: ["LambdaPlugin"], path: "Plugins/Hello"),
        .target(name: "Release", dependencies: ["LambdaPluginHTTP"], path: "Plugins/Release"),
        .target(name: "Notes", dependencies: ["LambdaPluginHTTP"], path: "Plugins/Notes"),
        .target(
            name: "WordStream", dependencies: ["CLambdaPlugin"], path: "Plugins/WordStream", publicHeadersPath: "."),
        // Plain C with no include of lambda_plugin.h: called through libffi.
        .target(name: "Calc", path: "Plugins/Calc", publicHeadersPath: ".", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "Probe", dependencies: ["CLambdaPlugin"], path: "Plugins/Fixtures/Probe", publicHeadersPath: "."),
        .target(
            name: "HTTPProbe", dependencies: ["CLambdaPlugin"], path: "Plugins/Fixtures/HTTPProbe", publicHeadersPath: "."),
        .target(name: "NoEntry", path: "Plugins/Fixtures/NoEntry", publicHeadersPath: "."),
        .target(name: "SwiftStream", dependencies: ["LambdaPlugin"], path: "Plugins/Fixtures/SwiftStream"),
        .target(name: "SwiftEventStream", dependencies: ["LambdaPlugin"], path: "Plugins/Fixtures/SwiftEventStream"),
        .target(name: "SwiftTrap", dependencies: ["LambdaPlugin"], path: "Plugins/Fixtures/SwiftTrap"),

        .testTarget(
            name: "LambdaHostTests",
            dependencies: [
                "LambdaRuntimeAPI", "LambdaPluginLoader", "LambdaDynamicCall", "LambdaPackaging", "lambda-host",
                "lambda-host-tools", "LambdaOutbound", "CLambdaOutbound", "LambdaPluginHTTP", "LambdaJSON", "LambdaMetrics",
                "LambdaEmulator", "LambdaPluginTesting",
            ]
        ),
    ]
)
