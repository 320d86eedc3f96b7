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
    /// Where the streamed response being received goes, chunk by chunk.
    private var passThrough: (any ResponseStream)?

    /// The invoker's stream, for a streamed `/response` to an invocation that has one.
    private func streamTarget(of head: HTTPRequestHead) -> (any ResponseStream)? {
        guard head.method == .POST,
            head.headers.first(name: "Lambda-Runtime-Function-Response-Mode")?.lowercased() == "streaming",
            head.uri.hasPrefix("/2018-06-01/runtime/invocation/"), head.uri.hasSuffix("/response")
        else { return nil }
        let id = head.uri.dropFirst("/2018-06-01/runtime/invocation/".count).dropLast("/response".count)
        return state.stream(for: String(id))
    }

    init(state: EmulatorState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            bodyBytes = 0
            passThrough = streamTarget(of: requestHead)
            passThrough?.begin(contentType: requestHead.headers.first(name: "Content-Type") ?? "application/octet-stream")
        case .body(var chunk):
            if let passThrough {
                passThrough.write(chunk)
                return
            }
            bodyBytes += chunk.readableBytes
            if bodyBytes <= Self.maxResponseBytes { body.writeBuffer(&chunk) }
        case .end(let trailers):
            guard let head else { return }
            self.head = nil
            self.trailers = trailers
            route(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.forget(token: ObjectIdentifier(self))
        context.fireChannelInactive()
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        keepAlive = head.isKeepAlive
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let invocationPrefix = "/2018-06-01/runtime/invocation/"
        switch (head.method, path) {
        case (.GET, "/2018-06-01/runtime/invocation/next"):
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            state.next(token: ObjectIdentifier(self)) { [self] pending in
                writeInvocation(pending, context: loopBound.value)
            }
        case (.POST, "/2018-06-01/runtime/init/error"):
            state.recordInitError(.error(type: errorType(head), body: bytes()))
            write(.accepted, #"{"status":"OK"}"#, context: context)
        case (.POST, let p) where p.hasPrefix(invocationPrefix):
            let rest = p.dropFirst(invocationPrefix.count).split(separator: "/")
            guard rest.count == 2, rest[1] == "response" || rest[1] == "error" else {
                return reject(path, context: context)
            }
            let requestID = String(rest[0])
            let invocationID = head.headers.first(name: "Lambda-Runtime-Invocation-Id")
            if rest[1] == "response" && bodyBytes > Self.maxResponseBytes {
                let message = "Exceeded maximum allowed payload size (\(Self.maxResponseBytes) bytes)."
                return write(
                    .payloadTooLarge, #"{"errorMessage":"\#(message)","errorType":"RequestEntityTooLarge"}"#,
                    context: context)
            }
            let result: InvocationResult
            if let passThrough {
                self.passThrough = nil
                let type = trailers?.first(name: "Lambda-Runtime-Function-Error-Type")
                let document = trailers?.first(name: "Lambda-Runtime-Function-Error-Body").flatMap { Base64.decode($0).map { String(decoding: $0, as: UTF8.self) } }
                passThrough.end(errorType: type, errorBody: document.map { Array($0.utf8) })
                result = .streamed(errorType: type)
            } else if rest[1] == "error" {
                result = .error(type: errorType(head), body: bytes())
            } else if let type = trailers?.first(name: "Lambda-Runtime-Function-Error-Type") {
                // An error after the first byte of a stream.
                let document = trailers?.first(name: "Lambda-Runtime-Function-Error-Body").flatMap { Base64.decode($0).map { String(decoding: $0, as: UTF8.self) } }
                result = .error(type: type, body: Array((document ?? #"{"errorType":"\#(type)"}"#).utf8))
            } else {
                result = .response(bytes())
            }
            let status = state.answer(requestID: requestID, invocationID: invocationID, with: result)
            switch status {
            case .accepted:
                write(.accepted, #"{"status":"OK"}"#, context: context)
            case .gone:
                write(
                    .gone, #"{"errorMessage":"Invoke timed out or was answered","errorType":"InvalidInvocationId"}"#,
                    context: context)
            default:
                write(
                    .badRequest, #"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#,
                    context: context)
            }
        case (.POST, "/2020-01-01/extension/register"):
            write(
                .ok, #"{"functionName":"\#(state.configuration.functionName)","functionVersion":"$LATEST"}"#,
                extraHeaders: [("Lambda-Extension-Identifier", EmulatorState.uuid())], context: context)
        case (.GET, "/2020-01-01/extension/event/next"):
            // An extension that subscribed to nothing waits here for the emulator's life.
            break
        default:
            reject(path, context: context)
        }
    }

    /// 405 naming the method for a known path asked with another method; 404 otherwise.
    private func reject(_ path: String, context: ChannelHandlerContext) {
        if let allowed = Self.allowedMethod(path) {
            let text = #"{"errorMessage":"use \#(allowed) for \#(path)","errorType":"MethodNotAllowed"}"#
            write(.methodNotAllowed, text, extraHeaders: [("Allow", allowed)], context: context)
        } else {
            notFound(context)
        }
    }

    /// The method a known path takes, for a 405 that names it.
    static func allowedMethod(_ path: String) -> String? {
        if path == "/2018-06-01/runtime/invocation/next" || path == "/2020-01-01/extension/event/next" { return "GET" }
        if path == "/2018-06-01/runtime/init/error" || path == "/2020-01-01/extension/register" { return "POST" }
        let prefix = "/2018-06-01/runtime/invocation/"
        if path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count).split(separator: "/")
            if rest.count == 2 && (rest[1] == "response" || rest[1] == "error") { return "POST" }
        }
        return nil
    }

    private func errorType(_ head: HTTPRequestHead) -> String {
        head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
    }

    private func bytes() -> [UInt8] {
        body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
    }

    private func notFound(_ context: ChannelHandlerContext) {
        write(.notFound, #"{"errorMessage":"Unknown path","errorType":"InvalidRequest"}"#, context: context)
    }

    private func writeInvocation(_ pending: EmulatorState.Pending, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
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
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        send(status, headers: headers, body: context.channel.allocator.buffer(string: json), context: context)
    }

    private func send(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, context: ChannelHandlerContext) {
        context.writeResponse(status, headers: headers, body: body, keepAlive: keepAlive)
    }
}
