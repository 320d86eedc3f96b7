import CLambdaOutbound
import CLambdaPlugin
import CLambdaSystem
import LambdaOutbound

extension OutboundServices {
    /// Checks the C request, sends it, and describes the response in `response`.
    static func perform(
        _ request: UnsafePointer<lambda_http_request>?,
        _ response: UnsafeMutablePointer<lambda_http_response>?,
        lane: OutboundState.Lane,
        deadline callDeadline: Int64,
        started: Int64,
        outbound: OutboundState
    ) -> lambda_status {
        guard let request, let response else {
            return refuse(lane, "the request or the response pointer is NULL")
        }
        // Sizes first: a plugin's struct may be shorter than this host's (a v1.2 struct has
        // no AWS fields; shorter than v1.2 is refused) or longer (a newer plugin: the
        // fields this host does not know are ignored).
        let requestDeclared = Int(UnsafeRawPointer(request).load(as: UInt32.self))
        let responseDeclared = Int(UnsafeRawPointer(response).load(as: UInt32.self))
        guard responseDeclared >= responseSize else {
            return refuse(lane, "response.struct_size is \(responseDeclared), less than the \(responseSize) bytes of an ABI 1.2 lambda_http_response; set it to sizeof(lambda_http_response)")
        }
        // Cleared before anything else is checked, so that every failed call leaves status
        // 0 and no pointer of an earlier response.
        response.pointee = lambda_http_response(
            struct_size: UInt32(responseDeclared), status: 0, headers: nil, header_count: 0, body: nil, body_size: 0)
        guard requestDeclared >= requestSize else {
            return refuse(lane, "request.struct_size is \(requestDeclared), less than the \(requestSize) bytes of an ABI 1.2 lambda_http_request; set it to sizeof(lambda_http_request)")
        }
        // Only the bytes the plugin declared are read; the fields after them stay zero.
        var fields = lambda_http_request()
        withUnsafeMutableBytes(of: &fields) { $0.copyMemory(from: UnsafeRawBufferPointer(start: request, count: min(requestDeclared, $0.count))) }
        guard let url = fields.url else { return refuse(lane, "request.url is NULL; give an absolute http:// or https:// URL") }
        let urlLength = strnlen(url, maxURLBytes + 1)
        guard urlLength <= maxURLBytes else { return refuse(lane, "request.url is longer than \(maxURLBytes) bytes") }
        // A string literal's bytes are static and NUL-terminated.
        let methodText = fields.method ?? UnsafeRawPointer(("GET" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
        let methodLength = strnlen(methodText, maxMethodBytes + 1)
        guard methodLength <= maxMethodBytes else { return refuse(lane, "request.method is longer than \(maxMethodBytes) bytes") }
        guard fields.header_count >= 0, fields.header_count <= maxHeaders else {
            return refuse(lane, "request.header_count is \(UInt(bitPattern: fields.header_count)); at most \(maxHeaders) headers are sent")
        }
        guard fields.header_count == 0 || fields.headers != nil else {
            return refuse(lane, "request.headers is NULL while header_count is \(fields.header_count)")
        }
        guard fields.body_size >= 0, fields.body_size == 0 || fields.body != nil else {
            return refuse(lane, "request.body is NULL while body_size is \(UInt(bitPattern: fields.body_size))")
        }
        guard fields.body_size <= maxBodyBytes else {
            return refuse(lane, "request.body_size is \(fields.body_size); at most \(maxBodyBytes) bytes (1 GiB) are sent")
        }
        guard fields.timeout_ms >= 0 else {
            return refuse(lane, "request.timeout_ms is \(fields.timeout_ms); give 0 (until the deadline) or a positive number of milliseconds")
        }
        let headers = CHeaders(base: fields.headers, count: fields.header_count)
        if let problem = headers.problem(maxBytes: maxHeaderBytes) { return refuse(lane, problem) }
        var deadline = callDeadline
        if fields.timeout_ms > 0 {
            let (limit, overflow) = started.addingReportingOverflow(fields.timeout_ms)
            if !overflow { deadline = min(deadline, limit) }
        }
        let session = lane.session
        let method = UnsafeRawBufferPointer(start: methodText, count: methodLength)
        var urlBytes = UnsafeBufferPointer(start: UnsafeRawPointer(url).assumingMemoryBound(to: UInt8.self), count: urlLength)
        let body = UnsafeRawBufferPointer(start: fields.body, count: fields.body_size)
        let traceWanted = fields.flags & UInt32(LAMBDA_HTTP_NO_TRACE_HEADER) == 0
        // An AWS request's URL (the endpoint and the plugin's path), owned here.
        var awsURL: UnsafeMutableBufferPointer<UInt8>? = nil
        defer { awsURL?.deallocate() }
        let tracing = OutboundTracing(emitter: outbound.xray, trace: lane.trace.bytes(true))
        var awsCall: OutboundTracing.AWSCall? = nil
        do throws(OutboundError) {
            guard deadline > lh_monotonic_ms() else {
                throw OutboundError(.timeout, sent: false, "not sent: the invocation's time is up")
            }
            var signing: AWSRequestSigning? = nil
            if let service = fields.aws_service {
                let aws = try AWSRequest.prepare(
                    service: service, region: fields.aws_region, url: urlBytes,
                    pathStyle: fields.flags & UInt32(LAMBDA_HTTP_S3_PATH_STYLE) != 0, body: body, session: session,
                    deadline: deadline, outbound: outbound)
                awsURL = aws.url
                urlBytes = UnsafeBufferPointer(aws.url)
                signing = aws.signing
                awsCall = OutboundTracing.AWSCall(service: aws.signing.signer.service, region: aws.signing.signer.region)
            }
            let status = try session.send(
                method: method, url: urlBytes, headers: headers, body: body, traceID: lane.trace.bytes(traceWanted),
                deadline: deadline, signing: signing)
            try session.withResponse { (buffer) throws(OutboundError) in
                try describe(buffer, status: status, in: response, lane: lane)
                tracing?.record(
                    method: String(decoding: method, as: UTF8.self), url: String(decoding: urlBytes, as: UTF8.self), aws: awsCall,
                    target: target(headers, tracing), status: status, length: buffer.body.count,
                    requestID: OutboundTracing.requestID(buffer), failure: nil)
            }
            lane.setError("")
            return LAMBDA_OK
        } catch {
            var what = String(decoding: method, as: UTF8.self) + " " + OutboundURL.redacted(String(decoding: urlBytes, as: UTF8.self))
            // A path that never became a URL (signing failed first): say which service it was for.
            if awsURL == nil, let service = fields.aws_service {
                what += " (" + String(decoding: UnsafeRawBufferPointer(start: service, count: strnlen(service, AWSRequest.maxNameBytes)), as: UTF8.self) + ")"
            }
            if error.code == .invalidRequest { return refuse(lane, "\(what): \(error.message)") }
            lane.setError("\(what): \(error.message)")
            tracing?.record(
                method: String(decoding: method, as: UTF8.self), url: String(decoding: urlBytes, as: UTF8.self), aws: awsCall,
                target: target(headers, tracing), status: nil, length: nil, requestID: nil, failure: error.message)
            return error.sent ? LAMBDA_E_HTTP_FAILED : LAMBDA_E_HTTP_NOT_SENT
        }
    }

    /// Fills the plugin's response struct from the session's response.
    private static func describe(
        _ buffer: borrowing ResponseBuffer, status: Int, in response: UnsafeMutablePointer<lambda_http_response>, lane: OutboundState.Lane
    ) throws(OutboundError) {
        let count = buffer.fieldCount
        guard let table = lane.headerTable(count) else {
            throw OutboundError(.io, sent: true, "sent, then the host ran out of memory for the response's headers")
        }
        for index in 0..<count {
            guard let field = buffer.field(at: index) else { break }
            table[index] = lambda_http_header(
                name: buffer.pointer(field.name), name_size: field.name.count,
                value: buffer.pointer(field.value), value_size: field.value.count)
        }
        let body = buffer.body
        response.pointee.status = Int32(clamping: status)
        response.pointee.headers = UnsafePointer(table)
        response.pointee.header_count = count
        response.pointee.body = body.baseAddress?.assumingMemoryBound(to: CChar.self)
        response.pointee.body_size = body.count
    }

    /// The plugin's X-Amz-Target header, looked for only when the call is traced.
    private static func target(_ headers: CHeaders, _ tracing: OutboundTracing?) -> String? {
        guard tracing != nil else { return nil }
        for header in headers where header.name.count == 12 {
            if String(decoding: header.name, as: UTF8.self).lowercased() == "x-amz-target" {
                return String(decoding: header.value.prefix(256), as: UTF8.self)
            }
        }
        return nil
    }

    private static func refuse(_ lane: OutboundState.Lane, _ message: String) -> lambda_status {
        invalid(lane, "http_request", message)
    }

}

/// A plugin's header array, read as ``OutboundHeader``s without copying.
struct CHeaders: Sequence {
    let base: UnsafePointer<lambda_http_header>?
    let count: Int

    /// Why the array cannot be sent (a NULL with a size, sizes over the limit), or nil.
    func problem(maxBytes: Int) -> String? {
        guard let base else { return nil }
        var total = 0
        for index in 0..<count {
            let header = base[index]
            guard header.name_size > 0, header.name != nil else {
                return "request.headers[\(index)] has no name (NULL or name_size 0)"
            }
            guard header.value_size >= 0, header.value_size == 0 || header.value != nil else {
                return "request.headers[\(index)].value is NULL while value_size is \(UInt(bitPattern: header.value_size))"
            }
            guard header.name_size <= maxBytes, header.value_size <= maxBytes else {
                return "request.headers[\(index)] is larger than \(maxBytes) bytes"
            }
            total += header.name_size + header.value_size + 4
            guard total <= maxBytes else { return "the request's headers are larger than \(maxBytes) bytes together" }
        }
        return nil
    }

    func makeIterator() -> Iterator { Iterator(base: base, count: count) }

    struct Iterator: IteratorProtocol {
        let base: UnsafePointer<lambda_http_header>?
        let count: Int
        var index = 0

        mutating func next() -> OutboundHeader? {
            guard let base, index < count else { return nil }
            let header = base[index]
            index += 1
            return OutboundHeader(
                name: UnsafeRawBufferPointer(start: header.name, count: header.name_size),
                value: UnsafeRawBufferPointer(start: header.value, count: header.value_size))
        }
    }
}
