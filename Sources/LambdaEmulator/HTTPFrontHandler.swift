import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// The local HTTP front end of `serve --http`, one per connection, in front of the
/// ``InvokeHandler``: a request the ``FunctionRouter`` sends to a function as an HTTP
/// request becomes an ``HTTPAPIEvent``, and the function's answer an HTTP response
/// (``HTTPAPIAnswer``, or ``HTTPFrontStream`` for a streamed one). Every other request
/// (an invoke path, or one that names no function) passes on to the ``InvokeHandler``.
///
/// A body may take ``InvokeEndpoint/maxEventBytes`` (6 MiB), as an invoke's event may:
/// more is refused with 413 as soon as it is known, and the rest dropped; so is a request
/// whose event (with its headers, and a binary body in base64) would be over 6 MiB.
final class HTTPFrontHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let functions: ServedFunctions
    /// The current request is the ``InvokeHandler``'s.
    private var passing = false
    private var head: HTTPRequestHead?
    private var target: (name: String, path: String)?
    private var body = CappedBody()

    init(functions: ServedFunctions) {
        self.functions = functions
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .head(let requestHead) = part {
            let path = String(requestHead.uri.prefix { $0 != "?" })
            guard case .http(let name, let routed) = functions.router.route(path) else {
                passing = true
                context.fireChannelRead(data)
                return
            }
            passing = false
            head = requestHead
            target = (name, routed)
            if body.begin(requestHead) {
                context.continueIfExpected(requestHead)
            } else {
                refuseTooLarge(context: context)
            }
            return
        }
        guard !passing else { return context.fireChannelRead(data) }
        switch part {
        case .head:
            break
        case .body(var chunk):
            if body.append(&chunk) { refuseTooLarge(context: context) }
        case .end:
            guard let head, let target else { return }
            self.head = nil
            self.target = nil
            if body.refused {
                context.close(promise: nil)
                return
            }
            handle(head, target: target, context: context)
        }
    }

    private func refuseTooLarge(context: ChannelHandlerContext) {
        let text = #"{"message":"Request Entity Too Large: the body must be at most \#(InvokeEndpoint.maxEventBytes) bytes"}"#
        context.writeRefusal(.payloadTooLarge, headers: HTTPHeaders([("Content-Type", "application/json")]), body: text)
    }

    private func handle(_ head: HTTPRequestHead, target: (name: String, path: String), context: ChannelHandlerContext) {
        let keepAlive = head.keepsConnection
        guard let invoke = functions.invoke(target.name) else { return }
        let query = head.uri.firstIndex(of: "?").map { String(head.uri[head.uri.index(after: $0)...]) } ?? ""
        let request = HTTPAPIRequest(
            method: head.method.rawValue, path: target.path, rawQuery: query, headers: head.headers.map { ($0.name, $0.value) },
            body: body.take(),
            proto: "HTTP/\(head.version.major).\(head.version.minor)",
            sourceIP: context.channel.remoteAddress?.ipAddress ?? "127.0.0.1", timeEpochMs: EmulatorIdentifiers.nowMs(),
            requestID: EmulatorIdentifiers.uuid())
        let format = functions.format
        let log = functions.log
        let what = "\(target.name): \(request.method) \(request.path)"
        let payload = HTTPAPIEvent.make(request, format: format)
        // The body fits, but the event around it (headers, and a binary body in base64,
        // 4/3 its size) may not: Lambda would refuse it, so refuse it here as the caller's.
        guard payload.count <= InvokeEndpoint.maxEventBytes else {
            let text = #"{"message":"Request Entity Too Large: the event made of this request is \#(payload.count) bytes (a binary body goes in base64, 4/3 its size); Lambda takes at most \#(InvokeEndpoint.maxEventBytes)"}"#
            let body = context.channel.allocator.buffer(string: text)
            context.writeResponse(.payloadTooLarge, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body, keepAlive: keepAlive)
            return
        }
        var invocation = EmulatedInvocation(payload: payload)
        let cut: (@Sendable (String) -> Void)? = log.map { log in { @Sendable why in log("\(what): function error \(why)") } }
        let stream = HTTPFrontStream(channel: context.channel, keepAlive: keepAlive, version: head.version, cut: cut)
        invocation.stream = stream
        let event = invocation
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: InvocationResult.self)
        promise.completeWithTask { await invoke(event) }
        promise.futureResult.whenSuccess { result in
            let answer: HTTPAPIAnswer
            switch result {
            case .streamed:
                return  // already written, chunk by chunk
            case .error(let type, let bytes) where stream.begun:
                stream.end(errorType: type, errorBody: bytes)
                return
            case .error(let type, let bytes):
                log?("\(what): function error, answered 502: \(String(decoding: bytes, as: UTF8.self))")
                answer = .functionError(type: type)
            case .response(let bytes):
                answer = .from(bytes, format: format)
            }
            let headers = HTTPHeaders(answer.headers.map { ($0.name, $0.value) })
            let status = HTTPResponseStatus(statusCode: answer.status)
            bound.value.writeResponse(status, headers: headers, body: bound.value.channel.allocator.buffer(bytes: answer.body), keepAlive: keepAlive)
        }
    }
}
