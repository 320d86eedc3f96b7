import NIOCore
import NIOHTTP1

/// A streamed answer passed on by the HTTP front end as a function URL passes it on: an
/// answer with ``HTTPAPIAnswer/streamedHTTPContentType`` starts with a JSON prelude and 8
/// NUL bytes, which become the response's status and headers as soon as they are complete;
/// the rest is the body, chunk by chunk as it comes. Any other stream is a 200 with the
/// stream's Content-Type. A prelude that never completes (or is over 64 KiB, or is not a
/// JSON object, or its status is not final) gets 502; a 204's or 304's body is dropped.
/// An error after the status ends the body where it stands, without its last chunk: the
/// connection ends, and the client sees the body is incomplete.
/// Confined to the connection's event loop.
final class HTTPFrontStream: ResponseStream, @unchecked Sendable {
    private let channel: Channel
    private let keepAlive: Bool
    /// The stream began (read on the event loop once the invocation ends).
    private(set) var begun = false
    private var prelude: [UInt8]?
    private var ended = false
    /// The status has no body (204, 304): what the function streams is dropped.
    private var bodiless = false

    static let maxPrelude = 64 * 1024
    static let delimiter = [UInt8](repeating: 0, count: 8)

    /// The request's HTTP version: an HTTP/1.0 client cannot read a chunked body, so its
    /// stream goes unframed, ended by the end of the connection.
    private let version: HTTPVersion

    /// Told of an error that cut the body (the caller sees only an incomplete body).
    private let cut: (@Sendable (String) -> Void)?

    init(channel: Channel, keepAlive: Bool, version: HTTPVersion = .http1_1, cut: (@Sendable (String) -> Void)? = nil) {
        self.channel = channel
        self.cut = cut
        self.version = version
        self.keepAlive = keepAlive && version != .http1_0
    }

    func begin(contentType: String) {
        channel.eventLoop.execute { [self] in
            guard !begun else { return }
            begun = true
            if contentType == HTTPAPIAnswer.streamedHTTPContentType {
                prelude = []
            } else {
                writeHead(HTTPAPIAnswer(status: 200, headers: [.init(name: "Content-Type", value: contentType)], body: []))
            }
        }
    }

    func write(_ chunk: ByteBuffer, written: @escaping @Sendable () -> Void) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended, chunk.readableBytes > 0 else { return written() }
            var chunk = chunk
            if var waiting = prelude {
                waiting += chunk.readBytes(length: chunk.readableBytes) ?? []
                guard let end = Self.delimiterEnd(in: waiting) else {
                    prelude = waiting
                    if waiting.count > Self.maxPrelude { refuse("the streamed prelude is over \(Self.maxPrelude) bytes without its 8 NUL bytes") }
                    return written()
                }
                prelude = nil
                guard let answer = HTTPAPIAnswer.prelude(Array(waiting[..<(end - 8)])) else {
                    refuse("the streamed prelude is not a JSON object whose statusCode, if any, is a number from 200 to 599")
                    return written()
                }
                writeHead(answer)
                chunk = channel.allocator.buffer(bytes: waiting[end...])
                guard chunk.readableBytes > 0, !bodiless else {
                    channel.flush()
                    return written()
                }
            }
            guard !bodiless else { return written() }
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk))).whenComplete { _ in written() }
        }
    }

    func end(errorType: String?, errorBody: [UInt8]?) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended else { return }
            if prelude != nil {
                refuse("the stream ended before its prelude's 8 NUL bytes")
                return
            }
            if let errorType {
                cut?("\(errorType) after the stream began, its body cut short: \(String(decoding: errorBody ?? [], as: UTF8.self))")
            }
            guard errorType == nil else {
                // A body that an error cut must not look whole: no last chunk, and the
                // connection ends, so that the client sees the body is incomplete.
                ended = true
                channel.flush()
                channel.close(promise: nil)
                return
            }
            finish()
        }
    }

    /// Where the body begins: just past the first 8 NUL bytes in a row.
    static func delimiterEnd(in bytes: [UInt8]) -> Int? {
        var run = 0
        for (index, byte) in bytes.enumerated() {
            run = byte == 0 ? run + 1 : 0
            if run == 8 { return index + 1 }
        }
        return nil
    }

    private func writeHead(_ answer: HTTPAPIAnswer) {
        bodiless = !HTTPAPIAnswer.hasBody(answer.status)
        var headers = HTTPHeaders(answer.headers.map { ($0.name, $0.value) })
        if version != .http1_0 { headers.add(name: "Transfer-Encoding", value: "chunked") }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        // SwiftNIO frames the body by the head's version: chunked for 1.1, unframed for 1.0.
        let head = HTTPResponseHead(version: version == .http1_0 ? .http1_0 : .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
    }

    /// Ends the response with a 502 that says `why`; what the function sends later is dropped.
    private func refuse(_ why: String) {
        prelude = nil
        let answer = HTTPAPIAnswer.malformed(why)
        writeHead(answer)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: answer.body))), promise: nil)
        finish()
    }

    private func finish() {
        ended = true
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive {
            let channel = self.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
