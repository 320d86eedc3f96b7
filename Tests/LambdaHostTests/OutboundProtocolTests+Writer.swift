import Testing

@testable import LambdaOutbound

// MARK: Request writer

extension OutboundProtocolTests {
    @Test func writesGetHeadByteForByte() throws {
        let head = try Self.write(
            url: "http://Example.com:8080/p?q=1#f", headers: [("X-A", "1"), ("Accept", "*/*")], trace: "Root=1-abc;Sampled=1")
        #expect(
            head
                == "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-A: 1\r\nAccept: */*\r\n"
                + "User-Agent: lambda-host\r\nX-Amzn-Trace-Id: Root=1-abc;Sampled=1\r\n\r\n")
    }

    @Test func writesContentLengthForBodiesAndPostPutPatch() throws {
        #expect(
            try Self.write(method: "POST", url: "https://h/") == "POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: lambda-host\r\nContent-Length: 0\r\n\r\n")
        #expect(try Self.write(method: "PUT", bodyLength: 5).hasSuffix("\r\nContent-Length: 5\r\n\r\n"))
        #expect(try Self.write(method: "PATCH").hasSuffix("\r\nContent-Length: 0\r\n\r\n"))
        #expect(try Self.write(method: "GET", bodyLength: 3).hasSuffix("\r\nContent-Length: 3\r\n\r\n"))
        #expect(!(try Self.write(method: "GET")).contains("Content-Length"))
        #expect(!(try Self.write(method: "DELETE")).contains("Content-Length"))
        #expect(!(try Self.write(method: "post")).contains("Content-Length"), "methods are case-sensitive")
    }

    @Test func pluginUserAgentAndTraceReplaceTheHostsOwn() throws {
        let head = try Self.write(
            url: "http://[::1]/", headers: [("user-agent", "mine/1"), ("X-AMZN-TRACE-ID", "Root=plugin")], trace: "Root=host")
        #expect(head == "GET / HTTP/1.1\r\nHost: [::1]\r\nuser-agent: mine/1\r\nX-AMZN-TRACE-ID: Root=plugin\r\n\r\n")
        #expect(!(try Self.write(trace: nil)).contains("X-Amzn-Trace-Id"), "no trace value: no header (opt-out)")
    }

    @Test func writerReusesItsBuffer() throws {
        let url = try OutboundURL.parse("http://h/long/path/to/grow/the/buffer/beyond/sixty/four/bytes/of/capacity")
        var writer = HTTPRequestWriter(capacity: 64)
        let none: [OutboundHeader] = []
        let get: StaticString = "GET"
        let method = UnsafeRawBufferPointer(start: get.utf8Start, count: get.utf8CodeUnitCount)
        try writer.write(method: method, url: url, headers: none, bodyLength: 0, traceID: nil)
        let first = Self.decode(writer.bytes)
        let short = try OutboundURL.parse("http://h/")
        try writer.write(method: method, url: short, headers: none, bodyLength: 0, traceID: nil)
        #expect(first.hasPrefix("GET /long/path"))
        #expect(Self.decode(writer.bytes) == "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: lambda-host\r\n\r\n")
    }

    @Test(arguments: [
        "Host", "host", "Content-Length", "CONTENT-LENGTH", "Transfer-Encoding", "Connection", "TE", "te", "Upgrade",
        "Keep-Alive", "Trailer", "Expect",
    ])
    func refusesFramingHeaders(name: String) {
        let error = Self.failure { () throws(OutboundError) in _ = try Self.write(headers: [(name, "x")]) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.sent == false)
        #expect(error?.message.contains("'\(name)' is set by the host") == true, "\(error?.message ?? "accepted")")
    }

    @Test(arguments: [
        ("X-A", "a\r\nInjected: 1", "CR, LF or NUL"),
        ("X-A", "a\nb", "CR, LF or NUL"),
        ("X-A", "a\u{0}b", "CR, LF or NUL"),
        ("X A", "v", "not an HTTP token"),
        ("X-A:", "v", "not an HTTP token"),
        ("", "v", "not an HTTP token"),
        ("Caf\u{e9}", "v", "not an HTTP token"),
    ])
    func refusesBadHeaders(name: String, value: String, fragment: String) {
        let error = Self.failure { () throws(OutboundError) in _ = try Self.write(headers: [(name, value)]) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "accepted")")
        #expect(error?.message.contains("Injected") == false, "values never appear in messages")
    }

    @Test(arguments: [("GE T", "not an HTTP token"), ("", "not an HTTP token"), ("GET\r\n", "not an HTTP token"),
                      ("CONNECT", "CONNECT is not supported")])
    func refusesBadMethods(method: String, fragment: String) {
        let error = Self.failure { () throws(OutboundError) in _ = try Self.write(method: method) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "accepted")")
    }

    @Test func refusesNegativeLengthsAndBadTraceValues() {
        #expect(Self.failure { () throws(OutboundError) in _ = try Self.write(bodyLength: -1) }?.code == .invalidRequest)
        let trace = Self.failure { () throws(OutboundError) in _ = try Self.write(trace: "Root=1\r\nX: y") }
        #expect(trace?.code == .invalidRequest)
        #expect(trace?.message.contains("trace id") == true)
    }
}
