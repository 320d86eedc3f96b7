import Foundation
import Testing

/// `swift build` must work on every host docs/deploy.md recommends building on (Amazon
/// Linux 2023, Ubuntu 22.04: glibc 2.34 and 2.35). A target that needs a newer glibc
/// would stop the whole build there; fixtures that need one are compiled by their tests.
@Suite struct BuildPortabilityTests {
    @Test func noPackageTargetDependsOnTheBuildMachinesGlibcVersion() throws {
        let root = BuildProducts.packageRoot.path
        // The manifest alone, in a folder of its own: `swift package` in the package would
        // wait for the build folder's lock, which the running `swift test` holds.
        let copy = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: root + "/Package.swift", toPath: copy.path + "/Package.swift")
        let dump = try runCommand(
            "/usr/bin/env", ["timeout", "120", Toolchain.program("swift"), "package", "dump-package"], in: copy.path)
        try #require(dump.status == 0, "\(dump.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let targets = try #require(manifest["targets"] as? [[String: Any]])
        #expect(targets.count > 10)
        var scanned = 0
        for target in targets {
            let name = target["name"] as? String ?? ""
            let folder = root + "/" + ((target["path"] as? String) ?? (target["type"] as? String == "test" ? "Tests/" : "Sources/") + name)
            let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".c") || file.hasSuffix(".h") || file.hasSuffix(".cpp") {
                scanned += 1
                let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
                let refuses = text.contains("#error") && (text.contains("__GLIBC_MINOR__") || text.contains("__GLIBC__"))
                #expect(!refuses, "target \(name): \(file) refuses to build on some glibc; compile it in the test that needs it")
            }
        }
        #expect(scanned > 5)
    }
}
