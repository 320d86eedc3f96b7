import Testing

@testable import LambdaOutbound

/// The pure protocol parts of outbound HTTP: URLs, origins, the allow-list, the request
/// writer and the response parser, in process, over byte arrays.
@Suite struct OutboundProtocolTests {
    // MARK: Helpers

    /// Runs `body` and returns the OutboundError it threw, or nil.
    static func failure(_ body: () throws -> Void) -> OutboundError? {
        do {
            try body()
            return nil
        } catch let error as OutboundError {
            return error
        } catch {
            Issue.record("not an OutboundError: \(error)")
            return nil
        }
    }

    /// A parsed response, copied out of the buffer.
    struct Parsed {
        var status: Int
        var keepAlive: Bool
        var headers: [(String, String)]
        var rawValues: [[UInt8]]
        var body: String
        var consumed: Int
        var bodyNULTerminated: Bool
    }

    /// Feeds `text` whole or one byte at a time; `eof` then tells the parser the
    /// connection closed. Throws what the parser throws; nil when it still needs more.
    static func parse(
        _ text: [UInt8], bytewise: Bool, isHEAD: Bool = false, maxBody: Int = 1 << 20, eof: Bool = false
    ) throws -> Parsed? {
        var parser = HTTPResponseParser(isHEAD: isHEAD, maxBody: maxBody, bufferCapacity: 256)
        return try parse(text, bytewise: bytewise, eof: eof, into: &parser)
    }

    /// The same with a parser the caller keeps (to test reuse).
    static func parse(_ text: [UInt8], bytewise: Bool, eof: Bool = false, into parser: inout HTTPResponseParser) throws -> Parsed? {
        var consumed: Int?
        let chunk = bytewise ? 1 : max(text.count, 1)
        var offset = 0
        while offset < text.count && consumed == nil {
            let end = min(offset + chunk, text.count)
            let progress = try text[offset..<end].withUnsafeBytes { (piece) throws(OutboundError) in try parser.feed(piece) }
            if case .complete(let used) = progress { consumed = offset + used }
            offset = end
        }
        if consumed == nil && eof {
            try parser.finishAtEOF()
            consumed = text.count
        }
        guard let consumed else { return nil }
        var headers: [(String, String)] = []
        var rawValues: [[UInt8]] = []
        for i in 0..<parser.buffer.fieldCount {
            guard let field = parser.buffer.field(at: i) else { continue }
            headers.append((String(cString: parser.buffer.pointer(field.name)), decode(parser.buffer.bytes(field.value))))
            rawValues.append(Array(parser.buffer.bytes(field.value)))
            #expect(strlenOf(parser.buffer.pointer(field.value)) == field.value.count, "value is NUL-terminated")
        }
        let body = parser.buffer.body
        let terminated = body.baseAddress.map { $0.load(fromByteOffset: body.count, as: UInt8.self) == 0 } ?? false
        return Parsed(
            status: parser.status, keepAlive: parser.keepAlive, headers: headers, rawValues: rawValues, body: decode(body),
            consumed: consumed, bodyNULTerminated: terminated)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

    static func strlenOf(_ text: UnsafePointer<CChar>) -> Int {
        var n = 0
        while text[n] != 0 { n += 1 }
        return n
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Writes a request head with headers given as strings; returns the text written.
    static func write(
        method: String = "GET", url: String = "http://example.com/", headers: [(String, String)] = [],
        bodyLength: Int = 0, trace: String? = nil
    ) throws(OutboundError) -> String {
        let parsed = try OutboundURL.parse(url)
        // Copies that outlive the call, freed at the end.
        var storage: [UnsafeMutableRawBufferPointer] = []
        defer { storage.forEach { $0.deallocate() } }
        func copy(_ text: String) -> UnsafeRawBufferPointer {
            let utf8 = Array(text.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(utf8.count, 1), alignment: 1)
            buffer.copyBytes(from: utf8)
            storage.append(buffer)
            return UnsafeRawBufferPointer(rebasing: buffer[0..<utf8.count])
        }
        let fields = headers.map { OutboundHeader(name: copy($0.0), value: copy($0.1)) }
        let methodBytes = copy(method)
        let traceBytes = trace.map(copy)
        var writer = HTTPRequestWriter(capacity: 64)
        try writer.write(method: methodBytes, url: parsed, headers: fields, bodyLength: bodyLength, traceID: traceBytes)
        return decode(writer.bytes)
    }
}

// MARK: URLs and origins

extension OutboundProtocolTests {
    @Test(arguments: [
        ("http://example.com", Origin.Scheme.http, "example.com", 80, "/", "example.com"),
        ("HTTPS://Example.COM:8443/a/b?x=1#frag", .https, "example.com", 8443, "/a/b?x=1", "example.com:8443"),
        ("https://example.com:443/", .https, "example.com", 443, "/", "example.com"),
        ("http://example.com:443/", .http, "example.com", 443, "/", "example.com:443"),
        ("http://[::1]:8080/p", .http, "::1", 8080, "/p", "[::1]:8080"),
        ("https://[2001:DB8::1]/", .https, "2001:db8::1", 443, "/", "[2001:db8::1]"),
        ("http://h?q=1", .http, "h", 80, "/?q=1", "h"),
        ("http://h#only-fragment", .http, "h", 80, "/", "h"),
        ("http://h/a%20b%2F?x=%7e", .http, "h", 80, "/a%20b%2F?x=%7e", "h"),
        ("http://127.0.0.1:9/x", .http, "127.0.0.1", 9, "/x", "127.0.0.1:9"),
        ("http://a_b.Example-1.com/~u/[x]", .http, "a_b.example-1.com", 80, "/~u/[x]", "a_b.example-1.com"),
        ("http://h:65535", .http, "h", 65535, "/", "h:65535"),
    ])
    func urlAccepted(text: String, scheme: Origin.Scheme, host: String, port: Int, target: String, hostHeader: String) throws {
        let url = try OutboundURL.parse(text)
        #expect(url.origin == Origin(scheme: scheme, host: host, port: UInt16(port)))
        #expect(url.target == target)
        #expect(url.hostHeader == hostHeader)
    }

    @Test(arguments: [
        ("ftp://x", "URL 'ftp://x' has scheme 'ftp'; only http:// and https:// are supported"),
        ("example.com/path", "has no scheme"),
        ("", "has no scheme"),
        ("http:/x", "lacks '//'"),
        ("http://", "has no host"),
        ("http:///path", "has no host"),
        ("http://:80/", "has no host"),
        ("http://user:pass@host/", "credentials must not ride in URLs"),
        ("http://h:0/", "bad port"),
        ("http://h:65536/", "bad port"),
        ("http://h:/", "bad port"),
        ("http://h:8a/", "bad port"),
        ("http://h/a b", "a space at offset 10; percent-encode it"),
        ("http://h/\u{1}", "a control byte"),
        ("http://h/\u{7f}", "a control byte"),
        ("http://h/é", "a non-ASCII byte"),
        ("http://h/%zz", "'%' not followed by two hex digits"),
        ("http://h/%2", "'%' not followed by two hex digits"),
        ("http://[::1/", "bad IPv6 literal"),
        ("http://[fe80::1%25eth0]/", "bad IPv6 literal"),
        ("http://[1.2.3.4]/", "bad IPv6 literal"),
        ("http://[::1]x/", "after the IPv6 literal"),
        ("http://a..b/", "empty label"),
        ("http://a.b./", "empty label"),
        ("http://exa mple.com/", "not a letter, digit"),
        ("http://*.example.com/", "not a letter, digit"),
    ])
    func urlRefused(text: String, fragment: String) {
        let error = Self.failure { () throws(OutboundError) in _ = try OutboundURL.parse(text) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.sent == false)
        #expect(error?.message.contains(fragment) == true, "\(text): \(error?.message ?? "accepted")")
    }

    @Test func messagesHideCredentialsAndQueries() {
        let withUser = Self.failure { () throws(OutboundError) in _ = try OutboundURL.parse("https://alice:s3cret@h/x") }
        #expect(withUser?.message.contains("s3cret") == false)
        #expect(withUser?.message.contains("https://***@h/x") == true, "\(withUser?.message ?? "")")
        let withQuery = Self.failure { () throws(OutboundError) in _ = try OutboundURL.parse("https://h/x?token=abc def") }
        #expect(withQuery?.message.contains("token") == false)
        #expect(withQuery?.message.contains("'https://h/x?…'") == true, "\(withQuery?.message ?? "")")
        #expect(OutboundURL.redacted("https://u:p@h/a?sig=1#f") == "https://***@h/a?…")
        // Without "//" the credentials still never show, in the message or the redaction.
        for text in ["https:alice:s3cret@h/x", "http:/alice:s3cret@h/x", "alice:s3cret@h/x"] {
            let error = Self.failure { () throws(OutboundError) in _ = try OutboundURL.parse(text) }
            #expect(error?.message.contains("s3cret") == false, "\(error?.message ?? "accepted")")
            #expect(error?.message.contains("alice") == false, "\(error?.message ?? "accepted")")
            #expect(OutboundURL.redacted(text).contains("s3cret") == false, "\(OutboundURL.redacted(text))")
        }
        #expect(OutboundURL.redacted("https:alice:s3cret@h/x") == "***@h/x")
        // A password with '?', '#' or '/' in it never shows either.
        for text in ["http://user:pa?ss@h/x", "http://user:pa#ss@h/x", "http://user:s3?cr#et@h"] {
            let error = Self.failure { () throws(OutboundError) in _ = try OutboundURL.parse(text) }
            #expect(error?.message.contains("pa") == false && error?.message.contains("s3") == false, "\(error?.message ?? "accepted")")
            #expect(OutboundURL.redacted(text).hasPrefix("http://***@h"), "\(OutboundURL.redacted(text))")
        }
    }

    @Test func originsParseAndPrint() throws {
        #expect(try Origin.parse("https://Api.Example.com") == Origin(scheme: .https, host: "api.example.com", port: 443))
        #expect(try Origin.parse("http://localhost:8080/") == Origin(scheme: .http, host: "localhost", port: 8080))
        #expect(try Origin.parse("https://[::1]:9443").description == "https://[::1]:9443")
        #expect(Origin(scheme: .http, host: "h", port: 80).description == "http://h:80")
        let error = Self.failure { () throws(OutboundError) in _ = try Origin.parse("https://h/path") }
        #expect(error?.message.contains("has a path or query") == true)
    }
}

// MARK: Allow-list

extension OutboundProtocolTests {
    static let allowList = "https://api.example.com, http://localhost:8080\n\thttps://*.amazonaws.com  https://10.0.0.1:8443/"

    @Test(arguments: [
        ("https", "api.example.com", 443, true),
        ("http", "api.example.com", 80, false),  // scheme mismatch
        ("http", "api.example.com", 443, false),
        ("https", "api.example.com", 8443, false),  // port mismatch
        ("https", "www.example.com", 443, false),
        ("http", "localhost", 8080, true),
        ("http", "localhost", 80, false),
        ("https", "localhost", 8080, false),
        ("https", "s3.amazonaws.com", 443, true),
        ("https", "a.b.amazonaws.com", 443, true),
        ("https", "amazonaws.com", 443, false),  // the apex is not matched by *.
        ("https", "xamazonaws.com", 443, false),
        ("https", "amazonaws.com.evil.example", 443, false),
        ("http", "s3.amazonaws.com", 80, false),
        ("https", "10.0.0.1", 8443, true),
    ])
    func allowListDecides(scheme: String, host: String, port: Int, allowed: Bool) throws {
        let list = try AllowList(parsing: Self.allowList)
        #expect(list.restricts)
        let origin = Origin(scheme: scheme == "http" ? .http : .https, host: host, port: UInt16(port))
        #expect(list.allows(origin) == allowed, "\(origin)")
    }

    @Test(arguments: ["", "   ", " , \n,"])
    func emptyAllowListAllowsEverything(text: String) throws {
        let list = try AllowList(parsing: text)
        #expect(!list.restricts)
        #expect(list.allows(Origin(scheme: .http, host: "anything", port: 1)))
    }

    @Test(arguments: [
        "api.example.com", "https://a.*.com", "https://*", "https://*.", "ftp://x", "https://x/path",
        "https://u:p@x", "https://x:99999",
    ])
    func allowListRefusesBadEntries(entry: String) {
        let error = Self.failure { () throws(OutboundError) in _ = try AllowList(parsing: "https://ok.example " + entry) }
        #expect(error?.code == .invalidRequest)
        let message = error?.message ?? ""
        #expect(message.contains("https://api.example.com"), "shows an example: \(message)")
        if !entry.contains("@") {
            #expect(message.contains("'\(entry)'"), "quotes the entry: \(message)")
        } else {
            #expect(!message.contains("u:p"))
        }
    }
}
