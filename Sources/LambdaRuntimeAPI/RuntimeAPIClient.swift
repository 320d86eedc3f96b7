/// The runtime's side of the Lambda Runtime API (2018-06-01), over one blocking keep-alive
/// connection.
///
/// Calls: ``next()`` (`GET /runtime/invocation/next`), ``sendResponse(_:for:)`` and
/// ``sendError(type:message:for:)`` (`POST /runtime/invocation/{id}/response|error`),
/// then ``readAnswerReply()`` for the service's answer, ``reportInitError(type:message:)``
/// (`POST /runtime/init/error`), and the Extensions API calls that a runtime needs to
/// receive SIGTERM.
///
/// Cost: one `sendmsg` and one or two `read`s per call; no allocation per invocation once
/// the buffers have grown to the largest event and answer seen. Not thread-safe: one
/// thread drives one client.
public final class RuntimeAPIClient {
    /// Lambda's limit on a buffered response: 6 MiB.
    public static let maxResponseBytes = 6 * 1024 * 1024
    /// The largest event accepted: Lambda's 6 MiB request limit plus the 100 bytes of
    /// envelope the service itself allows.
    public static let maxEventBytes = 6 * 1024 * 1024 + 100

    /// The most of an error message sent; the rest is cut (CloudWatch keeps 256 KiB of
    /// one log event anyway).
    public static let maxErrorMessageBytes = 256 * 1024

    /// The connection, whose buffer holds the last reply.
    public let connection: RuntimeAPIConnection
    private var request = ByteWriter(capacity: 2048)
    private var answering = ""

    /// Creates a client for an endpoint in `AWS_LAMBDA_RUNTIME_API` form: `host:port`,
    /// `[v6-address]:port`. Does not connect yet.
    public init(endpoint: String) throws(RuntimeAPIError) {
        let (host, port) = try Self.parse(endpoint: endpoint)
        connection = RuntimeAPIConnection(host: host, port: port)
    }

    static func parse(endpoint: String) throws(RuntimeAPIError) -> (String, UInt16) {
        let bad = RuntimeAPIError(
            .badEndpoint, "AWS_LAMBDA_RUNTIME_API is '\(endpoint)'; expected host:port, e.g. 127.0.0.1:9001")
        guard let colon = endpoint.utf8.lastIndex(of: 58) else { throw bad }
        var host = String(endpoint[..<colon])
        let portText = endpoint[endpoint.index(after: colon)...]
        guard let port = UInt16(portText), port > 0, !host.isEmpty else { throw bad }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    // MARK: Invocations

    /// Waits for the next invocation (blocking, without a timeout: Lambda freezes the
    /// process between invocations). The returned invocation points into the
    /// connection's buffer and is valid until the next call on this client.
    ///
    /// - Throws: ``RuntimeAPIError`` for a 500 or any other non-200 reply, a lost
    ///   connection, a malformed reply or a reply without a request id.
    public func next() throws(RuntimeAPIError) -> NextInvocation {
        let what = "GET /runtime/invocation/next"
        let head: StaticString = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n"
        try connection.send(
            head: UnsafeRawBufferPointer(start: head.utf8Start, count: head.utf8CodeUnitCount),
            body: UnsafeRawBufferPointer(start: nil, count: 0), what: what)
        let reply = try connection.readReply(maxBody: Self.maxEventBytes, what: what)
        try check(reply, expected: 200, what: what)
        guard reply.requestID.isPresent, reply.requestID.count > 0 else {
            throw RuntimeAPIError(.malformedReply, "the reply to \(what) has no Lambda-Runtime-Aws-Request-Id")
        }
        return NextInvocation(reply: reply, connection: connection)
    }

    /// Sends `body` as the response to `invocation`, echoing its invocation id. Does not
    /// wait for the service's answer: call ``readAnswerReply()`` for that.
    public func sendResponse(_ body: UnsafeRawBufferPointer, for invocation: NextInvocation) throws(RuntimeAPIError) {
        startAnswer(to: invocation, isError: false)
        request.append("Content-Length: ")
        request.append(decimal: body.count)
        request.append("\r\n\r\n")
        try connection.send(head: request.bytes, body: body, what: "POST /runtime/invocation/{id}/response")
    }

    /// Sends an error for `invocation`: the `Lambda-Runtime-Function-Error-Type` header
    /// and the body `{"errorMessage", "errorType", "stackTrace": []}`. Does not wait for
    /// the service's answer: call ``readAnswerReply()`` for that.
    public func sendError(type: String, message: String, for invocation: NextInvocation) throws(RuntimeAPIError) {
        startAnswer(to: invocation, isError: true)
        try finishError(type: type, message: message, what: "POST /runtime/invocation/{id}/error")
    }

    // MARK: Streaming

    /// Starts a streamed response to `invocation` (`Lambda-Runtime-Function-Response-Mode:
    /// streaming`, chunked, with the error trailers declared). Chunks follow with
    /// ``sendChunk(_:)`` and the end with ``sendStreamEnd(errorType:errorMessage:)``.
    public func sendStreamHead(contentType: String?, for invocation: NextInvocation) throws(RuntimeAPIError) {
        startAnswer(to: invocation, isError: false)
        request.append("Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n")
        request.append("Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\nContent-Type: ")
        var type = contentType ?? "application/octet-stream"
        type.withUTF8 { request.append(headerValue: UnsafeRawBufferPointer($0)) }
        request.append("\r\n\r\n")
        try connection.send(head: request.bytes, body: UnsafeRawBufferPointer(start: nil, count: 0), what: streaming)
    }

    /// Sends one chunk of a streamed response at once: its size line, the bytes straight
    /// from the caller's memory, and the CRLF, in one `sendmsg`. An empty chunk is not
    /// sent (it would end the stream).
    public func sendChunk(_ data: UnsafeRawBufferPointer) throws(RuntimeAPIError) {
        guard data.count > 0 else { return }
        request.reset()
        request.append(hex: data.count)
        request.append("\r\n")
        let crlf: StaticString = "\r\n"
        try connection.send(
            head: request.bytes, body: data, tail: UnsafeRawBufferPointer(start: crlf.utf8Start, count: 2), what: streaming)
    }

    /// Ends a streamed response, with an error in the trailers when `errorType` is given
    /// (its body, `{"errorMessage","errorType","stackTrace":[]}`, in base64).
    public func sendStreamEnd(errorType: String? = nil, errorMessage: String = "") throws(RuntimeAPIError) {
        request.reset()
        request.append("0\r\n")
        if let errorType {
            let document = appendErrorType(errorType, thenDocumentFor: errorMessage)
            request.append("\r\nLambda-Runtime-Function-Error-Body: ")
            request.append(base64: document.bytes)
            request.append("\r\n")
        }
        request.append("\r\n")
        try connection.send(head: request.bytes, body: UnsafeRawBufferPointer(start: nil, count: 0), what: streaming)
    }

    private let streaming = "POST /runtime/invocation/{id}/response (streaming)"

    /// Reads the service's answer to the last response or error sent, and returns its
    /// status: 202 when accepted; 400, 403, 410 or 413 when refused.
    ///
    /// - Throws: ``RuntimeAPIError`` for a 500, a lost connection or a malformed reply.
    public func readAnswerReply() throws(RuntimeAPIError) -> Int {
        let reply = try connection.readReply(maxBody: 64 * 1024, what: answering, keepingPrevious: true)
        if reply.status == 500 { try check(reply, expected: 202, what: answering) }
        return reply.status
    }

    /// The text of the last reply's body (allocates; for logs).
    public var lastReplyText: String { connection.lastBodyText }

    /// Reports an initialization failure (`POST /runtime/init/error`) and waits for the
    /// answer. After it the runtime must exit.
    public func reportInitError(type: String, message: String) throws(RuntimeAPIError) -> Int {
        let what = "POST /runtime/init/error"
        request.reset()
        request.append("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: lambda\r\n")
        answering = what
        try finishError(type: type, message: message, what: what)
        return try readAnswerReply()
    }

    // MARK: Extensions API

    /// Registers an internal extension that subscribes to no event
    /// (`POST /2020-01-01/extension/register`). Lambda sends SIGTERM to a runtime only
    /// when some extension is registered. Returns the extension identifier, or nil when
    /// the service has no Extensions API (it answered 404).
    public func registerExtension(name: String) throws(RuntimeAPIError) -> String? {
        let what = "POST /2020-01-01/extension/register"
        let body: StaticString = "{\"events\":[]}"
        request.reset()
        request.append("POST /2020-01-01/extension/register HTTP/1.1\r\nHost: lambda\r\nLambda-Extension-Name: ")
        request.append(name)
        request.append("\r\nContent-Type: application/json\r\nContent-Length: ")
        request.append(decimal: body.utf8CodeUnitCount)
        request.append("\r\n\r\n")
        try connection.send(
            head: request.bytes, body: UnsafeRawBufferPointer(start: body.utf8Start, count: body.utf8CodeUnitCount),
            what: what)
        let reply = try connection.readReply(maxBody: 64 * 1024, what: what)
        if reply.status == 404 { return nil }
        try check(reply, expected: 200, what: what)
        guard reply.extensionID.isPresent else {
            throw RuntimeAPIError(.malformedReply, "the reply to \(what) has no Lambda-Extension-Identifier")
        }
        return connection.string(reply.extensionID)
    }

    /// Waits for the next extension event (`GET /2020-01-01/extension/event/next`). An
    /// extension that subscribed to no event is never woken: this call blocks for the
    /// life of the environment, which is what Lambda expects of it.
    public func waitForExtensionEvent(identifier: String) throws(RuntimeAPIError) {
        let what = "GET /2020-01-01/extension/event/next"
        request.reset()
        request.append("GET /2020-01-01/extension/event/next HTTP/1.1\r\nHost: lambda\r\nLambda-Extension-Identifier: ")
        request.append(identifier)
        request.append("\r\n\r\n")
        try connection.send(head: request.bytes, body: UnsafeRawBufferPointer(start: nil, count: 0), what: what)
        let reply = try connection.readReply(maxBody: 1024 * 1024, what: what)
        try check(reply, expected: 200, what: what)
    }

    // MARK: Helpers

    private func startAnswer(to invocation: NextInvocation, isError: Bool) {
        request.reset()
        request.append("POST /2018-06-01/runtime/invocation/")
        request.append(pathSegment: invocation.bytes(of: invocation.reply.requestID))
        request.append(isError ? "/error" : "/response")
        request.append(" HTTP/1.1\r\nHost: lambda\r\n")
        if invocation.reply.invocationID.isPresent {
            request.append("Lambda-Runtime-Invocation-Id: ")
            request.append(headerValue: invocation.bytes(of: invocation.reply.invocationID))
            request.append("\r\n")
        }
        answering = isError ? "POST /runtime/invocation/{id}/error" : "POST /runtime/invocation/{id}/response"
    }

    private func finishError(type: String, message: String, what: String) throws(RuntimeAPIError) {
        let body = appendErrorType(type, thenDocumentFor: message)
        request.append("\r\nContent-Type: application/vnd.aws.lambda.error+json\r\n")
        request.append("Content-Length: ")
        request.append(decimal: body.count)
        request.append("\r\n\r\n")
        try connection.send(head: request.bytes, body: body.bytes, what: what)
    }

    /// Appends `Lambda-Runtime-Function-Error-Type: <type>` (no line end) to the request,
    /// and returns Lambda's error document for `type` and `message`:
    /// `{"errorMessage","errorType","stackTrace":[]}`, the message cut at
    /// ``maxErrorMessageBytes``.
    private func appendErrorType(_ type: String, thenDocumentFor message: String) -> ByteWriter {
        var document = ByteWriter(capacity: 256 + min(message.utf8.count, Self.maxErrorMessageBytes))
        var type = type
        var message = message
        type.withUTF8 { typeBytes in
            message.withUTF8 { messageBytes in
                request.append("Lambda-Runtime-Function-Error-Type: ")
                request.append(headerValue: UnsafeRawBufferPointer(typeBytes))
                document.append("{\"errorMessage\":\"")
                document.append(
                    jsonEscaped: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(messageBytes).prefix(Self.maxErrorMessageBytes)))
                document.append("\",\"errorType\":\"")
                document.append(jsonEscaped: UnsafeRawBufferPointer(typeBytes))
                document.append("\",\"stackTrace\":[]}")
            }
        }
        return document
    }

    private func check(_ reply: HTTPReply, expected: Int, what: String) throws(RuntimeAPIError) {
        guard reply.status != expected else { return }
        let detail = connection.lastBodyText
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        if reply.status == 500 {
            throw RuntimeAPIError(.containerError, "the Runtime API answered 500 to \(what)\(suffix)")
        }
        throw RuntimeAPIError(.unexpectedStatus, "the Runtime API answered \(reply.status) to \(what)\(suffix)")
    }
}
