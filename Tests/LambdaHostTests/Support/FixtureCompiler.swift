import Foundation
import Glibc
import Testing

/// Fixture libraries compiled by the test that uses them, with the machine's own C and
/// C++ compilers, against the package's `lambda_plugin.h`. Keeping them out of
/// Package.swift keeps `swift build` free of fixtures that need a particular compiler or
/// glibc.
enum FixtureCompiler {
    /// `Sources/CLambdaPlugin/include`, for `#include <lambda_plugin.h>`.
    static var include: String { BuildProducts.packageRoot.appendingPathComponent("Sources/CLambdaPlugin/include").path }

    /// A fixture source kept in the package (`Plugins/Fixtures/...`).
    static func source(_ path: String) -> String { BuildProducts.packageRoot.appendingPathComponent("Plugins/Fixtures/" + path).path }

    /// Whether a C++ compiler (`c++`) is on PATH; `.ci/run` installs g++ when it is not.
    static let hasCXX = (try? runCommand("/usr/bin/env", ["c++", "--version"]))?.status == 0

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Compiles `sources` into the shared object `output` with `compiler` (`cc`, `c++`, or
    /// a path) and `flags`; throws with the compiler's output when it fails.
    @discardableResult
    static func library(
        _ output: String, from sources: [String], compiler: String = "cc", flags: [String] = []
    ) throws -> String {
        // Libraries after the sources that need them, for linkers that default to --as-needed.
        let arguments = [compiler, "-shared", "-fPIC", "-O1", "-I", include, "-o", output] + sources + flags
        let run = try runCommand("/usr/bin/env", arguments)
        guard run.status == 0 else { throw Failure(description: "\(arguments.joined(separator: " ")):\n\(run.stderr)") }
        return output
    }

    /// Writes `text` to `folder/name` and compiles it into `folder/lib<stem>.so`, where
    /// stem is `name` without its extension; C++ for `.cpp`.
    @discardableResult
    static func library(source text: String, named name: String, in folder: String, flags: [String] = []) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        return try library(folder + "/lib\(stem).so", from: [path], compiler: name.hasSuffix(".cpp") ? "c++" : "cc", flags: flags)
    }
}

/// Runs the real host against a test Runtime API, expects exactly one init error and no
/// request for an invocation, and returns the error's type and message with the host's
/// stderr. `rawHandler` sets `_HANDLER` to bytes that need not be UTF-8 instead.
func initFailure(
    handler: String?,
    rawHandler: [UInt8]? = nil,
    taskRoot: String = BuildProducts.folder.path,
    environment: [String: String] = [:]
) throws -> (type: String, message: String, stderr: String) {
    let api = try TestRuntimeAPI()
    let host = try HostProcess(handler: handler, rawHandler: rawHandler, api: api, taskRoot: taskRoot, environment: environment)
    let request = try #require(api.initError(), "no init error; stderr: \(host.stderr)")
    #expect(host.waitForExit() == 1)
    let body = try #require(jsonObject(request))
    let type = body["errorType"] as? String ?? ""
    #expect(request.headers["lambda-runtime-function-error-type"] == type)
    #expect((body["stackTrace"] as? [Any])?.isEmpty == true)
    // One init error, and no invocation was asked for.
    #expect(api.received.filter { $0.path.hasSuffix("/init/error") }.count == 1)
    #expect(!api.received.contains { $0.path.hasSuffix("/invocation/next") })
    return (type, body["errorMessage"] as? String ?? "", host.stderr)
}

/// `bytes` as a shell `printf` format: every byte as an octal escape.
func printfFormat(_ bytes: [UInt8]) -> String {
    bytes.map { "\\" + String($0, radix: 8) }.joined()
}
