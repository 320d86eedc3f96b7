import Foundation

/// The Swift toolchain's clang, targeting the other architecture Lambda runs (aarch64 on
/// an x86_64 machine, x86_64 on an arm64 one), for tiny freestanding libraries that this
/// machine cannot load.
enum CrossCompiler {
    /// The other architecture: its clang target and Lambda's name for it.
    #if arch(x86_64)
    static let target = (triple: "aarch64-linux-gnu", lambdaName: "arm64")
    #else
    static let target = (triple: "x86_64-linux-gnu", lambdaName: "x86_64")
    #endif

    /// The toolchain's clang, else whichever clang is on PATH.
    static let clang = Toolchain.program("clang")

    /// Compiles `sources` (C, or C++ for .cpp) into a freestanding shared object for the
    /// other architecture: no libc, nothing NEEDED.
    @discardableResult
    static func library(_ output: String, from sources: [String], flags: [String] = []) throws -> String {
        let cxx = sources.contains { $0.hasSuffix(".cpp") }
        let language = cxx ? ["-x", "c++", "-nostdinc++"] : []
        return try FixtureCompiler.library(
            output, from: sources, compiler: clang,
            flags: ["--target=\(target.triple)", "-ffreestanding", "-nostdlib", "-fuse-ld=lld"] + language + flags)
    }

    /// Whether the toolchain can build for the other architecture here.
    static let isAvailable: Bool = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-cross-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try? "int probe(void) { return 1; }\n".write(toFile: folder + "/probe.c", atomically: true, encoding: .utf8)
        return (try? library(folder + "/libprobe.so", from: [folder + "/probe.c"])) != nil
    }()
}
