import CLambdaSystem
import LambdaRuntimeAPI

extension HTTPResponseParser {
    /// Copies head bytes into the buffer a line at a time until the blank line, then
    /// parses the head and chooses how the body is framed. Returns the offset in `bytes`
    /// after what it consumed.
    mutating func feedHead(
        _ bytes: UnsafePointer<UInt8>, from: Int, count n: Int, lineStart: Int
    ) throws(OutboundError) -> Int {
        var i = from
        var lineStart = lineStart
        while i < n {
            guard let found = memchr(bytes + i, 10, n - i) else {
                try appendHead(bytes + i, n - i)
                state = .head(lineStart: lineStart)
                return n
            }
            let lf = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - bytes
            try appendHead(bytes + i, lf + 1 - i)
            i = lf + 1
            let end = buffer.count - 1  // the LF in the buffer
            let empty = end == lineStart || (end == lineStart + 1 && buffer.base[lineStart] == 13)
            lineStart = end + 1
            if empty {
                if end == 0 || (end == 1 && buffer.base[0] == 13) {
                    // Blank lines before a status line are tolerated (RFC 9112 §2.2).
                    buffer.discardHead()
                    lineStart = 0
                    continue
                }
                try parseHead()
                if status < 200 {
                    interimCount += 1
                    guard interimCount <= Self.maxInterimResponses else {
                        throw OutboundError.malformed("more than \(Self.maxInterimResponses) interim (1xx) responses")
                    }
                    buffer.discardHead()
                    lineStart = 0
                    continue
                }
                try startBody()
                return i
            }
        }
        state = .head(lineStart: lineStart)
        return i
    }

    private mutating func appendHead(_ source: UnsafePointer<UInt8>, _ size: Int) throws(OutboundError) {
        guard buffer.count + size <= Self.maxHeadBytes else {
            throw OutboundError.malformed("the response head is over \(Self.maxHeadBytes) bytes")
        }
        try buffer.append(source, size)
    }

    /// Parses the head now in the buffer (0 ..< buffer.count, ending with a blank line)
    /// in place: names and values are NUL-terminated and recorded as fields.
    private mutating func parseHead() throws(OutboundError) {
        let base = buffer.base
        let headEnd = buffer.count
        transferEncoding = false
        closeToken = false
        keepAliveToken = false
        contentLength = nil
        chunked = false
        var lineEnd = Self.lineEnd(base, from: 0, to: headEnd)
        var contentEnd = lineEnd > 0 && base[lineEnd - 1] == 13 ? lineEnd - 1 : lineEnd
        try parseStatusLine(base, contentEnd)
        var lineStart = lineEnd + 1
        while true {
            lineEnd = Self.lineEnd(base, from: lineStart, to: headEnd)
            contentEnd = lineEnd > lineStart && base[lineEnd - 1] == 13 ? lineEnd - 1 : lineEnd
            if contentEnd == lineStart { break }
            if base[lineStart] == 32 || base[lineStart] == 9 {
                throw OutboundError.malformed("a header line starts with whitespace (obs-fold, which HTTP/1.1 deprecates)")
            }
            guard let (colon, value) = HTTPText.field(base, lineStart: lineStart, lineEnd: contentEnd) else {
                throw OutboundError.malformed("a header line has no name or no ':'")
            }
            for j in lineStart..<colon where !HTTPText.isTokenByte(base[j]) {
                throw OutboundError.malformed("a header name has a byte that is not allowed in a token (a space before ':'?)")
            }
            let valueEnd = value.start + value.count
            for j in value.start..<valueEnd {
                let c = base[j]
                guard c >= 32 || c == 9, c != 127 else {
                    throw OutboundError.malformed("a header value has a control byte (NUL, a bare CR, ...)")
                }
            }
            try record(name: base + lineStart, length: colon - lineStart, value: value)
            base[colon] = 0
            base[valueEnd] = 0
            try buffer.addField(name: Span(start: lineStart, count: colon - lineStart), value: value)
            lineStart = lineEnd + 1
        }
    }

    /// The offset of the LF that ends the line starting at `from` (there always is one:
    /// the head ends with a blank line).
    private static func lineEnd(_ base: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let found = memchr(base + from, 10, to - from) else { return to - 1 }
        return UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - UnsafePointer(base)
    }

    /// `HTTP/1.x SSS reason`, the reason optional.
    private mutating func parseStatusLine(_ base: UnsafeMutablePointer<UInt8>, _ end: Int) throws(OutboundError) {
        guard end >= 12, HTTPText.matches(base, "http/1."), base[7] == 48 || base[7] == 49, base[8] == 32,
            let code = HTTPText.decimal(base + 9, 3), code >= 100, end == 12 || base[12] == 32
        else {
            throw OutboundError.malformed("it does not start with an HTTP/1.0 or HTTP/1.1 status line")
        }
        for j in 12..<end where base[j] < 32 && base[j] != 9 || base[j] == 127 {
            throw OutboundError.malformed("the status line has a control byte")
        }
        if code == 101 {
            throw OutboundError.malformed("101 Switching Protocols, but the host never asks to upgrade")
        }
        status = code
        minorVersion = Int(base[7] - 48)
    }

    /// Notes the headers that frame the body or decide keep-alive.
    private mutating func record(name: UnsafeMutablePointer<UInt8>, length: Int, value: Span) throws(OutboundError) {
        let v = buffer.base + value.start
        switch length {
        case 10 where HTTPText.matches(name, "connection"):
            Self.forEachElement(v, value.count) { start, count in
                if count == 5 && HTTPText.matches(start, "close") { closeToken = true }
                if count == 10 && HTTPText.matches(start, "keep-alive") { keepAliveToken = true }
            }
        case 14 where HTTPText.matches(name, "content-length"):
            var ok = value.count > 0
            Self.forEachElement(v, value.count) { start, count in
                var digits = start
                var left = count
                while left > 1 && digits[0] == 48 { digits += 1; left -= 1 }  // leading zeros
                guard let length = HTTPText.decimal(digits, left), contentLength == nil || contentLength == length else {
                    ok = false
                    return
                }
                contentLength = length
            }
            guard ok else {
                throw OutboundError.malformed("a Content-Length is not a decimal number, or differs from another one")
            }
        case 17 where HTTPText.matches(name, "transfer-encoding"):
            transferEncoding = true
            var last = false
            Self.forEachElement(v, value.count) { start, count in
                last = count == 7 && HTTPText.matches(start, "chunked")
            }
            chunked = last
        default:
            break
        }
    }

    /// Calls `body` with each comma-separated element, spaces and tabs trimmed, empty
    /// elements skipped.
    private static func forEachElement(
        _ text: UnsafeMutablePointer<UInt8>, _ count: Int, _ body: (UnsafeMutablePointer<UInt8>, Int) -> Void
    ) {
        var i = 0
        while i < count {
            var start = i
            while i < count && text[i] != 44 { i += 1 }
            var end = i
            while start < end && (text[start] == 32 || text[start] == 9) { start += 1 }
            while end > start && (text[end - 1] == 32 || text[end - 1] == 9) { end -= 1 }
            if end > start { body(text + start, end - start) }
            i += 1
        }
    }

    /// Chooses the body's framing (RFC 9112 §6.3) and keep-alive.
    private mutating func startBody() throws(OutboundError) {
        buffer.beginBody()
        keepAlive = minorVersion == 1 ? !closeToken : keepAliveToken && !closeToken
        if transferEncoding && contentLength != nil { keepAlive = false }
        if isHEAD || status == 204 || status == 304 {
            state = .done
        } else if chunked {
            contentLength = nil
            state = .chunkSize(value: 0, lineBytes: 0, digits: false, sawCR: false)
        } else if transferEncoding {
            // A coding other than chunked last: the body runs until the server closes, and
            // a Content-Length beside it frames nothing (RFC 9112 §6.3).
            contentLength = nil
            keepAlive = false
            state = .untilClose
        } else if let length = contentLength {
            guard length <= maxBody else { throw tooLarge(length, known: true) }
            try buffer.reserve(buffer.count + length + 1)
            state = length == 0 ? .done : .length(remaining: length)
        } else {
            keepAlive = false
            state = .untilClose
        }
    }
}
