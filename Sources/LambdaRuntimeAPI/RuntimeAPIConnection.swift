import CLambdaSystem

/// One blocking, keep-alive HTTP/1.1 connection to the Runtime API, with a receive buffer
/// that is reused for every reply.
///
/// Cost: no allocation per reply once the buffer has grown to the largest event seen;
/// one `sendmsg` per request and as few `read`s as the kernel allows. Replies are parsed
/// in place: header values and the body are NUL-terminated inside the buffer and stay
/// valid until the next call to ``readReply(maxBody:)``.
public final class RuntimeAPIConnection {
    /// Largest reply head (status line and headers) accepted.
    public static let maxHeadBytes = 64 * 1024

    /// The Runtime API's host name or address, and its port.
    public let host: String
    public let port: UInt16
    private var fd: Int32 = -1
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// First byte not yet handed out (a reply starts here).
    private var start = 0
    /// One past the last byte received.
    private var end = 0
    /// Where the reply last handed out ended in the raw stream.
    private var consumedEnd = 0
    private var keepAlive = true
    /// The body of the reply last read.
    private var lastBody = Span.absent

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
        capacity = 64 * 1024
        // A failed malloc of 64 KiB at start-up leaves nothing to recover; the trap is the
        // clearest outcome and input cannot reach it.
        guard let raw = malloc(capacity) else { fatalError("lambda-host: out of memory") }
        buffer = raw.bindMemory(to: UInt8.self, capacity: capacity)
    }

    /// A connection that reads an open descriptor (one end of a socketpair, for the
    /// fuzzer) and never reconnects; it closes the descriptor when done.
    convenience init(descriptor: Int32) {
        self.init(host: "", port: 0)
        fd = descriptor
    }

    deinit {
        if fd >= 0 { close(fd) }
        free(buffer)
    }

    /// The connected socket, or -1 (for the crash guard, which ends a stream on it).
    public var socket: Int32 { fd }

    /// The address of byte `offset` of the receive buffer.
    public func pointer(at offset: Int) -> UnsafeMutablePointer<UInt8> { buffer + offset }

    /// A present span as a NUL-terminated C string inside the buffer.
    public func cString(_ span: Span) -> UnsafePointer<CChar>? {
        guard span.isPresent else { return nil }
        return UnsafeRawPointer(buffer + span.start).assumingMemoryBound(to: CChar.self)
    }

    /// A span's bytes as a Swift string (allocates; for errors and logs).
    public func string(_ span: Span) -> String {
        guard span.isPresent else { return "" }
        return String(decoding: UnsafeBufferPointer(start: buffer + span.start, count: span.count), as: UTF8.self)
    }

    /// The last reply's body as text, at most 512 bytes of it (allocates; for errors).
    var lastBodyText: String {
        var span = lastBody
        span.count = min(span.count, 512)
        return string(span)
    }

    // MARK: Sending

    /// Sends a request head and an optional body in one system call where the kernel
    /// allows, reconnecting first if the service closed the previous connection.
    func send(
        head: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer,
        tail: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        what: String
    ) throws(RuntimeAPIError) {
        try connectIfNeeded()
        var iov = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: tail.baseAddress), iov_len: tail.count)
        )
        var remaining = head.count + body.count + tail.count
        var failure: Int32 = 0
        withUnsafeMutablePointer(to: &iov) { tuple in
            tuple.withMemoryRebound(to: iovec.self, capacity: 3) { vectors in
                var first = 0
                while remaining > 0 {
                    var message = msghdr()
                    message.msg_iov = vectors + first
                    message.msg_iovlen = 3 - first
                    let sent = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    if sent < 0 {
                        if lh_errno() == EINTR { continue }
                        failure = lh_errno()
                        return
                    }
                    remaining -= sent
                    var advance = sent
                    while first < 3 && advance >= vectors[first].iov_len {
                        advance -= vectors[first].iov_len
                        first += 1
                    }
                    if first < 3 && advance > 0 {
                        vectors[first].iov_base = vectors[first].iov_base.map { $0 + advance }
                        vectors[first].iov_len -= advance
                    }
                }
            }
        }
        if failure != 0 {
            disconnect()
            if failure == EFAULT {
                throw RuntimeAPIError(.unreadableBuffer, "writing \(what) failed: the bytes to send cannot be read")
            }
            throw RuntimeAPIError(.connectionLost, "writing \(what) failed: \(Self.errnoText(failure))")
        }
    }

    private func connectIfNeeded() throws(RuntimeAPIError) {
        if fd >= 0 && keepAlive { return }
        disconnect()
        let socket = lh_tcp_connect(host, port)
        if socket == -2 {
            throw RuntimeAPIError(.connectFailed, "the Runtime API host '\(host)' does not resolve")
        }
        if socket < 0 {
            throw RuntimeAPIError(
                .connectFailed,
                "cannot connect to the Runtime API at \(host):\(port): \(Self.errnoText(lh_errno()))")
        }
        fd = socket
        keepAlive = true
        // Unread bytes of the old connection mean nothing now; bytes already handed out
        // (the current invocation) stay valid.
        end = max(start, consumedEnd)
    }

    private func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    // MARK: Receiving

    /// Reads one whole reply. A body longer than `maxBody` is read and thrown away, and
    /// the reply says so with ``HTTPReply/bodyTooLarge``, so the connection stays usable.
    ///
    /// With `keepingPrevious`, the previous reply's bytes stay where they are (the reply
    /// is read after them), so an invocation's request id stays readable while the
    /// answers to it are read; the next plain call reclaims the space.
    func readReply(maxBody: Int, what: String, keepingPrevious: Bool = false) throws(RuntimeAPIError) -> HTTPReply {
        if keepingPrevious {
            start = max(start, consumedEnd)
        } else {
            discardConsumed()
        }
        let headEnd = try readHead(what: what)
        var reply = try HTTPReply.parse(buffer, from: start, headEnd: headEnd, what: what)
        keepAlive = reply.keepAlive
        let bodyStart = headEnd
        if reply.chunked {
            try readChunkedBody(into: &reply, from: bodyStart, maxBody: maxBody, what: what)
        } else {
            let length = reply.contentLength ?? 0
            if length > maxBody {
                try drain(length, from: bodyStart, what: what)
                reply.bodyTooLarge = true
                reply.bodyLength = length
                reply.body = Span(start: bodyStart, count: 0)
                consumedEnd = bodyStart
            } else {
                try fill(to: bodyStart + length, what: what)
                reply.body = Span(start: bodyStart, count: length)
                consumedEnd = bodyStart + length
            }
        }
        // The body is handed out as a C string too: the byte after it becomes a NUL. It is
        // the next reply's first byte only if the service pipelined one, which it never does.
        try reserve(reply.body.start + reply.body.count + 1)
        buffer[reply.body.start + reply.body.count] = 0
        if !reply.bodyTooLarge { reply.bodyLength = reply.body.count }
        lastBody = reply.body
        if !keepAlive { disconnect() }
        return reply
    }

    /// Drops the bytes of the reply last handed out, keeping anything received after it.
    private func discardConsumed() {
        if consumedEnd > start { start = consumedEnd }
        if start >= end {
            start = 0
            end = 0
        } else if start > 0 {
            memmove(buffer, buffer + start, end - start)
            end -= start
            start = 0
        }
        consumedEnd = start
    }

    /// Reads until the blank line that ends a reply head; returns the offset after it.
    private func readHead(what: String) throws(RuntimeAPIError) -> Int {
        var scanned = start
        while true {
            var i = scanned
            while i + 3 < end {
                if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    return i + 4
                }
                i += 1
            }
            scanned = max(start, end - 3)
            if end - start > Self.maxHeadBytes {
                throw RuntimeAPIError(
                    .malformedReply, "the reply to \(what) has a head over \(Self.maxHeadBytes) bytes")
            }
            try receive(what: what)
        }
    }

    /// Decodes a chunked body in place, so the body ends up contiguous at `from`.
    private func readChunkedBody(
        into reply: inout HTTPReply,
        from: Int,
        maxBody: Int,
        what: String
    ) throws(RuntimeAPIError) {
        var read = from  // next raw byte to decode
        var written = from  // end of the decoded body
        var total = 0
        while true {
            let lineEnd = try readLine(from: read, what: what)
            guard let size = Self.parseHex(buffer, from: read, to: lineEnd) else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a bad chunk size")
            }
            read = lineEnd + 2
            if size == 0 {
                // Trailers, up to the blank line.
                while true {
                    let trailerEnd = try readLine(from: read, what: what)
                    let empty = trailerEnd == read
                    read = trailerEnd + 2
                    if empty { break }
                }
                break
            }
            let (sum, overflow) = total.addingReportingOverflow(size)
            guard !overflow else {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a chunk size that overflows")
            }
            total = sum
            if total > maxBody {
                reply.bodyTooLarge = true
                // Keep decoding without keeping the bytes: drain leaves what follows the
                // chunk's data at `read`.
                try drain(size, from: read, what: what)
                try expectCRLF(at: read, what: what)
                read += 2
                continue
            }
            try fill(to: read + size + 2, what: what)
            if written != read { memmove(buffer + written, buffer + read, size) }
            written += size
            read += size
            try expectCRLF(at: read, what: what)
            read += 2
        }
        reply.body = Span(start: from, count: reply.bodyTooLarge ? 0 : written - from)
        reply.bodyLength = total
        consumedEnd = read
        if written < read && !reply.bodyTooLarge {
            // Nothing may sit between the decoded body and the unread bytes; the gap is
            // consumed input, so move any pipelined bytes to close it.
            let extra = end - read
            if extra > 0 { memmove(buffer + written, buffer + read, extra) }
            end = written + extra
            consumedEnd = written
        }
    }

    private func expectCRLF(at offset: Int, what: String) throws(RuntimeAPIError) {
        try fill(to: offset + 2, what: what)
        guard buffer[offset] == 13 && buffer[offset + 1] == 10 else {
            throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a chunk without CRLF")
        }
    }

    /// Reads until a CRLF at or after `from`; returns the offset of the CR.
    private func readLine(from: Int, what: String) throws(RuntimeAPIError) -> Int {
        var i = from
        while true {
            while i + 1 < end {
                if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
                i += 1
            }
            if i - from > 4096 {
                throw RuntimeAPIError(.malformedReply, "the reply to \(what) has a chunk line over 4 KiB")
            }
            try receive(what: what)
        }
    }

    /// Reads and throws away `count` bytes that start at `from`.
    private func drain(_ count: Int, from: Int, what: String) throws(RuntimeAPIError) {
        var left = count
        let available = min(end - from, left)
        left -= available
        end = from + (end - from - available)
        if end > from { memmove(buffer + from, buffer + from + available, end - from) }
        while left > 0 {
            end = from
            try receive(what: what)
            let got = min(end - from, left)
            left -= got
            if end - from > got { memmove(buffer + from, buffer + from + got, end - from - got) }
            end -= got
        }
    }

    /// Reads until at least `offset` bytes are in the buffer.
    private func fill(to offset: Int, what: String) throws(RuntimeAPIError) {
        try reserve(offset + 1)
        while end < offset { try receive(what: what) }
    }

    /// Makes room for at least `size` bytes in the buffer.
    private func reserve(_ size: Int) throws(RuntimeAPIError) {
        guard size > capacity else { return }
        var newCapacity = capacity
        while newCapacity < size { newCapacity *= 2 }
        guard let grown = realloc(buffer, newCapacity) else {
            throw RuntimeAPIError(.malformedReply, "cannot allocate \(newCapacity) bytes for a reply")
        }
        buffer = grown.bindMemory(to: UInt8.self, capacity: newCapacity)
        capacity = newCapacity
    }

    /// One `read` into the free end of the buffer.
    private func receive(what: String) throws(RuntimeAPIError) {
        if end + 4096 > capacity { try reserve(end + 4096 + 1) }
        while true {
            let got = read(fd, buffer + end, capacity - end - 1)
            if got > 0 {
                end += got
                return
            }
            if got < 0 && lh_errno() == EINTR { continue }
            let reason = got == 0 ? "the service closed the connection" : Self.errnoText(lh_errno())
            disconnect()
            throw RuntimeAPIError(.connectionLost, "reading the reply to \(what) failed: \(reason)")
        }
    }

    static func parseHex(_ bytes: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int? {
        var value = 0
        var digits = 0
        var i = from
        while i < to {
            let c = bytes[i]
            let digit: Int
            switch c {
            case 48...57: digit = Int(c) - 48
            case 97...102: digit = Int(c) - 87
            case 65...70: digit = Int(c) - 55
            case 59, 32, 9: i = to; continue  // chunk extensions and padding end the number
            default: return nil
            }
            guard digits < 15 else { return nil }
            value = value * 16 + digit
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
