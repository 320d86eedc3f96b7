import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// A streamed response passed on to the invoker as it arrives: status 200, chunked, each
/// chunk flushed at once. An error after the first byte ends it in the trailers
/// `X-Amz-Function-Error: Unhandled` and `Lambda-Runtime-Function-Error-Type`, with the
/// error document in `Lambda-Runtime-Function-Error-Body` (base64) only when it is short:
/// curl refuses a trailer line of 4 KiB or more, and Python's http.client one over
/// 64 KiB, while a streamed error's message may take 256 KiB.
final class ChannelResponseStream: ResponseStream, @unchecked Sendable {
    private let channel: Channel
    private let keepAlive: Bool
    /// Read and written on the invoke connection's event loop only.
    private(set) var begun = false
    private var ended = false

    /// The longest error document, in base64, sent in a trailer: its line stays under
    /// curl's 4 KiB.
    static let maxTrailerDocument = 3 * 1024

    init(channel: Channel, keepAlive: Bool) {
        self.channel = channel
        self.keepAlive = keepAlive
    }

    func begin(contentType: String) {
        channel.eventLoop.execute { [self] in
            guard !begun else { return }
            begun = true
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Transfer-Encoding", value: "chunked")
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)), promise: nil)
        }
    }

    func write(_ chunk: ByteBuffer, written: @escaping @Sendable () -> Void) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended, chunk.readableBytes > 0 else { return written() }
            // Complete once the bytes are in the socket (or the caller is gone).
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk))).whenComplete { _ in written() }
        }
    }

    func end(errorType: String?, errorBody: [UInt8]?) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended else { return }
            ended = true
            var trailers: HTTPHeaders?
            if let errorType {
                var fields = HTTPHeaders([("X-Amz-Function-Error", "Unhandled"), ("Lambda-Runtime-Function-Error-Type", errorType)])
                if let document = errorBody.map(Base64.encode), document.utf8.count <= Self.maxTrailerDocument {
                    fields.add(name: "Lambda-Runtime-Function-Error-Body", value: document)
                }
                trailers = fields
            }
            let done = channel.writeAndFlush(HTTPServerResponsePart.end(trailers))
            if !keepAlive {
                let channel = self.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
