import Foundation
import Testing

@testable import LambdaDynamicCall
@testable import LambdaOutbound
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

    /// fuzz-outbound-url: an IPv6 literal was checked with inet_pton, which stops at a NUL,
    /// so `[::<NUL><CR><LF>X: y]` passed as `::` and its bytes went into the Host header:
    /// a plugin's URL could add headers to its own request, or a second request.
    @Test func anIPv6LiteralIsMadeOfItsOwnBytes() throws {
        for evil in ["http://[::\u{0}\r\nX-Injected: 1]/", "http://[::\u{0}\u{0}\u{13}1]:9006/", "http://[::1\u{0}]/", "https://[::\u{0}x]"] {
            #expect(throws: OutboundError.self, "\(evil.debugDescription)") { try OutboundURL.parse(evil) }
            #expect(throws: OutboundError.self, "\(evil.debugDescription)") { try AllowList(parsing: evil) }
        }
        let url = try OutboundURL.parse("http://[::FFFF:1.2.3.4]:8080/x")
        #expect(url.hostHeader == "[::ffff:1.2.3.4]:8080")
    }

    /// fuzz-outbound-url: a message kept the text before the first `//`, and everything
    /// before the `@` when there was no `//`, so `user:pass@host` or `http:/user:pass@host`
    /// put the password into the error (and into the log); the scheme it named was cut
    /// at 32 bytes, so a token before `@host:` lost its `@` and was printed whole.
    @Test func aMessageKeepsOnlyTheSchemeBeforeCredentials() {
        let cases = [
            ("alice:SECRETPW@example.com/x", "'***@example.com/x'"),
            ("hdtps:/-/user:SECRETPW@example.com/x", "'***@example.com/x'"),
            ("a:SECRETPW@e http://[::1]@h", "'***@h'"),
            ("https://alice:SECRETPW@h/x", "'https://***@h/x'"),
            // The scheme named in the message was cut at 32 bytes, before the `@`.
            ("ghp_0123456789abcdefghijSECRETPW@github.com:443/x", "'***@github.com:443/x'"),
        ]
        for (text, quoted) in cases {
            do {
                _ = try OutboundURL.parse(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(!error.message.contains("SECRETPW") && error.message.contains(quoted), "\(error.message)")
            }
        }
        #expect(OutboundURL.redacted("http:/u:SECRETPW@h/a") == "***@h/a")
    }

    /// fuzz-outbound-response: with a Transfer-Encoding other than chunked, the body runs
    /// until the server closes, but `contentLength` still reported the Content-Length
    /// beside it, which framed nothing (chunked already cleared it).
    @Test func transferEncodingOverridesContentLength() throws {
        let head = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 100\r\n\r\nabc".utf8)
        var parser = HTTPResponseParser(isHEAD: false, maxBody: 4096)
        let progress = try head.withUnsafeBytes { (bytes) throws(OutboundError) in try parser.feed(bytes) }
        #expect(progress == .needMore)
        try parser.finishAtEOF()
        let length = parser.contentLength
        let keepAlive = parser.keepAlive
        let body = Array(parser.buffer.body)
        #expect(length == nil && !keepAlive && body == Array("abc".utf8))
    }

    /// Found reading the parser for fuzz-outbound-response's properties, then replayed
    /// with the fuzzer: a chunk size near 2^63 after a first chunk overflowed the body's
    /// running total, and the trap crashed the host on a server's bytes.
    @Test func aHugeChunkAfterAnotherIsACapMatter() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n7fffffffffffffff\r\n"
        var parser = HTTPResponseParser(isHEAD: false, maxBody: 4096)
        let bytes = Array(text.utf8)
        do {
            let progress = try bytes.withUnsafeBytes { try parser.feed($0) }
            Issue.record("a chunk of 2^63 - 1 bytes was accepted: \(progress)")
        } catch let error as OutboundError {
            #expect(error.code == .responseTooLarge && error.message.contains("cap of 4096 bytes"), "\(error)")
        } catch {
            Issue.record("not an OutboundError: \(error)")
        }
    }
}
