import Foundation

/// The neutral Runtime API simulator from `../shared/bench`, compiled once per test run.
enum NeutralSimulator {
    static let source = BuildProducts.shared("bench") + "/lambda-service-sim.c"

    /// Whether `../shared/bench` is beside the package.
    static var isAvailable: Bool { FileManager.default.fileExists(atPath: source) }

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
