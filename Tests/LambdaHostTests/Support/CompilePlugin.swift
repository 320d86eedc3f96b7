import Foundation

/// Compiles C `source` into the shared object `library` with the plugin header on the
/// include path, as a developer's build does; throws with cc's message if it fails.
func compilePlugin(_ source: String, to library: String) throws {
    let file = library + ".c"
    try source.write(toFile: file, atomically: true, encoding: .utf8)
    try FixtureCompiler.library(library, from: [file])
}
