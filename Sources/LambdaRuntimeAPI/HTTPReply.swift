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
            guard let (colon, value) = HTTPText.field(bytes, lineStart: lineStart, lineEnd: lineEnd) else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a header line without a name")
            }
            let valueEnd = value.start + value.count
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
        case 10 where HTTPText.matches(name, "connection"):
            if HTTPText.contains(bytes + value.start, value.count, "close") { keepAlive = false }
            if HTTPText.contains(bytes + value.start, value.count, "keep-alive") { keepAlive = true }
        case 14 where HTTPText.matches(name, "content-length"):
            guard let length = Self.decimal(bytes + value.start, value.count) else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a bad Content-Length")
            }
            contentLength = length
        case 17 where HTTPText.matches(name, "transfer-encoding"):
            chunked = HTTPText.contains(bytes + value.start, value.count, "chunked")
        case 23 where HTTPText.matches(name, "lambda-runtime-trace-id"):
            traceID = value
        case 26 where HTTPText.matches(name, "lambda-runtime-deadline-ms"):
            deadline = value
        case 27 where HTTPText.matches(name, "lambda-extension-identifier"):
            extensionID = value
        case 28 where HTTPText.matches(name, "lambda-runtime-aws-tenant-id"):
            tenantID = value
        case 28 where HTTPText.matches(name, "lambda-runtime-invocation-id"):
            invocationID = value
        case 29 where HTTPText.matches(name, "lambda-runtime-aws-request-id"):
            requestID = value
        case 29 where HTTPText.matches(name, "lambda-runtime-client-context"):
            clientContext = value
        case 31 where HTTPText.matches(name, "lambda-runtime-cognito-identity"):
            cognitoIdentity = value
        case 35 where HTTPText.matches(name, "lambda-runtime-invoked-function-arn"):
            functionARN = value
        default:
            break
        }
    }

    /// A non-negative decimal of at most 18 digits, or nil (see ``HTTPText/decimal(_:_:)``).
    static func decimal(_ text: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int? {
        HTTPText.decimal(text, count)
    }

    private static func threeDigits(_ text: UnsafeMutablePointer<UInt8>) -> Int? {
        decimal(text, 3)
    }
}
