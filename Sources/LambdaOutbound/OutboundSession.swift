import CLambdaOutbound
import CLambdaSystem

/// Sends requests one at a time through a shared ``ConnectionPool`` and keeps the last
/// response: the host has one session per invocation thread and one for INIT, so the
/// response a plugin reads stays put until its next request (Envoy's rule).
///
/// The retry rule is Go's: a request that fails on a *reused* connection is sent once
/// more on a new one when nothing of it was written, or when it is replayable (GET, HEAD,
/// OPTIONS, TRACE, or it carries an `Idempotency-Key`) and no byte of a response arrived.
/// A request on a new connection is never repeated, so a POST reaches the server at most
/// once.
///
/// Not thread-safe: the host serialises calls on a session. Cost per request on a reused
/// connection: the URL parse (a few small strings), the head written into a reused
/// buffer, one write (head and body together when they fit in 16 KiB), reads of up to
/// 16 KiB, and the parse; no other allocation once the buffers have grown.
public final class OutboundSession {
    /// Bytes read from a connection per call, and the most sent in one write.
    static let ioBytes = 16 * 1024

    public let pool: ConnectionPool
    private var writer = HTTPRequestWriter()
    private var parser: HTTPResponseParser
    private let io: UnsafeMutableRawBufferPointer
    /// Requests sent again on a new connection after a reused one failed, so far (for the
    /// host's metrics; wraps never in practice: one per request at most).
    public private(set) var retries = 0

    public init(pool: ConnectionPool) {
        self.pool = pool
        parser = HTTPResponseParser(isHEAD: false, maxBody: pool.configuration.maxResponseBytes)
        io = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.ioBytes, alignment: 16)
    }

    deinit { io.deallocate() }

    /// Sends one request and reads its whole response into ``response``.
    ///
    /// - Parameters:
    ///   - deadline: when the exchange must be over, in `lh_monotonic_ms()` time.
    ///   - traceID: the `X-Amzn-Trace-Id` value to add, or nil.
    ///   - signing: for an AWS request, how to sign each attempt (a retry is signed anew).
    /// - Returns: the status code.
    /// - Throws: ``OutboundError``: `sent == false` when nothing reached the server.
    public func send<Headers: Sequence<OutboundHeader>>(
        method: UnsafeRawBufferPointer,
        url: UnsafeBufferPointer<UInt8>,
        headers: Headers,
        body: UnsafeRawBufferPointer,
        traceID: UnsafeRawBufferPointer?,
        deadline: Int64,
        signing: AWSRequestSigning? = nil
    ) throws(OutboundError) -> Int {
        let target = try OutboundURL.parse(url)
        if let allowList = pool.configuration.allowList, !allowList.allows(target.origin) {
            throw OutboundError(
                .notAllowed, sent: false,
                "not sent: \(target.origin) is not allowed by LAMBDA_HOST_ALLOWED_ORIGINS; add it there (e.g. \(target.origin)) to call it")
        }
        let hostHeaders: (() throws(OutboundError) -> [(name: String, value: String)])?
        if let signing {
            hostHeaders = { () throws(OutboundError) in
                try signing.headers(method: method, url: target, headers: headers, date: AWSTimestamp.amzDate(AWSTimestamp.now()))
            }
        } else {
            hostHeaders = nil
        }
        return try transmit(method: method, target: target, headers: headers, body: body, traceID: traceID, deadline: deadline, hostHeaders: hostHeaders)
    }

    /// GETs `url` for the host itself (the container-credentials endpoint): no allow-list
    /// (the environment named it, not the plugin), no trace header, the body copied out.
    public func fetch(_ url: String, headers: [(name: String, value: String)], deadline: Int64) throws(OutboundError) -> (status: Int, body: [UInt8]) {
        let target = try OutboundURL.parse(url)
        let method: StaticString = "GET"
        let status = try transmit(
            method: UnsafeRawBufferPointer(start: method.utf8Start, count: method.utf8CodeUnitCount), target: target,
            headers: [OutboundHeader](), body: UnsafeRawBufferPointer(start: nil, count: 0), traceID: nil, deadline: deadline,
            hostHeaders: { () throws(OutboundError) in headers })
        return (status, Array(parser.buffer.body))
    }

    private func transmit<Headers: Sequence<OutboundHeader>>(
        method: UnsafeRawBufferPointer,
        target: OutboundURL,
        headers: Headers,
        body: UnsafeRawBufferPointer,
        traceID: UnsafeRawBufferPointer?,
        deadline: Int64,
        hostHeaders: (() throws(OutboundError) -> [(name: String, value: String)])?
    ) throws(OutboundError) -> Int {
        parser.reset(isHEAD: false, maxBody: pool.configuration.maxResponseBytes)
        let origin = target.origin
        let isHEAD = Self.equals(method, "HEAD")
        let replayable = isHEAD || Self.equals(method, "GET") || Self.equals(method, "OPTIONS") || Self.equals(method, "TRACE")
            || headers.contains { Self.isIdempotencyKey($0.name) }
        var reuseAllowed = true
        var written = false
        while true {
            // Written again for a retry only when the host's headers change (a new signature).
            if !written || hostHeaders != nil {
                try writer.write(
                    method: method, url: target, headers: headers, bodyLength: body.count, traceID: traceID,
                    hostHeaders: try hostHeaders?() ?? [])
                written = true
            }
            let (connection, reused) = try pool.checkOut(origin, deadline: deadline)
            do {
                let keep = try exchange(connection, body: body, isHEAD: isHEAD, deadline: deadline)
                if keep { pool.checkIn(connection, to: origin) } else { lh_conn_close(connection) }
                return parser.status
            } catch {
                let failure = error
                lh_conn_close(connection)
                // Go's rule: only a reused connection, once, and only where safe.
                if reused, reuseAllowed, failure.retryable(replayable: replayable) {
                    reuseAllowed = false
                    retries &+= 1
                    continue
                }
                throw failure.error
            }
        }
    }

    /// Why one exchange failed, with what the retry rule needs to know.
    private struct Failure: Error {
        var error: OutboundError
        /// Bytes of the request that may have reached the server.
        var written: Int
        /// Whether any byte of a response arrived.
        var answered: Bool
        /// Whether the failure is the connection's (reset, closed), not the deadline's or
        /// the response's.
        var connectionFailed: Bool

        func retryable(replayable: Bool) -> Bool {
            connectionFailed && (written == 0 || (replayable && !answered))
        }
    }

    /// Runs the request path once without the network: writes a GET head for `origin` and
    /// parses a canned response, so that the first real request finds the buffers
    /// allocated and the code paged in (part of pre-warming, during INIT).
    public func warmUp(_ origin: Origin) {
        let url = "\(origin.scheme.rawValue)://\(origin.isIPv6 ? "[\(origin.host)]" : origin.host):\(origin.port)/"
        guard let target = try? OutboundURL.parse(url) else { return }
        let method: StaticString = "GET"
        try? writer.write(
            method: UnsafeRawBufferPointer(start: method.utf8Start, count: method.utf8CodeUnitCount), url: target,
            headers: [OutboundHeader](), bodyLength: 0, traceID: nil)
        let canned: StaticString = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
        parser.reset(isHEAD: false, maxBody: pool.configuration.maxResponseBytes)
        _ = try? parser.feed(UnsafeRawBufferPointer(start: canned.utf8Start, count: canned.utf8CodeUnitCount))
        parser.reset(isHEAD: false, maxBody: pool.configuration.maxResponseBytes)
    }

    /// Calls `body` with the last response's storage: valid until the next
    /// ``send(method:url:headers:body:traceID:deadline:)``.
    public func withResponse<Result, Failure: Error>(
        _ body: (borrowing ResponseBuffer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(parser.buffer)
    }

    /// Writes the request and reads the response; returns whether the connection may be
    /// reused.
    private func exchange(
        _ connection: OpaquePointer, body: UnsafeRawBufferPointer, isHEAD: Bool, deadline: Int64
    ) throws(Failure) -> Bool {
        let head = writer.bytes
        var written = 0
        guard let base = io.baseAddress else { preconditionFailure("the I/O buffer has no address") }
        // The head, then the body through the I/O buffer: one write when both fit (a second
        // small write is a second packet and system call). The plugin's body is copied by
        // the kernel, which refuses memory the plugin does not have (its body_size may lie)
        // instead of faulting in the host.
        var filled = 0
        if head.count <= io.count {
            base.copyMemory(from: head.baseAddress ?? UnsafeRawPointer(base), byteCount: head.count)
            filled = head.count
        } else {
            try write(connection, head, &written, deadline)
        }
        var offset = 0
        while offset < body.count, let bodyBase = body.baseAddress {
            let take = min(io.count - filled, body.count - offset)
            guard lh_copy_checked(base + filled, bodyBase + offset, take) == 0 else {
                throw Failure(
                    error: OutboundError(
                        .invalidRequest, sent: written > 0,
                        "request.body is not readable for all of its body_size (\(body.count)) bytes; give the body's true size"),
                    written: written, answered: false, connectionFailed: false)
            }
            filled += take
            offset += take
            if filled == io.count {
                try write(connection, UnsafeRawBufferPointer(start: base, count: filled), &written, deadline)
                filled = 0
            }
        }
        if filled > 0 { try write(connection, UnsafeRawBufferPointer(start: base, count: filled), &written, deadline) }
        parser.reset(isHEAD: isHEAD, maxBody: pool.configuration.maxResponseBytes)
        var error: Int32 = 0
        while true {
            let count = lh_conn_read(connection, io.baseAddress, io.count, deadline, &error, nil, 0)
            do throws(OutboundError) {
                if count > 0 {
                    switch try parser.feed(UnsafeRawBufferPointer(start: io.baseAddress, count: count)) {
                    case .needMore: continue
                    // Bytes beyond the response: the connection is out of step; close it.
                    case .complete(let consumed): return parser.keepAlive && consumed == count
                    }
                }
                if count == 0 {
                    try parser.finishAtEOF()
                    return false
                }
            } catch {
                throw Failure(
                    error: error, written: written, answered: parser.receivedAnyByte,
                    connectionFailed: error.code == .closed)
            }
            let code = OutboundError.code(network: error)
            let message = code == .timeout
                ? "sent, then no complete response before the deadline (the call's timeout or the invocation's remaining time)"
                : "sent, then the connection failed while reading the response (\(code.rawValue))"
            throw Failure(
                error: OutboundError(code, sent: true, message), written: written, answered: parser.receivedAnyByte,
                connectionFailed: code == .reset || code == .io)
        }
    }

    private func write(
        _ connection: OpaquePointer, _ bytes: UnsafeRawBufferPointer, _ written: inout Int, _ deadline: Int64
    ) throws(Failure) {
        guard bytes.count > 0 else { return }
        var error: Int32 = 0
        let sent = lh_conn_write(connection, bytes.baseAddress, bytes.count, deadline, &error, nil, 0)
        written += sent
        guard sent < bytes.count else { return }
        let code = OutboundError.code(network: error)
        let what = code == .timeout ? "the deadline passed" : "the connection failed (\(code.rawValue))"
        throw Failure(
            error: OutboundError(
                code, sent: written > 0,
                written > 0 ? "sent in part, then \(what) while writing the request" : "not sent: \(what) before any byte was written"),
            written: written, answered: false, connectionFailed: code != .timeout)
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.elementsEqual(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// `Idempotency-Key` (IETF draft) or `X-Idempotency-Key`, any case.
    private static func isIdempotencyKey(_ name: UnsafeRawBufferPointer) -> Bool {
        let suffix: StaticString = "idempotency-key"
        let length = suffix.utf8CodeUnitCount
        guard name.count == length || (name.count == length + 2 && (name[0] | 0x20) == 120 && name[1] == 45) else { return false }
        let tail = UnsafeRawBufferPointer(rebasing: name[(name.count - length)...])
        return zip(tail, UnsafeRawBufferPointer(start: suffix.utf8Start, count: length)).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
    }
}
