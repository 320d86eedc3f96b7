import Foundation

/// The neutral Runtime API simulator (a copy of the shared bench's, in Tests/Fixtures),
/// compiled once per test run.
enum NeutralSimulator {
    static let source = BuildProducts.fixture("lambda-service-sim.c")

    struct CompileFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The compiled simulator (in the build folder), or why `cc` failed.
    static let path: Result<String, Error> = Result {
        let path = BuildProducts.folder.path + "/lambda-service-sim"
        let cc = try runCommand("/usr/bin/env", ["cc", "-O2", "-o", path, source])
        guard cc.status == 0 else { throw CompileFailure(description: "cc \(source): \(cc.stderr)") }
        return path
    }
}
