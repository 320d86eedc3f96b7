import Foundation
import LambdaPackaging
import Testing

/// Dropping a DT_NEEDED entry that a plugin takes nothing from (`ELFFile.dropNeeded`, used
/// by `package function`): on a real library built by cc, checked by readelf and by
/// loading the result with the system's dynamic loader.
@Suite struct NeededTrimmingTests {
    /// A library that uses libm's `cos` and names libz without using it.
    func library() throws -> (path: String, file: ELFFile) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("needed-trim-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = folder + "/trim.c"
        try "#include <math.h>\ndouble half_turn(double x) { return cos(x) * 42.0; }\n".write(
            toFile: source, atomically: true, encoding: .utf8)
        let path = folder + "/libtrim.so"
        let built = try runCommand(
            "/usr/bin/env", ["cc", "-shared", "-fPIC", "-o", path, source, "-Wl,--no-as-needed", "-lz", "-lm"])
        try #require(built.status == 0, "\(built.stderr)")
        return (path, try ELFFile(name: "libtrim.so", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }

    func needed(_ path: String) throws -> [String] {
        try runCommand("/usr/bin/env", ["readelf", "-d", path]).stdout.split(separator: "\n")
            .filter { $0.contains("(NEEDED)") }.compactMap { $0.split(separator: "[").last?.dropLast().description }
    }

    @Test func anUnusedLibraryIsDroppedAndTheRestStillLoads() throws {
        let (path, original) = try library()
        #expect(original.needed == ["libz.so.1", "libm.so.6", "libc.so.6"])
        #expect(original.imports.contains("cos") && original.exports.contains("half_turn"))
        var file = original
        try file.dropNeeded("libz.so.1")
        #expect(file.needed == ["libm.so.6", "libc.so.6"])
        #expect(file.bytes.count == original.bytes.count)
        let edited = path + ".edited"
        try Data(file.bytes).write(to: URL(fileURLWithPath: edited))
        #expect(try needed(edited) == ["libm.so.6", "libc.so.6"])

        // The system's loader takes it, and the function works: cos(0) * 42.
        let script = "import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); l.half_turn.restype=ctypes.c_double; l.half_turn.argtypes=[ctypes.c_double]; print(l.half_turn(0.0))"
        let loaded = try runCommand("/usr/bin/env", ["python3", "-c", script, edited])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout == "42.0\n")
    }

    @Test func aLibraryThatIsNotNeededOrGivesVersionsIsRefused() throws {
        var file = try library().file
        #expect(throws: PackagingError.self) { try file.dropNeeded("libnothere.so") }
        // libc gives versioned symbols (GLIBC_2.2.5): dropping it would break the Verneed table.
        #expect(throws: PackagingError.self) { try file.dropNeeded("libc.so.6") }
        #expect(file.needed == ["libz.so.1", "libm.so.6", "libc.so.6"])
    }
}
