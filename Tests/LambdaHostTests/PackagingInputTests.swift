import Foundation
import LambdaPackaging
import Testing

/// The packaging readers on damaged and hostile input: an error, never a trap.
@Suite struct PackagingInputTests {
    /// `bytes` cut short (even rounds) or with `flips` random bytes changed (odd rounds).
    static func damage(_ bytes: [UInt8], round: Int, flips: Int, using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        if round % 2 == 0 {
            bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &generator)...)
        } else {
            for _ in 0..<flips { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }

    @Test func theELFReaderAgreesWithReadelfOnARealPlugin() throws {
        let path = BuildProducts.plugin("Hello")
        let file = try ELFFile(name: "libHello.so", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let readelf = try runCommand("/usr/bin/env", ["readelf", "-d", "-V", "-W", path]).stdout
        let needed = readelf.split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap {
            $0.split(separator: "[").last?.dropLast().description
        }
        #expect(file.needed == needed)
        #expect(file.machine == .x86_64 || file.machine == .arm64)
        #expect(file.exports.contains("lambda_plugin_v1"))
        for requirement in file.requirements {
            #expect(readelf.contains("Name: \(requirement.version.name)"), "\(requirement.version)")
        }
    }

    @Test func damagedELFFilesGiveErrorsNotTraps() throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: BuildProducts.plugin("Echo"))))
        var generator = SeededGenerator(seed: 0xE1F_BAD)
        var failures = 0
        for round in 0..<400 {
            let bytes = Self.damage(original, round: round, flips: 8, using: &generator)
            do {
                _ = try ELFFile(name: "damaged", bytes: bytes)
            } catch {
                failures += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(failures > 100, "most damaged files should be refused; \(failures) were")
    }

    @Test func damagedZipsGiveErrorsNotTraps() throws {
        let entries: [ZipEntry] = [
            .directory("lib"), .file("lib/a.so", mode: 0o755, contents: Array(repeating: 7, count: 5000)),
            .file("b.txt", mode: 0o644, contents: Array("hello".utf8)),
        ]
        let original = try ZipArchive.write(entries)
        #expect(try ZipArchive.read(original, name: "intact.zip") == entries.sorted { $0.path < $1.path })
        var generator = SeededGenerator(seed: 0x21B_BAD)
        var failures = 0
        for round in 0..<400 {
            let bytes = Self.damage(original, round: round, flips: 4, using: &generator)
            do {
                _ = try ZipArchive.read(bytes, name: "damaged.zip")
            } catch {
                failures += 1
            }
        }
        #expect(failures > 100, "\(failures)")
    }

    @Test func aZipEntryThatWouldEscapeItsFolderIsRefused() throws {
        let folder = try TemporaryFolder()
        let zip = folder.path + "/evil.zip"
        let script = "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('../evil.so', b'x'); z.close()"
        let made = try runCommand("/usr/bin/env", ["python3", "-c", script, zip])
        try #require(made.status == 0, "\(made.stderr)")
        #expect {
            try ZipArchive.read(Array(try Data(contentsOf: URL(fileURLWithPath: zip))), name: "evil.zip")
        } throws: { error in
            (error as? PackagingError)?.message.contains("'../evil.so' would unpack outside its folder") == true
        }
    }
}
