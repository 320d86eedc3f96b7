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
            .file("b.txt", mode: 0o644, contents: Array("hello".utf8)), .symlink("lib/b.so", target: "a.so"),
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

    /// A zip written by Python's zipfile, each entry made on Unix with its full Unix mode
    /// (type bits included) and its bytes: for a link, `zip --symlinks`' layout.
    static func pythonZip(_ entries: [(name: String, mode: Int, contents: [UInt8])]) throws -> [UInt8] {
        let folder = try TemporaryFolder()
        let zip = folder.path + "/made.zip"
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1], 'w')
            for name, mode, data in zip(sys.argv[2::3], sys.argv[3::3], sys.argv[4::3]):
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = int(mode, 8) << 16
                z.writestr(info, bytes.fromhex(data))
            z.close()
            """
        let arguments = entries.flatMap { [$0.name, String($0.mode, radix: 8), $0.contents.map { String(format: "%02x", $0) }.joined()] }
        let made = try runCommand("/usr/bin/env", ["python3", "-c", script, zip] + arguments)
        try #require(made.status == 0, "\(made.stderr)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: zip)))
    }

    @Test func aSymbolicLinkRoundTripsAndUnpacksAsALink() throws {
        let program = Array("#!/bin/sh\necho linked\n".utf8)
        let entries: [ZipEntry] = [
            .file("bootstrap", mode: 0o755, contents: program), .directory("bin"),
            .symlink("bin/lambda-host", target: "../bootstrap"), .directory("lib"),
            .file("lib/libx.so.1", mode: 0o755, contents: [1, 2, 3]), .symlink("lib/libx.so", target: "./libx.so.1"),
            .symlink("root", target: "lib/.."),
        ]
        let read = try ZipArchive.read(try ZipArchive.write(entries), name: "links.zip")
        #expect(read == entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
        #expect(read.first { $0.path == "bin/lambda-host" }?.target == "../bootstrap")
        #expect(read.first { $0.path == "bin/lambda-host" }?.kind == .symlink)

        // A link as another writer marks it (S_IFLNK, any permission bits) reads as the same link.
        let python = try Self.pythonZip([
            ("bootstrap", 0o100755, program), ("bin/lambda-host", 0o120755, Array("../bootstrap".utf8)),
        ])
        #expect(
            try ZipArchive.read(python, name: "python.zip")
                == [.file("bootstrap", mode: 0o755, contents: program), .symlink("bin/lambda-host", target: "../bootstrap")])

        let folder = try TemporaryFolder()
        try FileSystem.unpack(read, into: folder.path)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.path + "/bin/lambda-host") == "../bootstrap")
        #expect(FileSystem.isSymbolicLink(folder.path + "/bin/lambda-host") && !FileSystem.isSymbolicLink(folder.path + "/bootstrap"))
        #expect(try FileSystem.read(folder.path + "/bin/lambda-host") == program)
        #expect(try FileSystem.read(folder.path + "/lib/libx.so") == [1, 2, 3])
        #expect(FileSystem.isDirectory(folder.path + "/root/bin"))
        let run = try runCommand(folder.path + "/bin/lambda-host", [])
        #expect(run.status == 0 && run.stdout == "linked\n", "\(run.stdout)\(run.stderr)")
    }

    @Test func aSymbolicLinkThatCouldLeadOutOfItsFolderIsRefused() throws {
        let link = 0o120777
        let cases: [(entries: [(name: String, mode: Int, contents: [UInt8])], message: String)] = [
            ([("l", link, Array("/etc/passwd".utf8))], "must have a relative target"),
            ([("l", link, [])], "must have a relative target"),
            ([("l", link, Array("a\0b".utf8))], "must have a relative target"),
            ([("l", link, Array(repeating: UInt8(ascii: "a"), count: 4096))], "must have a relative target"),
            ([("l", link, Array("..".utf8))], "leads outside the archive's folder"),
            ([("bin/l", link, Array("../../etc/passwd".utf8))], "leads outside the archive's folder"),
            ([("a/b/l", link, Array("../x/../../../y".utf8))], "leads outside the archive's folder"),
            // Counted as text, d/up/../x is d/x; on disk d/up is the root, and its .. the parent.
            ([("d/up", link, Array("..".utf8)), ("y", link, Array("d/up/../x".utf8))], "goes through another link"),
            ([("l", link, Array("lib".utf8)), ("l/evil.so", 0o100755, [1])], "lies inside a symbolic link"),
            ([("l", link, Array("lib".utf8)), ("l/m", link, Array("x".utf8))], "lies inside a symbolic link"),
            ([("l", link, [0x61, 0xff])], "not UTF-8"),
            ([("l/", link, [])], "ends with /"),
        ]
        for (entries, message) in cases {
            let bytes = try Self.pythonZip(entries)
            #expect("\(entries)") {
                try ZipArchive.read(bytes, name: "evil.zip")
            } throws: { error in
                let error = error as? PackagingError
                return error?.code == .zip && error?.message.hasPrefix("evil.zip: ") == true
                    && error?.message.contains(message) == true
            }
        }
        // Neither is such a link written or unpacked when given directly.
        let escaping: [ZipEntry] = [.directory("bin"), .symlink("bin/l", target: "../../x")]
        #expect(throws: PackagingError.self) { try ZipArchive.write(escaping) }
        let folder = try TemporaryFolder()
        #expect(throws: PackagingError.self) { try FileSystem.unpack(escaping, into: folder.path + "/in") }
        #expect(throws: PackagingError.self) {
            try FileSystem.unpack([.file("../out", mode: 0o644, contents: [1])], into: folder.path + "/in")
        }
        #expect(!FileSystem.exists(folder.path + "/in") && !FileSystem.exists(folder.path + "/out"))
    }
}
