import CLambdaSystem
import LambdaRuntimeAPI

/// An HTTP/1.1 response parser: a state machine fed the bytes read from a connection, in
/// pieces of any size, that fills the ``ResponseBuffer`` it owns. It does no I/O. One
/// parser serves one connection slot or invocation: ``reset(isHEAD:maxBody:)`` before
/// each request.
///
/// Accepted: HTTP/1.0 and 1.1 status lines, bare LF line ends (as most clients do),
/// obs-text (0x80-0xFF) and tabs in values, empty values; interim 1xx responses skipped
/// (101 refused: the host never asks to upgrade); Content-Length with leading zeros (equal
/// duplicates too); chunked bodies with extensions and trailers (dropped); bodies read
/// until the connection closes. No body for HEAD, 204 and 304. Refused as
/// `.malformedResponse`: obs-fold, a head over ``maxHeadBytes``, a bad or conflicting
/// Content-Length, a bad or overflowing chunk size. A body over the cap is
/// `.responseTooLarge`. After any error the connection must be closed.
///
/// Cost: the head is copied once into the buffer and parsed in place (one `memchr` per
/// line, no String per header); body bytes are copied once, chunk framing removed on
/// the way; chunk-size lines are read a byte at a time. No allocation once the buffer has
/// grown to the largest response.
public struct HTTPResponseParser: ~Copyable {
    /// Largest head (status line and headers, and the trailers) accepted.
    public static let maxHeadBytes = 64 * 1024
    /// Interim (1xx) responses accepted before the final one.
    public static let maxInterimResponses = 16
    /// Largest chunk-size line (with its extensions).
    static let maxChunkLine = 4096

    /// What a call to ``feed(_:)`` achieved.
    public enum Progress: Equatable {
        /// The response is not complete: read more and feed it.
        case needMore
        /// The response is complete; `consumed` bytes of this feed belonged to it (the
        /// rest, if any, are bytes the server sent beyond the response).
        case complete(consumed: Int)
    }

    enum State {
        case head(lineStart: Int)
        case length(remaining: Int)
        case chunkSize(value: Int, lineBytes: Int, digits: Bool, sawCR: Bool)
        case chunkExtension(lineBytes: Int, sawCR: Bool)
        case chunkData(remaining: Int)
        case chunkDataEnd(sawCR: Bool)
        case trailer(lineBytes: Int)
        case untilClose
        case done
    }

    /// Where the response goes: read it here once ``isComplete``.
    public internal(set) var buffer: ResponseBuffer
    /// The body cap in bytes.
    public internal(set) var maxBody: Int
    var isHEAD: Bool
    var state = State.head(lineStart: 0)
    var interimCount = 0
    private var trailerBytes = 0

    /// The final status code (0 until the head is parsed).
    public internal(set) var status = 0
    /// Whether the connection may carry another request after this response: false for
    /// `Connection: close`, HTTP/1.0 without `Connection: keep-alive`, a body read until
    /// close, and a response with both Transfer-Encoding and Content-Length (RFC 9112
    /// §6.3: such a message may be an attempt at smuggling).
    public internal(set) var keepAlive = true
    /// Whether any byte of a response arrived (a request on a reused connection that
    /// got none may be retried, if it is idempotent).
    public internal(set) var receivedAnyByte = false
    /// The final head's Content-Length, when it had one and it frames the body (nil when
    /// Transfer-Encoding overrides it).
    public internal(set) var contentLength: Int?
    /// Whether the body came chunked.
    public internal(set) var chunked = false
    // Collected while parsing the head.
    var transferEncoding = false
    var closeToken = false
    var keepAliveToken = false
    var minorVersion = 1

    /// Creates a parser for the response to one request. `isHEAD`: the request was HEAD
    /// (no body follows whatever the headers say). `maxBody`: the body cap.
    /// `bufferCapacity`: the response buffer's first size (it grows as needed).
    public init(isHEAD: Bool, maxBody: Int, bufferCapacity: Int = 16 * 1024) {
        buffer = ResponseBuffer(capacity: bufferCapacity)
        self.isHEAD = isHEAD
        self.maxBody = maxBody
    }

    /// Starts over for the next request: the previous response (and every pointer into
    /// it) becomes invalid; the buffer's memory is kept.
    public mutating func reset(isHEAD: Bool, maxBody: Int) {
        buffer.reset()
        self.isHEAD = isHEAD
        self.maxBody = maxBody
        state = .head(lineStart: 0)
        interimCount = 0
        trailerBytes = 0
        chunkSizeValue = 0
        status = 0
        keepAlive = true
        receivedAnyByte = false
        contentLength = nil
        chunked = false
        transferEncoding = false
        closeToken = false
        keepAliveToken = false
        minorVersion = 1
    }

    /// Whether the response is complete.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Feeds the next bytes read from the connection.
    public mutating func feed(_ input: UnsafeRawBufferPointer) throws(OutboundError) -> Progress {
        guard let bytes = input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count > 0 else {
            return isComplete ? .complete(consumed: 0) : .needMore
        }
        receivedAnyByte = true
        let n = input.count
        var i = 0
        while i < n {
            switch state {
            case .head(let lineStart):
                i = try feedHead(bytes, from: i, count: n, lineStart: lineStart)
            case .length(let remaining):
                let take = min(remaining, n - i)
                try buffer.append(bytes + i, take)
                i += take
                state = remaining == take ? .done : .length(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                try buffer.append(bytes + i, take)
                i += take
                state = remaining == take ? .chunkDataEnd(sawCR: false) : .chunkData(remaining: remaining - take)
            case .untilClose:
                let take = n - i
                guard buffer.body.count + take <= maxBody else { throw tooLarge(buffer.body.count + take, known: false) }
                try buffer.append(bytes + i, take)
                i = n
            case .done:
                try buffer.terminateBody()
                return .complete(consumed: i)
            default:
                try chunkFraming(bytes[i])
                i += 1
            }
        }
        if isComplete {
            try buffer.terminateBody()
            return .complete(consumed: i)
        }
        return .needMore
    }

    /// Tells the parser the server closed the connection (a read returned 0). Completes
    /// a body read until close; otherwise throws `.closed`, whose message says whether
    /// the server sent nothing at all (see ``receivedAnyByte``) or stopped mid-response.
    public mutating func finishAtEOF() throws(OutboundError) {
        switch state {
        case .done:
            return
        case .untilClose:
            state = .done
            try buffer.terminateBody()
        case .head:
            throw OutboundError(
                .closed, sent: true,
                receivedAnyByte
                    ? "the server closed the connection in the middle of the response head"
                    : "the server closed the connection without sending any byte of a response")
        case .length(let remaining):
            throw OutboundError(
                .closed, sent: true,
                "the server closed the connection after \(buffer.body.count) of the \(contentLength ?? 0) body bytes its Content-Length announced (\(remaining) missing)")
        default:
            throw OutboundError(.closed, sent: true, "the server closed the connection in the middle of a chunked body")
        }
    }

    /// One byte of chunk framing: a size line, the CRLF after the data, or a trailer.
    private mutating func chunkFraming(_ c: UInt8) throws(OutboundError) {
        switch state {
        case .chunkSize(let value, let lineBytes, let digits, let sawCR):
            guard lineBytes < Self.maxChunkLine else { throw OutboundError.malformed("a chunk-size line is over \(Self.maxChunkLine) bytes") }
            if sawCR && c != 10 { throw OutboundError.malformed("a chunk-size line has a CR without LF") }
            if let digit = Self.hexValue(c), !sawCR {
                guard value <= Int.max >> 4 else { throw OutboundError.malformed("a chunk size overflows 63 bits") }
                state = .chunkSize(value: value << 4 | digit, lineBytes: lineBytes + 1, digits: true, sawCR: false)
                return
            }
            guard digits else { throw OutboundError.malformed("a chunk-size line does not start with a hex digit") }
            switch c {
            case 10: try endChunkSize(value)
            case 13: state = .chunkSize(value: value, lineBytes: lineBytes + 1, digits: true, sawCR: true)
            case 59, 32, 9:
                chunkSizeValue = value
                state = .chunkExtension(lineBytes: lineBytes + 1, sawCR: false)
            default: throw OutboundError.malformed("a chunk size has a byte that is not a hex digit")
            }
        case .chunkExtension(let lineBytes, let sawCR):
            guard lineBytes < Self.maxChunkLine else { throw OutboundError.malformed("a chunk-size line is over \(Self.maxChunkLine) bytes") }
            if c == 10 { return try endChunkSize(chunkSizeValue) }
            guard !sawCR, c >= 32 || c == 9 || c == 13, c != 127 else {
                throw OutboundError.malformed("a chunk extension has a control byte")
            }
            state = .chunkExtension(lineBytes: lineBytes + 1, sawCR: c == 13)
        case .chunkDataEnd(let sawCR):
            if c == 13 && !sawCR {
                state = .chunkDataEnd(sawCR: true)
            } else if c == 10 {
                state = .chunkSize(value: 0, lineBytes: 0, digits: false, sawCR: false)
            } else {
                throw OutboundError.malformed("a chunk's data is not followed by CRLF (its size is wrong)")
            }
        case .trailer(let lineBytes):
            trailerBytes += 1
            guard trailerBytes <= Self.maxHeadBytes else { throw OutboundError.malformed("the trailers are over \(Self.maxHeadBytes) bytes") }
            if c == 10 {
                state = lineBytes == 0 ? .done : .trailer(lineBytes: 0)
            } else if c != 13 {
                state = .trailer(lineBytes: lineBytes + 1)
            }
        default:
            break
        }
    }

    /// Size of the chunk whose extensions are being skipped.
    private var chunkSizeValue = 0

    private mutating func endChunkSize(_ size: Int) throws(OutboundError) {
        if size == 0 {
            state = .trailer(lineBytes: 0)
            return
        }
        // A size near 2^63 after some body would overflow the sum and trap.
        let (total, overflow) = buffer.body.count.addingReportingOverflow(size)
        guard !overflow, total <= maxBody else { throw tooLarge(overflow ? Int.max : total, known: false) }
        state = .chunkData(remaining: size)
    }

    func tooLarge(_ size: Int, known: Bool) -> OutboundError {
        OutboundError(
            .responseTooLarge, sent: true,
            known
                ? "the response body is \(size) bytes, over the cap of \(maxBody) bytes"
                : "the response body is over the cap of \(maxBody) bytes (\(size) bytes so far)")
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c) - 48
        case 97...102: return Int(c) - 87
        case 65...70: return Int(c) - 55
        default: return nil
        }
    }
}
