import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// One connection to the invoke endpoint.
///
/// A request body may take ``InvokeEndpoint/maxEventBytes``, as Lambda's Invoke API
/// allows: a larger one is refused with 413 as soon as it is known to be larger (its
/// Content-Length, or the chunk that crosses the limit), and the rest is read and dropped,
/// never kept; the connection closes once the request has ended. `Expect: 100-continue`
/// gets `100 Continue`, or the 413 at once. Invalid optional headers (``InvokeHeaders``)
/// get 400 `InvalidRequestContentException`. `X-Amz-Invocation-Type` is honoured
/// (``InvocationType``): `Event` gets 202 at once and runs after, `DryRun` 204.
final class InvokeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let functions: ServedFunctions
    /// Where the result of an `Event` invocation goes.
    private let log: @Sendable (String) -> Void
    private var head: HTTPRequestHead?
    private var body = CappedBody()
    private var keepAlive = true

    init(functions: ServedFunctions, log: @escaping @Sendable (String) -> Void) {
        self.functions = functions
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            if body.begin(requestHead) {
                context.continueIfExpected(requestHead)
            } else {
                refuseTooLarge(context: context)
            }
        case .body(var chunk):
            if body.append(&chunk) { refuseTooLarge(context: context) }
        case .end:
            guard let head else { return }
            self.head = nil
            if body.refused {
                context.close(promise: nil)
                return
            }
            handle(head, context: context)
        }
    }

    /// Answers 413 in the Invoke API's words, then stops sending (the caller sees the
    /// end of the reply) while what it still sends is dropped.
    private func refuseTooLarge(context: ChannelHandlerContext) {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        headers.add(name: "X-Amzn-ErrorType", value: "RequestEntityTooLargeException")
        context.writeRefusal(.payloadTooLarge, headers: headers, body: InvokeEndpoint.eventTooLarge)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        keepAlive = head.keepsConnection
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let route = functions.router.route(path)
        if case .unknownFunction(let name) = route {
            respond(status: .notFound, headers: [], body: Array(functions.router.unknownFunctionBody(name).utf8), context: context)
            return
        }
        guard head.method == .POST, case .invoke(let name) = route, let invoke = functions.invoke(name) else {
            respond(status: .notFound, headers: [], body: Array(functions.router.notAnInvokeBody(for: route).utf8), context: context)
            return
        }
        let headers: InvokeHeaders
        do {
            headers = try InvokeHeaders(head.headers)
        } catch {
            respond(status: .badRequest, headers: [("X-Amzn-ErrorType", error.errorType)], body: Array(error.body.utf8), context: context)
            return
        }
        var invocation = EmulatedInvocation(
            payload: body.take(), clientContext: headers.clientContext,
            cognitoIdentity: headers.cognitoIdentity, tenantID: headers.tenantID)
        switch headers.invocationType {
        case .requestResponse:
            break
        case .dryRun:
            context.writeResponse(.noContent, headers: [:], body: context.channel.allocator.buffer(capacity: 0), keepAlive: keepAlive)
            return
        case .event:
            guard invocation.payload.count <= InvokeEndpoint.maxAsyncEventBytes else {
                respond(
                    status: .payloadTooLarge, headers: [("X-Amzn-ErrorType", "RequestEntityTooLargeException")],
                    body: Array(InvokeEndpoint.asyncEventTooLarge.utf8), context: context)
                return
            }
            // Answered before it runs: the caller never waits for the function, nor
            // learns how it ended; the log does.
            context.writeResponse(.accepted, headers: [:], body: context.channel.allocator.buffer(capacity: 0), keepAlive: keepAlive)
            let log = self.log
            var request = invocation
            // Lambda hands the client context to synchronous invocations only.
            request.clientContext = nil
            Task { log(AsyncOutcome.describe(await invoke(request))) }
            return
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
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

    /// A request SwiftNIO could not parse has its 400 already; nothing after it on the
    /// connection will be parsed, so the connection ends rather than staying open idle.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func respond(status: HTTPResponseStatus, headers extra: [(String, String)], body: [UInt8], context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.writeResponse(status, headers: headers, body: context.channel.allocator.buffer(bytes: body), keepAlive: keepAlive)
    }
}

extension HTTPRequestHead {
    /// Whether the connection serves another request after this one. After a request
    /// that asks to upgrade (an `Upgrade` header, or CONNECT), SwiftNIO's decoder parses
    /// nothing more: what the client sends next would never be answered, so the reply says
    /// `Connection: close` and the connection ends.
    var keepsConnection: Bool {
        isKeepAlive && method != .CONNECT && !headers.contains(name: "Upgrade")
    }
}
