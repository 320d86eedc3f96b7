import Foundation
import Testing

/// The audit on a library that needs more than provided.al2023 has (arc4random at
/// GLIBC_2.36, libz.so.1), compiled at test time so that `swift build` itself works on
/// the glibc 2.34 and 2.35 hosts docs/deploy.md recommends building on.
@Suite struct AuditFixtureTests {
    /// `package function` and `package check` refuse the library at `path`, naming the
    /// file, the symbol and the library; returns `package function`'s stderr.
    @discardableResult
    func expectRefused(_ path: String, folder: String) throws -> String {
        let (layer, _, _) = try PackagingTests().artifacts()
        let output = folder + "/not-for-lambda.zip"
        let function = try PackagingTests.package(["function", "--plugin", path, "--output", output])
        #expect(function.status == 1, "\(function.stdout)")
        #expect(
            function.stderr.contains("libNotForLambda.so: arc4random needs GLIBC_2.36 of libc.so.6, newer than provided.al2023's GLIBC_2.34"),
            "\(function.stderr)")
        #expect(
            function.stderr.contains("libNotForLambda.so: needs libz.so.1, which is neither in the layer's lib/ nor in provided.al2023"),
            "\(function.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        let check = try PackagingTests.package(["check", "--layer", layer, path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("FAIL"))
        #expect(check.stderr.contains("arc4random needs GLIBC_2.36"), "\(check.stderr)")
        return function.stderr
    }

    @Test(
        .enabled(
            if: NotForLambdaFixture.systemGlibcHasArc4random,
            Comment(
                rawValue: "SKIPPED: this machine's glibc is \(NotForLambdaFixture.glibcVersion), older than 2.36, so nothing linked against it can need GLIBC_2.36; theAuditNamesTheSameNeedsFromAStubGlibc covers the audit"
            )
        ))
    func theAuditNamesTheFileAndSymbolThatNeedANewerGlibc() throws {
        let folder = try TemporaryFolder()
        let stderr = try expectRefused(try NotForLambdaFixture.build(in: folder.path, stub: false), folder: folder.path)
        // docs/deploy.md shows this very output.
        let docs = try String(
            contentsOfFile: BuildProducts.packageRoot.appendingPathComponent("docs/deploy.md").path, encoding: .utf8)
        #expect(docs.contains(stderr), "docs/deploy.md's sample differs from:\n\(stderr)")
    }

    /// Runs on every glibc: the same library linked against a stub libc.so.6 that defines
    /// arc4random@GLIBC_2.36 has the same needs, read by the same audit.
    @Test func theAuditNamesTheSameNeedsFromAStubGlibc() throws {
        let folder = try TemporaryFolder()
        let path = try NotForLambdaFixture.build(in: folder.path, stub: true)
        let readelf = try runCommand("/usr/bin/env", ["readelf", "-V", "-W", path])
        #expect(readelf.stdout.contains("Name: GLIBC_2.36"), "\(readelf.stdout)")
        let stderr = try expectRefused(path, folder: folder.path)
        let docs = try String(
            contentsOfFile: BuildProducts.packageRoot.appendingPathComponent("docs/deploy.md").path, encoding: .utf8)
        #expect(docs.contains(stderr), "docs/deploy.md's sample differs from:\n\(stderr)")
    }
}
