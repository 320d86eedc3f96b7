import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// An invoke endpoint compatible with AWS's Runtime Interface Emulator:
/// `POST /2015-03-31/functions/function/invocations` with the event as the body.
///
/// The response body is the function's response with status 200. A function error is
/// also status 200, with the error document as the body and `X-Amz-Function-Error:
/// Unhandled`, as Lambda's Invoke API does. An event over 6 MiB gets 413
/// `RequestEntityTooLarge` (see ``InvokeHandler``). Callers are served concurrently; the
/// function queues them. Optional headers: `X-Amz-Client-Context` (base64, as the Invoke API takes
/// it), `X-Amz-Cognito-Identity`, `X-Amz-Tenant-Id`.
public final class InvokeEndpoint: @unchecked Sendable {
    /// The path RIE serves.
    public static let path = "/2015-03-31/functions/function/invocations"

    private let server: LoopbackHTTPServer

    /// The port it listens on (127.0.0.1).
    public var port: Int { server.port }

    private init(server: LoopbackHTTPServer) {
        self.server = server
    }

    /// Starts listening on 127.0.0.1:`port` (0 picks a free port); `invoke` runs each
    /// request's event.
    public static func start(
        port: Int,
        invoke: @escaping @Sendable (EmulatedInvocation) async -> InvocationResult
    ) async throws -> InvokeEndpoint {
        InvokeEndpoint(server: try await LoopbackHTTPServer.start(port: port) { InvokeHandler(invoke: invoke) })
    }

    /// The URL to POST events to.
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }

    /// Stops listening.
    public func shutdown() async {
        await server.shutdown()
    }
}

/// One connection to the invoke endpoint.
///
/// A request body may take ``maxRequestBytes``, as Lambda's Invoke API allows: a larger
/// one is refused with 413 as soon as it is known to be larger (its Content-Length, or
/// the chunk that crosses the limit), and the rest is read and dropped, never kept.
/// `Expect: 100-continue` gets `100 Continue`, or the 413 at once.
final class InvokeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest event Lambda's Invoke API takes (6 MiB).
    static let maxRequestBytes = 6 * 1024 * 1024

    private let invoke: @Sendable (EmulatedInvocation) async -> InvocationResult
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var keepAlive = true
    /// Set once the request is refused as too large: the rest of it is dropped.
    private var refused = false

    init(invoke: @escaping @Sendable (EmulatedInvocation) async -> InvocationResult) {
        self.invoke = invoke
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            refused = false
            let announced = requestHead.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            if announced > Self.maxRequestBytes {
                refuseTooLarge(context: context)
            } else if requestHead.headers.first(name: "Expect")?.lowercased() == "100-continue" {
                let proceed = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
            }
        case .body(var chunk):
            guard !refused else { return }
            if body.readableBytes + chunk.readableBytes > Self.maxRequestBytes {
                body.clear()
                refuseTooLarge(context: context)
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if refused {
                context.close(promise: nil)
                return
            }
            handle(head, context: context)
        }
    }

    /// Answers 413 in the Invoke API's words, then stops sending (the caller sees the
    /// end of the reply) while what it still sends is dropped.
    private func refuseTooLarge(context: ChannelHandlerContext) {
        refused = true
        keepAlive = false
        let message = "Request must be smaller than \(Self.maxRequestBytes) bytes for the InvokeFunction operation"
        let text = #"{"errorMessage":"\#(message)","errorType":"RequestEntityTooLarge"}"#
        respond(
            status: .payloadTooLarge, headers: [("X-Amzn-ErrorType", "RequestEntityTooLargeException")],
            body: Array(text.utf8), context: context)
        context.close(mode: .output, promise: nil)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        keepAlive = head.isKeepAlive
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard head.method == .POST, path == InvokeEndpoint.path else {
            let text = #"{"errorMessage":"POST events to \#(InvokeEndpoint.path)","errorType":"InvalidRequest"}"#
            respond(status: .notFound, headers: [], body: Array(text.utf8), context: context)
            return
        }
        var invocation = EmulatedInvocation(payload: body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [])
        invocation.clientContext = head.headers.first(name: "X-Amz-Client-Context").flatMap { Base64.decode($0).map { String(decoding: $0, as: UTF8.self) } }
        invocation.cognitoIdentity = head.headers.first(name: "X-Amz-Cognito-Identity")
        invocation.tenantID = head.headers.first(name: "X-Amz-Tenant-Id")
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let invoke = self.invoke
        let promise = loop.makePromise(of: InvocationResult.self)
        let stream = ChannelResponseStream(channel: context.channel, keepAlive: keepAlive)
        invocation.stream = stream
        let request = invocation
        promise.completeWithTask { await invoke(request) }
        promise.futureResult.whenSuccess { [self] result in
            switch result {
            case .streamed:
                break  // already written, chunk by chunk
            case .response(let bytes):
                respond(status: .ok, headers: [], body: bytes, context: bound.value)
            case .error(let type, let bytes) where stream.begun:
                // An exit or timeout cut a stream that had begun: end it with the error.
                stream.end(errorType: type, errorBody: bytes)
            case .error(let type, let bytes):
                respond(
                    status: .ok,
                    headers: [("X-Amz-Function-Error", "Unhandled"), ("X-Lambda-Error-Type", ErrorTypeHeader.clean(type))],
                    body: bytes, context: bound.value)
            }
        }
    }

    private func respond(status: HTTPResponseStatus, headers extra: [(String, String)], body: [UInt8], context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.writeResponse(status, headers: headers, body: context.channel.allocator.buffer(bytes: body), keepAlive: keepAlive)
    }
}

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

    static func base64(_ bytes: [UInt8]) -> String {
        var writer = ByteWriter(capacity: bytes.count * 4 / 3 + 4)
        bytes.withUnsafeBytes { writer.append(base64: $0) }
        return String(decoding: writer.bytes, as: UTF8.self)
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

    func write(_ chunk: ByteBuffer) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended, chunk.readableBytes > 0 else { return }
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
        }
    }

    func end(errorType: String?, errorBody: [UInt8]?) {
        channel.eventLoop.execute { [self] in
            guard begun, !ended else { return }
            ended = true
            var trailers: HTTPHeaders?
            if let errorType {
                var fields = HTTPHeaders([("X-Amz-Function-Error", "Unhandled"), ("Lambda-Runtime-Function-Error-Type", errorType)])
                if let document = errorBody.map(Self.base64), document.utf8.count <= Self.maxTrailerDocument {
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
