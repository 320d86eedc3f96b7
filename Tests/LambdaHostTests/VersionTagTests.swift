import Foundation
import Testing

/// The version a user's `Package.swift` asks for (`from: "X.Y.Z"`) is a git tag of this
/// repository; `LambdaHostVersion`, the Rust crate's version and the tags must say the
/// same thing, or `from:` resolves code that calls itself another version.
@Suite struct VersionTagTests {
    static let root = BuildProducts.packageRoot.path

    /// The three numbers of a release version "X.Y.Z" (a leading "v" allowed in tags).
    static func semver(_ text: String) -> [Int]? {
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return parts.compactMap { Int($0) }
    }

    /// The quoted version in a LambdaHostVersion.swift text.
    static func declaredVersion(in source: String) -> String? {
        guard let line = source.split(separator: "\n").first(where: { $0.contains("static let string") }),
            let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close
        else { return nil }
        return String(line[line.index(after: open)..<close])
    }

    static func git(_ arguments: [String]) throws -> CommandOutcome {
        try runCommand("/usr/bin/git", ["-C", root] + arguments)
    }

    static var current: String? {
        (try? String(contentsOfFile: root + "/Sources/LambdaRuntimeAPI/LambdaHostVersion.swift", encoding: .utf8)).flatMap(declaredVersion)
    }

    /// Release tags, when this checkout has any (a clone made without tags has none).
    static var tags: [String] {
        guard let listed = try? git(["tag", "--list"]), listed.status == 0 else { return [] }
        return listed.stdout.split(separator: "\n").map(String.init).filter { semver($0) != nil }
    }

    @Test func theVersionIsAReleaseVersionAndEveryBinaryAndTheRustCrateSayIt() throws {
        let version = try #require(Self.current, "Sources/LambdaRuntimeAPI/LambdaHostVersion.swift declares no version")
        #expect(Self.semver(version) != nil && !version.hasPrefix("v"), "\(version) is not X.Y.Z")
        let host = try runCommand(BuildProducts.host, ["--version"])
        #expect(host.stdout == "lambda-host \(version)\n", "lambda-host --version: \(host.stdout)")
        let tools = try runCommand(BuildProducts.host, ["serve", "--version"])
        #expect(tools.stdout == version + "\n", "lambda-host-tools --version: \(tools.stdout) \(tools.stderr)")
        let cargo = try String(contentsOfFile: Self.root + "/rust/lambda-plugin/Cargo.toml", encoding: .utf8)
        #expect(cargo.contains("\nversion = \"\(version)\"\n"), "rust/lambda-plugin/Cargo.toml's version is not \(version)")
    }

    @Test(.enabled(if: !tags.isEmpty, "this checkout has no release tags (git fetch --tags)"))
    func everyTagHoldsItsOwnVersionAndNoneIsAheadOfTheSources() throws {
        let version = try #require(Self.current)
        let mine = try #require(Self.semver(version))
        for tag in Self.tags {
            let shown = try Self.git(["show", "\(tag):Sources/LambdaRuntimeAPI/LambdaHostVersion.swift"])
            let declared = Self.declaredVersion(in: shown.stdout)
            #expect(declared.flatMap(Self.semver) == Self.semver(tag), "tag \(tag) holds LambdaHostVersion \(declared ?? "none")")
            #expect((Self.semver(tag) ?? []).lexicographicallyPrecedes(mine) || Self.semver(tag) == mine, "tag \(tag) is ahead of LambdaHostVersion \(version)")
        }
        // The version the sources declare is released: its tag is this commit or an
        // ancestor of it (bump, commit and tag with scripts/release.sh).
        let tag = try #require(Self.tags.first { Self.semver($0) == mine }, "no tag \(version): run scripts/release.sh \(version)")
        let ancestor = try Self.git(["merge-base", "--is-ancestor", tag, "HEAD"])
        #expect(ancestor.status == 0, "tag \(tag) is not an ancestor of HEAD")
    }
}
