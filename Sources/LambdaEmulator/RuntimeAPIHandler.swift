import LambdaRuntimeAPI
import NIOCore
import NIOHTTP1

/// Serves the Runtime API routes of one connection (see ``RuntimeAPIEmulator``).
final class RuntimeAPIHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest response the service accepts: 6 MiB plus 100 bytes of envelope, as
    /// Lambda does.
    static let maxResponseBytes = 6 * 1024 * 1024 + 100

    private let state: EmulatorState
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var bodyBytes = 0
    private var keepAlive = true
    /// The trailers of a chunked request: a streamed response's error after its first byte.
    private var trailers: HTTPHeaders?
    /// The invocation the request being received answers, while it is received.
    private var answering: (requestID: String, invocationID: String?)?
    /// Where the streamed response being received goes, chunk by chunk.
    private var relay: StreamRelay?
    /// Set when the request was answered before its body came (413): the rest of it is
    /// dropped, and the connection closes at its end.
    private var refused = false
    private var token: ObjectIdentifier { ObjectIdentifier(self) }

    init(state: EmulatorState) {
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        state.connectionOpened()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            bodyBytes = 0
            answering = nil
            relay = nil
            refused = false
            keepAlive = requestHead.isKeepAlive
            received(requestHead, context: context)
        case .body(var chunk):
            guard !refused else { return }
            bodyBytes += chunk.readableBytes
            if let relay {
                if relay.pass(chunk) { answerOversizedStream() }
                return
            }
            if bodyBytes <= Self.maxResponseBytes { body.writeBuffer(&chunk) }
        case .end(let trailers):
            guard let head else { return }
            self.head = nil
            if refused {
                context.close(promise: nil)
                return
            }
            self.trailers = trailers
            route(head, context: context)
            answering = nil
            relay = nil
        }
    }

    /// A request's head: an answer to an invocation starts a stream to the invoker, or is
    /// refused at once when it announces more than Lambda takes; `Expect: 100-continue`
    /// is honoured (curl sends it for a body over 1 MiB, and waits a second without it).
    private func received(_ requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        if requestHead.method == .POST, let route = RuntimeAPIPaths.invocationRoute(RuntimeAPIPaths.path(of: requestHead)) {
            let invocationID = requestHead.headers.first(name: "Lambda-Runtime-Invocation-Id")
            answering = (route.requestID, invocationID)
            let streaming = requestHead.headers.first(name: "Lambda-Runtime-Function-Response-Mode")?.lowercased() == "streaming"
            let announced = requestHead.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            // A stream goes to the invoker as it comes, but only the stream of the
            // invocation that is out, with its own invocation id, from one connection.
            if route.verb == "response", streaming,
                let stream = state.claimStream(requestID: route.requestID, invocationID: invocationID, token: token)
            {
                relay = StreamRelay(stream: stream, channel: context.channel, gate: state.gate)
                stream.begin(contentType: requestHead.headers.first(name: "Content-Type") ?? "application/octet-stream")
            } else if route.verb == "response", announced > Self.maxResponseBytes {
                refuseOversized(route.requestID, invocationID, size: announced, context: context)
                return
            }
        }
        context.continueIfExpected(requestHead)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.forget(token: token)
        abandonRequest(because: "its connection closed before the request ended")
        state.connectionClosed()
        context.fireChannelInactive()
    }

    /// Malformed HTTP (SwiftNIO's handler has answered 400): the request is over, and so
    /// is the connection.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        abandonRequest(because: "it was not valid HTTP: \(error)")
        context.close(promise: nil)
    }

    /// A request cut off answers its invocation now rather than at its deadline, with
    /// `Runtime.TruncatedResponse` (at the end of the stream, if one had begun).
    private func abandonRequest(because reason: String) {
        defer {
            head = nil
            answering = nil
            relay = nil
        }
        guard head != nil, !refused, relay?.capped != true, let answering else { return }
        let message =
            "RequestId: \(answering.requestID) Error: the runtime's answer was cut off after \(bodyBytes) bytes: \(reason)"
        let type = "Runtime.TruncatedResponse"
        let result: InvocationResult
        if let relay {
            relay.stream.end(errorType: type, errorBody: RuntimeAPIReplies.document(type: type, message: message))
            result = .streamed(errorType: type)
        } else {
            result = .failure(type: type, message: message)
        }
        _ = state.answer(requestID: answering.requestID, invocationID: answering.invocationID, token: token, with: result)
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = RuntimeAPIPaths.path(of: head)
        switch (head.method, path) {
        case (.GET, "/2018-06-01/runtime/invocation/next"):
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            state.next(token: token) { [self] pending in
                guard loopBound.value.channel.isActive else { return false }
                writeInvocation(pending, context: loopBound.value)
                return true
            }
        case (.POST, "/2018-06-01/runtime/init/error"):
            let type = errorType(head)
            if state.recordInitError(.error(type: type, body: errorDocument(type: type))) {
                write(.accepted, #"{"status":"OK"}"#, context: context)
            } else {
                // As AWS's emulator answers once INIT is over; nothing changes.
                let message =
                    "State transition from \(state.runtimeStateName) to InitError failed for runtime. Error: State transition is not allowed"
                write(.forbidden, #"{"errorMessage":"\#(message)","errorType":"InvalidStateTransition"}"#, context: context)
            }
        case (.POST, let p) where RuntimeAPIPaths.invocationRoute(p) != nil:
            answer(head, context: context)
        case (.POST, "/2020-01-01/extension/register"):
            write(
                .ok, #"{"functionName":"\#(JSONText.escaped(state.configuration.functionName))","functionVersion":"$LATEST"}"#,
                extraHeaders: [("Lambda-Extension-Identifier", EmulatorIdentifiers.uuid())], context: context)
        case (.GET, "/2020-01-01/extension/event/next"):
            // An extension that subscribed to nothing waits here for the emulator's life.
            break
        default:
            reject(path, context: context)
        }
    }

    /// 405 naming the method for a known path asked with another method; 404 otherwise.
    private func reject(_ path: String, context: ChannelHandlerContext) {
        if let allowed = RuntimeAPIPaths.allowedMethod(path) {
            let text = #"{"errorMessage":"use \#(allowed) for \#(path)","errorType":"MethodNotAllowed"}"#
            write(.methodNotAllowed, text, extraHeaders: [("Allow", allowed)], context: context)
        } else {
            notFound(context)
        }
    }

    /// `POST …/{id}/response` or `…/{id}/error`.
    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let (requestID, verb) = RuntimeAPIPaths.invocationRoute(RuntimeAPIPaths.path(of: head)) else { return notFound(context) }
        if relay?.capped == true {
            return write(.payloadTooLarge, RuntimeAPIReplies.tooLarge(StreamRelay.maxBytes), context: context)
        }
        let invocationID = head.headers.first(name: "Lambda-Runtime-Invocation-Id")
        let oversized = verb == "response" && relay == nil && bodyBytes > Self.maxResponseBytes
        let errorTrailer = trailers?.first(name: "Lambda-Runtime-Function-Error-Type").map(ErrorTypeHeader.clean)
        let trailerDocument = trailers?.first(name: "Lambda-Runtime-Function-Error-Body").flatMap(Base64.decode)
        let result: InvocationResult
        if oversized {
            result = RuntimeAPIReplies.responseTooLarge(size: bodyBytes)
        } else if let relay {
            relay.stream.end(
                errorType: errorTrailer, errorBody: errorTrailer.map { trailerDocument ?? RuntimeAPIReplies.document(type: $0, message: "") })
            result = .streamed(errorType: errorTrailer)
        } else if verb == "error" {
            let type = errorType(head)
            result = .error(type: type, body: errorDocument(type: type))
        } else if let errorTrailer {
            // An error after the first byte of a stream whose invoker takes it whole.
            result = .error(type: errorTrailer, body: trailerDocument ?? RuntimeAPIReplies.document(type: errorTrailer, message: ""))
        } else {
            result = .response(bytes())
        }
        switch state.answer(requestID: requestID, invocationID: invocationID, token: token, with: result) {
        case .accepted where oversized:
            write(.payloadTooLarge, RuntimeAPIReplies.tooLarge(Self.maxResponseBytes), context: context)
        case let outcome:
            write(outcome.status, outcome.body, context: context)
        }
    }

    /// A response that announces more than Lambda takes: the invoker is answered and the
    /// runtime refused before the body comes; the body is dropped as it comes.
    private func refuseOversized(_ requestID: String, _ invocationID: String?, size: Int, context: ChannelHandlerContext) {
        refused = true
        let outcome = state.answer(
            requestID: requestID, invocationID: invocationID, token: token, with: RuntimeAPIReplies.responseTooLarge(size: size))
        if outcome == .accepted {
            context.writeRefusal(.payloadTooLarge, headers: RuntimeAPIReplies.json, body: RuntimeAPIReplies.tooLarge(Self.maxResponseBytes))
        } else {
            context.writeRefusal(outcome.status, headers: RuntimeAPIReplies.json, body: outcome.body)
        }
    }

    /// A streamed response crossed Lambda's limit: its invoker's stream has ended, and the
    /// invocation is answered now; the runtime gets 413 once its request ends.
    private func answerOversizedStream() {
        guard let answering else { return }
        _ = state.answer(
            requestID: answering.requestID, invocationID: answering.invocationID, token: token,
            with: .streamed(errorType: "Function.ResponseSizeTooLarge"))
    }

    /// The error type a request names (`Lambda-Runtime-Function-Error-Type`), made safe
    /// to pass on in a header.
    private func errorType(_ head: HTTPRequestHead) -> String {
        head.headers.first(name: "Lambda-Runtime-Function-Error-Type").map(ErrorTypeHeader.clean) ?? "Unhandled"
    }

    /// The error document the runtime posted, or one naming `type` if it posted none.
    private func errorDocument(type: String) -> [UInt8] {
        bodyBytes == 0 ? RuntimeAPIReplies.document(type: type, message: "the runtime reported \(type) with no error document") : bytes()
    }


    private func bytes() -> [UInt8] {
        body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
    }

    private func notFound(_ context: ChannelHandlerContext) {
        write(.notFound, #"{"errorMessage":"Unknown path","errorType":"InvalidRequest"}"#, context: context)
    }

    private func writeInvocation(_ pending: EmulatorState.Pending, context: ChannelHandlerContext) {
        var headers = RuntimeAPIReplies.json
        headers.add(name: "Lambda-Runtime-Aws-Request-Id", value: pending.requestID)
        headers.add(name: "Lambda-Runtime-Deadline-Ms", value: String(pending.deadlineMs))
        headers.add(name: "Lambda-Runtime-Invoked-Function-Arn", value: state.configuration.functionARN)
        headers.add(name: "Lambda-Runtime-Trace-Id", value: pending.traceID)
        headers.add(name: "Lambda-Runtime-Invocation-Id", value: pending.invocationID)
        if let value = pending.invocation.clientContext { headers.add(name: "Lambda-Runtime-Client-Context", value: value) }
        if let value = pending.invocation.cognitoIdentity {
            headers.add(name: "Lambda-Runtime-Cognito-Identity", value: value)
        }
        if let value = pending.invocation.tenantID { headers.add(name: "Lambda-Runtime-Aws-Tenant-Id", value: value) }
        var buffer = context.channel.allocator.buffer(capacity: pending.invocation.payload.count)
        buffer.writeBytes(pending.invocation.payload)
        send(.ok, headers: headers, body: buffer, context: context)
    }

    private func write(
        _ status: HTTPResponseStatus,
        _ json: String,
        extraHeaders: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        var headers = RuntimeAPIReplies.json
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        send(status, headers: headers, body: context.channel.allocator.buffer(string: json), context: context)
    }

    private func send(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, context: ChannelHandlerContext) {
        context.writeResponse(status, headers: headers, body: body, keepAlive: keepAlive)
    }
}
