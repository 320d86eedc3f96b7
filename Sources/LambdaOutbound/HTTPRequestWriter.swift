import LambdaRuntimeAPI

/// One header a plugin asks to send, as bytes it owns (valid for the call).
public struct OutboundHeader {
    /// The field name (a token).
    public var name: UnsafeRawBufferPointer
    /// The field value (no CR, LF or NUL).
    public var value: UnsafeRawBufferPointer

    /// Creates a header from two byte ranges.
    public init(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        self.name = name
        self.value = value
    }
}

/// Checks a request and writes its head (request line and headers) into a reusable
/// malloc'd buffer; the body is sent after it as it is.
///
/// The host frames the message, so a plugin's `Host`, `Content-Length`,
/// `Transfer-Encoding`, `Connection`, `TE`, `Upgrade`, `Keep-Alive`, `Trailer` and
/// `Expect` are refused: the URL alone chooses the destination and the body's length is
/// the one given. Written:
///
///     METHOD target HTTP/1.1\r\n
///     Host: <url.hostHeader>\r\n
///     <plugin headers, in order>\r\n
///     User-Agent: lambda-host\r\n          (only when the plugin sent none)
///     X-Amzn-Trace-Id: <trace>\r\n          (when given, unless the plugin sent one)
///     Content-Length: <n>\r\n               (a body, or POST/PUT/PATCH)
///     \r\n
///
/// Cost: one pass over each header's bytes to check and copy it; no allocation once the
/// buffer has grown to the largest head written.
public struct HTTPRequestWriter: ~Copyable {
    private var out: ByteWriter

    /// Creates a writer whose buffer starts with room for `capacity` bytes.
    public init(capacity: Int = 1024) {
        out = ByteWriter(capacity: capacity)
    }

    /// The head last written.
    public var bytes: UnsafeRawBufferPointer { out.bytes }

    /// Checks the request and writes its head, replacing what was written before.
    /// `bodyLength` 0 with a method other than POST, PUT or PATCH writes no
    /// Content-Length. `traceID` nil writes no trace header (the plugin opted out).
    /// `hostHeaders` (the signature's, a credentials token) follow the plugin's headers
    /// unchecked: the host makes them from checked values.
    /// Throws `.invalidRequest` (nothing sent) naming the faulty part.
    public mutating func write<Headers: Sequence<OutboundHeader>>(
        method: UnsafeRawBufferPointer,
        url: OutboundURL,
        headers: Headers,
        bodyLength: Int,
        traceID: UnsafeRawBufferPointer?,
        hostHeaders: [(name: String, value: String)] = []
    ) throws(OutboundError) {
        out.reset()
        guard method.count > 0, method.count <= 64, method.allSatisfy(HTTPText.isTokenByte) else {
            throw OutboundError.invalid(
                "the method '\(Self.text(method))' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~), e.g. GET or POST")
        }
        if Self.equals(method, "CONNECT") {
            throw OutboundError.invalid("the method CONNECT is not supported: the host opens its own connections")
        }
        guard bodyLength >= 0 else { throw OutboundError.invalid("the body length \(bodyLength) is negative") }
        out.append(method)
        out.append(32)
        out.append(url.target)
        out.append(" HTTP/1.1\r\nHost: ")
        out.append(url.hostHeader)
        out.append("\r\n")
        var sawUserAgent = false
        var sawTrace = false
        for header in headers {
            try Self.check(header)
            let name = header.name
            switch name.count {
            case 10 where Self.matches(name, "user-agent"): sawUserAgent = true
            case 15 where Self.matches(name, "x-amzn-trace-id"): sawTrace = true
            default: break
            }
            out.append(name)
            out.append(": ")
            out.append(header.value)
            out.append("\r\n")
        }
        for header in hostHeaders {
            out.append(header.name)
            out.append(": ")
            out.append(header.value)
            out.append("\r\n")
        }
        if !sawUserAgent { out.append("User-Agent: lambda-host\r\n") }
        if let traceID, !sawTrace {
            guard Self.isValidValue(traceID) else {
                throw OutboundError.invalid("the trace id has a CR, LF or NUL byte")
            }
            out.append("X-Amzn-Trace-Id: ")
            out.append(traceID)
            out.append("\r\n")
        }
        if bodyLength > 0 || Self.equals(method, "POST") || Self.equals(method, "PUT") || Self.equals(method, "PATCH") {
            out.append("Content-Length: ")
            out.append(decimal: bodyLength)
            out.append("\r\n")
        }
        out.append("\r\n")
    }

    private static func check(_ header: OutboundHeader) throws(OutboundError) {
        let name = header.name
        guard name.count > 0, name.allSatisfy(HTTPText.isTokenByte) else {
            throw OutboundError.invalid(
                "the header name '\(text(name))' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~; no spaces or ':')")
        }
        let refused: Bool
        switch name.count {
        case 2: refused = matches(name, "te")
        case 4: refused = matches(name, "host")
        case 6: refused = matches(name, "expect")
        case 7: refused = matches(name, "upgrade") || matches(name, "trailer")
        case 10: refused = matches(name, "connection") || matches(name, "keep-alive")
        case 14: refused = matches(name, "content-length")
        case 17: refused = matches(name, "transfer-encoding")
        default: refused = false
        }
        if refused {
            throw OutboundError.invalid(
                "the header '\(text(name))' is set by the host, which frames the request (the URL chooses the host, the body its length); remove it")
        }
        guard isValidValue(header.value) else {
            throw OutboundError.invalid("the value of header '\(text(name))' has a CR, LF or NUL byte; remove it (a value is one line)")
        }
    }

    private static func isValidValue(_ value: UnsafeRawBufferPointer) -> Bool {
        !value.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return HTTPText.matches(base.assumingMemoryBound(to: UInt8.self), lower)
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.elementsEqual(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// At most 64 bytes of a name for a message, escaped.
    private static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        Origin.escaped(UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self).prefix(64)))
    }
}
