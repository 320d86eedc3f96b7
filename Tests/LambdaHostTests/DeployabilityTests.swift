import Foundation
import Testing

/// What the runtime binary needs at run time must load on Lambda's provided.al2023:
/// glibc 2.34 and GCC 11's libstdc++ (GLIBCXX_3.4.29), no Foundation.
@Suite struct DeployabilityTests {
    func run(_ tool: String, _ arguments: [String]) throws -> String {
        let outcome = try runCommand("/usr/bin/env", [tool] + arguments)
        #expect(outcome.status == 0, "\(tool) \(arguments)")
        return outcome.stdout
    }

    func needed(_ path: String) throws -> [String] {
        try run("readelf", ["-d", path]).split(separator: "\n").compactMap { line in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
            else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    /// Where the loader finds the host's Swift libraries: its RUNPATH entries.
    func runpath(_ path: String) throws -> [String] {
        let line = try run("readelf", ["-d", path]).split(separator: "\n").first { $0.contains("(RUNPATH)") }
        guard let line, let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return [] }
        return line[line.index(after: open)..<close].split(separator: ":").map(String.init)
    }

    /// Whether a version is at most `limit` (both as lists of numbers).
    func atMost(_ version: [Int], _ limit: [Int]) -> Bool {
        !limit.lexicographicallyPrecedes(version)
    }

    /// The highest version of `prefix` (GLIBC_ or GLIBCXX_) that `path` requires.
    func highest(_ prefix: String, in path: String) throws -> [Int] {
        let text = try run("objdump", ["-T", path])
        var best: [Int] = []
        var rest = Substring(text)
        while let range = rest.range(of: "(\(prefix)") {
            let tail = rest[range.upperBound...]
            let digits = tail.prefix { $0.isNumber || $0 == "." }
            let version = digits.split(separator: ".").compactMap { Int($0) }
            if best.lexicographicallyPrecedes(version) { best = version }
            rest = tail
        }
        return best
    }

    /// The host carries the Swift runtime: it is named libswiftCore.so (DT_SONAME), so the
    /// loader serves a Swift plugin's DT_NEEDED with the host itself, and it exports the
    /// runtime's symbols, and only those. C++'s runtime, linked in too, stays private, so a C++ plugin gets
    /// the system's libstdc++ whole. What it needs of the system is the base image's libc,
    /// libm and libgcc_s; libffi is loaded with dlopen for a handler given by a signature.
    @Test func theRuntimeIsTheSwiftRuntimeAndNeedsOnlyTheBaseImagesLibraries() throws {
        let dynamic = try run("readelf", ["-d", BuildProducts.host])
        #expect(dynamic.contains("Library soname: [libswiftCore.so]"), "\(dynamic)")
        let libraries = Set(try needed(BuildProducts.host)).subtracting(["libswiftSwiftOnoneSupport.so", "libswiftCore.so"])
        let base: Set = ["libc.so.6", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"]
        #expect(libraries.isSubset(of: base) && libraries.contains("libc.so.6"), "\(libraries)")
        #expect(!libraries.contains { $0.contains("Foundation") || $0.contains("stdc++") })

        let exported = try run("readelf", ["--dyn-syms", "-W", BuildProducts.host]).split(separator: "\n").filter {
            !$0.contains(" UND ")
        }
        func defines(_ symbol: String) -> Bool { exported.contains { $0.hasSuffix(" " + symbol) } }
        #expect(defines("swift_retain") && defines("swift_conformsToProtocol"))
        #expect(!defines("__cxa_throw") && !defines("_Znwm") && !defines("arc4random"))
        // Nothing of its own: a plugin that carries one of this package's modules in
        // another version must bind to its own copy (Sources/lambda-host/exports.map).
        let own = exported.compactMap { $0.split(separator: " ").last.map(String.init) }.filter {
            $0.hasPrefix("lh_") || $0.hasPrefix("lho_") || $0.hasPrefix("cffi_") || ($0.hasPrefix("$s") && $0.contains("Lambda"))
        }
        #expect(own.isEmpty, "\(own.prefix(5))")
    }

    @Test func everyELFTheRuntimeLoadsFitsAmazonLinux2023() throws {
        var elves = [BuildProducts.host, BuildProducts.plugin("Echo")]
        let folders = try runpath(BuildProducts.host)
        // The host is libswiftCore.so itself; a debug build also loads the -Onone support.
        for library in try needed(BuildProducts.host) where library.hasPrefix("libswift") && library != "libswiftCore.so" {
            let found = folders.map { "\($0)/\(library)" }.first { FileManager.default.fileExists(atPath: $0) }
            elves.append(try #require(found, "\(library) is not in the host's RUNPATH \(folders)"))
        }
        // libffi comes from the system here; the layer carries its own copy (docs/deploy.md).
        let ffi = ["/lib/x86_64-linux-gnu/libffi.so.8", "/usr/lib/x86_64-linux-gnu/libffi.so.8",
                   "/lib/aarch64-linux-gnu/libffi.so.8", "/usr/lib64/libffi.so.8"]
        elves.append(try #require(ffi.first { FileManager.default.fileExists(atPath: $0) }, "libffi.so.8 not found"))
        #expect(elves.count >= 3)
        for elf in elves {
            let glibc = try highest("GLIBC_", in: elf)
            let glibcxx = try highest("GLIBCXX_", in: elf)
            #expect(!glibc.isEmpty, "\(elf) has no GLIBC_ requirement at all: objdump output not read")
            #expect(atMost(glibc, [2, 34]), "\(elf) needs GLIBC_\(glibc)")
            #expect(atMost(glibcxx, [3, 4, 29]), "\(elf) needs GLIBCXX_\(glibcxx)")
        }
        // The check can fail: the toolchain's Glibc overlay is over the line.
        let overlay = folders.map { "\($0)/libswiftGlibc.so" }.first { FileManager.default.fileExists(atPath: $0) }
        if let overlay { #expect(!atMost(try highest("GLIBC_", in: overlay), [2, 34])) }
    }
}
