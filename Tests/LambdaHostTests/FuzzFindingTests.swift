import Foundation
import Testing

@testable import LambdaDynamicCall
@testable import LambdaPackaging
@testable import LambdaPluginLoader
@testable import LambdaRuntimeAPI

/// The defects the fuzzers of Fuzz/ found, each replayed in process. The input that found
/// each one is in Fuzz/Corpus/<fuzzer>/found-*, so the fuzzers replay it too.
@Suite struct FuzzFindingTests {
    /// fuzz-handler: `_HANDLER` was split at Characters, and a combining mark after '/'
    /// joins it into one Character "/́" that is not "/". The short form then put "lib" in
    /// front of the folder, and a '..' part went unseen.
    @Test func handlerTextIsSplitAtItsBytes() throws {
        let spec = try HandlerSpec("app/\u{301}x.handler")
        #expect(spec.candidates == ["app/lib\u{301}x.so", "app/\u{301}x.so"])
        #expect(spec.symbol == "handler")
        #expect(try HandlerSpec("lib\u{301}x.so:go").candidates == ["lib\u{301}x.so"])
        #expect(try HandlerSpec("x.so:\u{301}f(i32)->void").signature?.text == "\u{301}f(i32)->void")
        for escaping in ["../\u{301}evil.so", "lib/../\u{301}evil.so", "..\u{301}/../x.so"] {
            #expect(throws: PluginLoadError.self, "\(escaping)") { try HandlerSpec(escaping) }
        }
        #expect {
            try HandlerSpec("lib/../\u{301}evil.so")
        } throws: { error in
            (error as? PluginLoadError)?.code == .pathEscapesRoot
        }
    }

    /// fuzz-zip: entry paths were checked at Characters, so "../́evil.so" ('/' then a
    /// combining mark, one Character) passed as one harmless name and unpacked into the
    /// folder's parent. Unpacking split paths at Characters too.
    @Test func zipPathsAreCheckedAtTheirBytes() throws {
        for evil in ["../\u{301}evil.so", "/\u{301}etc/x", "a\\\u{301}b", "lib/./\u{301}x", "lib/../\u{301}x/"] {
            // Written under a harmless name of the same length, then renamed in both headers.
            let placeholder = String(repeating: "a", count: evil.utf8.count)
            var bytes = try ZipArchive.write([.file(placeholder, mode: 0o644, contents: [1, 2, 3])])
            while let range = bytes.firstRange(of: Array(placeholder.utf8)) { bytes.replaceSubrange(range, with: Array(evil.utf8)) }
            #expect {
                try ZipArchive.read(bytes, name: "evil.zip")
            } throws: { error in
                (error as? PackagingError)?.message.contains("would unpack outside its folder") == true
            }
        }
        let folder = try TemporaryFolder()
        try FileSystem.unpack([.directory("d/\u{301}e"), .file("a/\u{301}b/c.txt", mode: 0o644, contents: [7])], into: folder.path)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/a/\u{301}b/c.txt"))
        #expect(FileSystem.isDirectory(folder.path + "/d/\u{301}e"))
        #expect(FileSystem.folder(of: "a/\u{301}b/c") == "a/\u{301}b")
        #expect(FileSystem.baseName(of: "a/\u{301}b") == "\u{301}b")
    }

    /// fuzz-json-event: base64 with non-zero bits after the last byte ("AB==" for the byte
    /// that "AA==" spells), or padding that completes nothing, was read as a guess.
    @Test func base64HasOneSpelling() {
        for text in ["", "AA==", "AA", "AAE=", "AAE", "AAEC", "AAEC/w==", "AAEC/w"] {
            #expect(Base64.decode(text) != nil, "\(text)")
        }
        for text in ["AB==", "AAF=", "AAEC/p==", "AAAA=", "AAAA==", "AA=", "AAE==", "A", "A===", "AA=A"] {
            #expect(Base64.decode(text) == nil, "\(text)")
        }
        let signature = try? Signature(parsing: "checksum(data:bytes)->u32")
        let event = Array(#"{"data":"AAEC/p=="}"#.utf8)
        #expect(throws: MarshallingError.self) {
            _ = try event.withUnsafeBytes { try Marshalling.arguments(from: $0, for: #require(signature)) }
        }
    }

    /// fuzz-elf: rewriting a search path whose bytes are not UTF-8 measured the old value
    /// as a String (U+FFFD is 3 bytes) and wrote past its terminator, over other strings.
    @Test func aSearchPathIsRewrittenWithinItsOwnBytes() throws {
        let seed = BuildProducts.packageRoot.appendingPathComponent("Fuzz/Corpus/elf/libtiny.so")
        var bytes = Array(try Data(contentsOf: seed))
        let original = try ELFFile(name: "libtiny.so", bytes: bytes)
        let old = "$ORIGIN/lib:$ORIGIN/../lib"
        #expect(original.searchPath?.value == old)
        let at = try #require(bytes.firstRange(of: Array(old.utf8))).lowerBound
        bytes[at] = 0x98
        bytes[at + 1] = 0x9D
        var file = try ELFFile(name: "libtiny.so", bytes: bytes)
        try file.setSearchPath(old)
        #expect(file.searchPath?.value == old)
        // Only the string and its dynamic entry's tag (RUNPATH becomes RPATH) change.
        let entry = try #require(original.layout.dynamic.first { $0.tag == ELFFile.Tag.runpath }).offset
        let changed = bytes.indices.filter { bytes[$0] != file.bytes[$0] }
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { (at..<at + old.utf8.count).contains($0) || (entry..<entry + 8).contains($0) }, "\(changed)")
    }
}
