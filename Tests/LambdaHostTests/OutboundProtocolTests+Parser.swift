import Testing

@testable import LambdaOutbound

// MARK: Response parser (every case whole and one byte at a time)

extension OutboundProtocolTests {
    static let splits = [false, true]

    @Test(arguments: splits)
    func contentLengthBody(bytewise: Bool) throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.status == 200)
        #expect(parsed.keepAlive)
        #expect(parsed.body == "hello")
        #expect(parsed.bodyNULTerminated)
        #expect(parsed.consumed == text.utf8.count)
        #expect(parsed.headers.map(\.0) == ["Content-Type", "Content-Length"])
        #expect(parsed.headers.map(\.1) == ["text/plain", "5"])
    }

    @Test(arguments: splits)
    func bytesAfterTheResponseAreNotConsumed(bytewise: Bool) throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.body == "ok")
        #expect(parsed.consumed == text.utf8.count - "HTTP/1.1 200".utf8.count)
    }

    @Test(arguments: splits)
    func chunkedBody(bytewise: Bool) throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;x\r\nhello\r\n6 \r\n world\r\n000\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.body == "hello world")
        #expect(parsed.bodyNULTerminated)
        #expect(parsed.keepAlive)
        #expect(parsed.consumed == text.utf8.count)
        #expect(parsed.headers.count == 1, "trailers are dropped")
    }

    @Test(arguments: splits)
    func chunkedWinsOverContentLengthAndEndsReuse(bytewise: Bool) throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.body == "0123456789")
        #expect(!parsed.keepAlive)
    }

    @Test(arguments: splits)
    func bareLFLineEnds(bytewise: Bool) throws {
        let text = "HTTP/1.1 200 OK\nContent-Length: 2\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.body == "ok")
    }

    @Test(arguments: splits)
    func readUntilClose(bytewise: Bool) throws {
        let text = Self.bytes("HTTP/1.1 200 OK\r\nX-A: b\r\n\r\nabc")
        #expect(try Self.parse(text, bytewise: bytewise) == nil, "needs more until EOF")
        let parsed = try #require(try Self.parse(text, bytewise: bytewise, eof: true))
        #expect(parsed.body == "abc")
        #expect(parsed.bodyNULTerminated)
        #expect(!parsed.keepAlive)
        let other = try #require(try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz"), bytewise: bytewise, eof: true))
        #expect(other.body == "zz")
        #expect(!other.keepAlive)
    }

    @Test(arguments: splits)
    func noBodyForHEAD204And304(bytewise: Bool) throws {
        let head = try #require(try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"), bytewise: bytewise, isHEAD: true))
        #expect(head.body == "")
        #expect(head.keepAlive)
        #expect(head.headers.first?.1 == "100")
        let noContent = try #require(try Self.parse(Self.bytes("HTTP/1.1 204 No Content\r\n\r\nHTTP"), bytewise: bytewise))
        #expect(noContent.status == 204)
        #expect(noContent.consumed == 27)
        #expect(noContent.keepAlive)
        let notModified = try #require(
            try Self.parse(Self.bytes("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n"), bytewise: bytewise))
        #expect(notModified.status == 304)
        #expect(notModified.body == "")
    }

    @Test(arguments: splits)
    func interimResponsesAreSkipped(bytewise: Bool) throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
        #expect(parsed.status == 200)
        #expect(parsed.headers.map(\.0) == ["Content-Length"])
        #expect(parsed.body == "ok")
        let upgrade = Self.failure { _ = try Self.parse(Self.bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n"), bytewise: bytewise) }
        #expect(upgrade?.code == .malformedResponse)
        let many = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 17)
        #expect(Self.failure { _ = try Self.parse(Self.bytes(many), bytewise: bytewise) }?.code == .malformedResponse)
    }

    @Test(arguments: splits)
    func oddButLegalHeaderBytes(bytewise: Bool) throws {
        var text: [UInt8] = Self.bytes("\r\nHTTP/1.1 200\r\nX-Obs: caf")
        text += [0xE9, 0x20, 0xFF, 0x80]
        text += Self.bytes(" \r\nX-Tab:\tva\tl\t\r\nX-Empty:\r\nX-Empty2:  \r\n!#$%&'*+-.^_`|~: token\r\n")
        for i in 0..<300 { text += Self.bytes("X-N-\(i): \(i)\r\n") }
        text += Self.bytes("Content-Length: 0007\r\n\r\nseven!!")
        let parsed = try #require(try Self.parse(text, bytewise: bytewise))
        #expect(parsed.status == 200)
        #expect(parsed.body == "seven!!")
        #expect(parsed.headers.count == 306)
        #expect(parsed.rawValues[0] == [0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF, 0x80], "obs-text kept as it is")
        #expect(parsed.headers[1].1 == "va\tl")
        #expect(parsed.headers[2].1 == "")
        #expect(parsed.headers[3].1 == "")
        #expect(parsed.headers[4].0 == "!#$%&'*+-.^_`|~")
        #expect(parsed.headers[305].1 == "0007")
    }

    @Test(arguments: splits)
    func contentLengthForms(bytewise: Bool) throws {
        for good in ["Content-Length: 2\r\nContent-Length: 2", "Content-Length: 2, 2", "content-length: 002"] {
            let parsed = try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\n\(good)\r\n\r\nok"), bytewise: bytewise)
            #expect(parsed?.body == "ok", "\(good)")
        }
        for bad in ["Content-Length: 2\r\nContent-Length: 3", "Content-Length: 2, 3", "Content-Length: -1", "Content-Length: +2",
                    "Content-Length: 1 2", "Content-Length: x", "Content-Length:", "Content-Length: 99999999999999999999"] {
            let error = Self.failure { _ = try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\n\(bad)\r\n\r\nok"), bytewise: bytewise) }
            #expect(error?.code == .malformedResponse, "\(bad)")
            #expect(error?.sent == true)
        }
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",  // obs-fold
        "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",  // space before the colon
        "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\rX",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",  // overflow
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\n",  // just over Int.max
    ])
    func malformedResponses(text: String) {
        for bytewise in Self.splits {
            let error = Self.failure { _ = try Self.parse(Self.bytes(text), bytewise: bytewise) }
            #expect(error?.code == .malformedResponse, "\(text.debugDescription) bytewise \(bytewise): \(error?.message ?? "accepted")")
        }
    }

    @Test func chunkSizeJustUnderOverflowIsACapMatter() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n"
        let error = Self.failure { _ = try Self.parse(Self.bytes(text), bytewise: false) }
        #expect(error?.code == .responseTooLarge)
    }

    @Test(arguments: splits)
    func headOverTheCap(bytewise: Bool) {
        let text = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"
        let error = Self.failure { _ = try Self.parse(Self.bytes(text), bytewise: bytewise) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("65536") == true)
        let trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"
        #expect(Self.failure { _ = try Self.parse(Self.bytes(trailers), bytewise: bytewise) }?.code == .malformedResponse)
    }

    @Test(arguments: splits)
    func bodyOverTheCap(bytewise: Bool) throws {
        let cases = [
            "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\nhello world",
        ]
        for text in cases {
            let error = Self.failure { _ = try Self.parse(Self.bytes(text), bytewise: bytewise, maxBody: 10, eof: true) }
            #expect(error?.code == .responseTooLarge, "\(text.debugDescription)")
            #expect(error?.message.contains("cap of 10 bytes") == true, "\(error?.message ?? "accepted")")
            #expect(try Self.parse(Self.bytes(text), bytewise: bytewise, maxBody: 11, eof: true)?.body == "hello world")
        }
    }

    @Test func endOfFileBeforeAnyByteDiffersFromMidResponse() {
        var parser = HTTPResponseParser(isHEAD: false, maxBody: 100)
        let silent = Self.failure { () throws(OutboundError) in try parser.finishAtEOF() }
        #expect(silent?.code == .closed)
        let receivedBeforeEOF = parser.receivedAnyByte
        #expect(!receivedBeforeEOF)
        #expect(silent?.message.contains("without sending any byte") == true)

        let cases = [
            ("HTTP/1.1 2", "in the middle of the response head"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "after 3 of the 10 body bytes"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "in the middle of a chunked body"),
        ]
        for (text, fragment) in cases {
            for bytewise in Self.splits {
                let error = Self.failure { _ = try Self.parse(Self.bytes(text), bytewise: bytewise, eof: true) }
                #expect(error?.code == .closed)
                #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "accepted")")
            }
        }
        var started = HTTPResponseParser(isHEAD: false, maxBody: 100)
        _ = try? Self.bytes("H").withUnsafeBytes { (piece) throws(OutboundError) in try started.feed(piece) }
        let received = started.receivedAnyByte
        #expect(received)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false),
        ("HTTP/1.1 204 No Content\r\n\r\n", true),
    ])
    func keepAliveDecisions(text: String, keepAlive: Bool) throws {
        for bytewise in Self.splits {
            let parsed = try #require(try Self.parse(Self.bytes(text), bytewise: bytewise))
            #expect(parsed.keepAlive == keepAlive, "\(text.debugDescription)")
        }
    }

    @Test func parserAndBufferAreReusedAcrossResponses() throws {
        var parser = HTTPResponseParser(isHEAD: false, maxBody: 1 << 20, bufferCapacity: 256)
        let big = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000)
        #expect(try Self.parse(Self.bytes(big), bytewise: false, into: &parser)?.body.count == 5000)
        #expect(try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\n\r\n"), bytewise: false, into: &parser)?.body.count == 5000,
                "a complete parser takes nothing more until reset")
        parser.reset(isHEAD: true, maxBody: 1 << 20)
        let head = try #require(try Self.parse(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"), bytewise: true, into: &parser))
        #expect(head.body == "")
        parser.reset(isHEAD: false, maxBody: 1 << 20)
        let small = try #require(
            try Self.parse(Self.bytes("HTTP/1.1 404 Not Found\r\nX-A: b\r\nContent-Length: 2\r\n\r\nno"), bytewise: false, into: &parser))
        #expect(small.status == 404)
        #expect(small.body == "no")
        #expect(small.headers.count == 2)
        #expect(parser.buffer.firstValue(named: "x-a").map(Self.decode) == "b")
        #expect(parser.buffer.field(at: 2) == nil)
    }
}
