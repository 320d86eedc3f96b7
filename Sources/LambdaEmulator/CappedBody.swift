import NIOCore
import NIOHTTP1

/// A request's body, collected up to ``InvokeEndpoint/maxEventBytes`` (6 MiB, what an
/// invoke's event may take). Once the body is known to be larger (its Content-Length, or
/// the chunk that crosses the limit) it is refused: what came is dropped, and so is the
/// rest, never kept. Shared by the invoke endpoint and the HTTP front end.
struct CappedBody {
    private var buffer = ByteBuffer()
    /// The body is over the limit; the request gets 413.
    private(set) var refused = false

    /// A request begins; returns false when its Content-Length is over the limit (refused).
    mutating func begin(_ head: HTTPRequestHead) -> Bool {
        buffer.clear()
        let announced = head.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
        refused = announced > InvokeEndpoint.maxEventBytes
        return !refused
    }

    /// Adds `chunk`; returns true when this chunk crossed the limit (refused from now on).
    mutating func append(_ chunk: inout ByteBuffer) -> Bool {
        guard !refused else { return false }
        guard buffer.readableBytes + chunk.readableBytes <= InvokeEndpoint.maxEventBytes else {
            buffer.clear()
            refused = true
            return true
        }
        buffer.writeBuffer(&chunk)
        return false
    }

    /// The body, taken: the buffer is emptied.
    mutating func take() -> [UInt8] {
        defer { buffer.clear() }
        return buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
    }
}
