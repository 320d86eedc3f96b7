/// An invocation received from `GET /runtime/invocation/next`.
///
/// Its fields point into the client's receive buffer: it is valid until the next call on
/// the ``RuntimeAPIClient`` that returned it, and costs nothing to create.
public struct NextInvocation {
    /// The parsed reply: headers as spans, the body.
    public let reply: HTTPReply
    unowned let connection: RuntimeAPIConnection

    init(reply: HTTPReply, connection: RuntimeAPIConnection) {
        self.reply = reply
        self.connection = connection
    }

    /// The bytes of a span of this reply.
    public func bytes(of span: Span) -> UnsafeRawBufferPointer {
        guard span.isPresent else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: connection.pointer(at: span.start), count: span.count)
    }

    /// A header value as a NUL-terminated C string, or nil when absent or empty.
    public func cString(_ span: Span) -> UnsafePointer<CChar>? {
        span.count > 0 ? connection.cString(span) : nil
    }

    /// A header value as a Swift string (allocates; for errors and logs).
    public func string(_ span: Span) -> String { connection.string(span) }

    /// The event, NUL-terminated in the buffer.
    public var body: UnsafeRawBufferPointer { bytes(of: reply.body) }

    /// The event was larger than ``RuntimeAPIClient/maxEventBytes`` and was discarded.
    public var eventTooLarge: Bool { reply.bodyTooLarge }

    /// `Lambda-Runtime-Deadline-Ms` as milliseconds since the Unix epoch, or nil when
    /// the header is absent or not a number.
    public var deadlineMs: Int64? {
        guard reply.deadline.isPresent,
            let value = HTTPReply.decimal(connection.pointer(at: reply.deadline.start), reply.deadline.count)
        else { return nil }
        return Int64(value)
    }
}
