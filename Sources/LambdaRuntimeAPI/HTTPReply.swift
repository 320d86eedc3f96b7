/// A reply from the Runtime API, parsed in place in the connection's receive buffer.
///
/// Only the headers the host uses are kept, as ``Span``s; each value is NUL-terminated in
/// the buffer, so it can be handed to a plugin as a C string without a copy.
public struct HTTPReply {
    /// The status code, e.g. 200.
    public var status: Int
    /// Whether the connection stays open after this reply.
    public var keepAlive: Bool
    /// The Content-Length, when the reply has one.
    public var contentLength: Int?
    /// Whether the body came with `Transfer-Encoding: chunked`.
    public var chunked = false
    /// The body, contiguous and NUL-terminated in the buffer.
    public var body = Span.absent
    /// The body's length as the service sent it (even when it was too large to keep).
    public var bodyLength = 0
    /// The body exceeded the caller's bound; it was read and discarded.
    public var bodyTooLarge = false

    /// `Lambda-Runtime-Aws-Request-Id`.
    public var requestID = Span.absent
    /// `Lambda-Runtime-Deadline-Ms`.
    public var deadline = Span.absent
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var functionARN = Span.absent
    /// `Lambda-Runtime-Trace-Id`.
    public var traceID = Span.absent
    /// `Lambda-Runtime-Client-Context`.
    public var clientContext = Span.absent
    /// `Lambda-Runtime-Cognito-Identity`.
    public var cognitoIdentity = Span.absent
    /// `Lambda-Runtime-Aws-Tenant-Id`.
    public var tenantID = Span.absent
    /// `Lambda-Runtime-Invocation-Id` (sent since 2026; echoed on the answer).
    public var invocationID = Span.absent
    /// `Lambda-Extension-Identifier` (the answer to an extension registration).
    public var extensionID = Span.absent

    /// Parses the head that runs from `start` to `headEnd` (just past the blank line).
    /// Header values are NUL-terminated in place.
    static func parse(
        _ bytes: UnsafeMutablePointer<UInt8>,
        from start: Int,
        headEnd: Int,
        what: String
    ) throws(RuntimeAPIError) -> HTTPReply {
        // Status line: HTTP/1.x NNN reason
        guard headEnd - start >= 16,
            bytes[start] == 72, bytes[start + 1] == 84, bytes[start + 2] == 84, bytes[start + 3] == 80,
            bytes[start + 4] == 47, bytes[start + 5] == 49, bytes[start + 6] == 46,
            bytes[start + 8] == 32,
            let status = Self.threeDigits(bytes + start + 9), bytes[start + 12] == 32 || bytes[start + 12] == 13
        else {
            throw RuntimeAPIError(.malformedReply, "the reply to \(what) does not start with an HTTP/1.x status line")
        }
        var reply = HTTPReply(status: status, keepAlive: bytes[start + 7] == 49)
        var lineStart = start
        // Skip the status line.
        while lineStart < headEnd - 1 && !(bytes[lineStart] == 13 && bytes[lineStart + 1] == 10) { lineStart += 1 }
        lineStart += 2
        let lastLine = headEnd - 2  // the blank line's CR
        while lineStart < lastLine {
            var lineEnd = lineStart
            while !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            var colon = lineStart
            while colon < lineEnd && bytes[colon] != 58 { colon += 1 }
            guard colon < lineEnd, colon > lineStart else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a header line without a name")
            }
            var valueStart = colon + 1
            while valueStart < lineEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
            var valueEnd = lineEnd
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
            let value = Span(start: valueStart, count: valueEnd - valueStart)
            try reply.record(name: bytes + lineStart, length: colon - lineStart, value: value, in: bytes, what: what)
            bytes[valueEnd] = 0
            lineStart = lineEnd + 2
        }
        if reply.chunked { reply.contentLength = nil }
        return reply
    }

    private mutating func record(
        name: UnsafeMutablePointer<UInt8>,
        length: Int,
        value: Span,
        in bytes: UnsafeMutablePointer<UInt8>,
        what: String
    ) throws(RuntimeAPIError) {
        switch length {
        case 10 where Self.matches(name, "connection"):
            if Self.contains(bytes + value.start, value.count, "close") { keepAlive = false }
            if Self.contains(bytes + value.start, value.count, "keep-alive") { keepAlive = true }
        case 14 where Self.matches(name, "content-length"):
            guard let length = Self.decimal(bytes + value.start, value.count) else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a bad Content-Length")
            }
            contentLength = length
        case 17 where Self.matches(name, "transfer-encoding"):
            chunked = Self.contains(bytes + value.start, value.count, "chunked")
        case 23 where Self.matches(name, "lambda-runtime-trace-id"):
            traceID = value
        case 26 where Self.matches(name, "lambda-runtime-deadline-ms"):
            deadline = value
        case 27 where Self.matches(name, "lambda-extension-identifier"):
            extensionID = value
        case 28 where Self.matches(name, "lambda-runtime-aws-tenant-id"):
            tenantID = value
        case 28 where Self.matches(name, "lambda-runtime-invocation-id"):
            invocationID = value
        case 29 where Self.matches(name, "lambda-runtime-aws-request-id"):
            requestID = value
        case 29 where Self.matches(name, "lambda-runtime-client-context"):
            clientContext = value
        case 31 where Self.matches(name, "lambda-runtime-cognito-identity"):
            cognitoIdentity = value
        case 35 where Self.matches(name, "lambda-runtime-invoked-function-arn"):
            functionARN = value
        default:
            break
        }
    }

    /// Case-insensitive comparison of an ASCII header name with a lower-case literal of
    /// the same length.
    static func matches(_ name: UnsafeMutablePointer<UInt8>, _ lower: StaticString) -> Bool {
        let expected = lower.utf8Start
        for i in 0..<lower.utf8CodeUnitCount {
            var c = name[i]
            if c >= 65 && c <= 90 { c += 32 }
            if c != expected[i] { return false }
        }
        return true
    }

    /// Whether `text` contains the lower-case `needle`, ignoring case.
    static func contains(_ text: UnsafeMutablePointer<UInt8>, _ count: Int, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard count >= n else { return false }
        for offset in 0...(count - n) where matches(text + offset, needle) {
            return true
        }
        return false
    }

    /// A non-negative decimal of at most 18 digits, or nil.
    static func decimal(_ text: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int? {
        guard count > 0, count <= 18 else { return nil }
        var value = 0
        for i in 0..<count {
            let c = text[i]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    private static func threeDigits(_ text: UnsafeMutablePointer<UInt8>) -> Int? {
        decimal(text, 3)
    }
}
