import Foundation

/// Compiles C `source` into the shared object `library` with the plugin header on the
/// include path, as a developer's build does; throws with cc's message if it fails.
func compilePlugin(_ source: String, to library: String) throws {
    let file = library + ".c"
    try source.write(toFile: file, atomically: true, encoding: .utf8)
    let include = BuildProducts.packageRoot.appendingPathComponent("Sources/CLambdaPlugin/include").path
    let cc = try runCommand("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", include, "-o", library, file])
    guard cc.status == 0 else { throw CompileFailure(message: cc.stderr) }
}

struct CompileFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "cc failed: \(message)" }
}
