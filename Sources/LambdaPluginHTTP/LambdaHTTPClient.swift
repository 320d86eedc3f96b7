import CLambdaPlugin
import LambdaPlugin

/// Outbound HTTP(S) through the host's connection pool: synchronous, as the handler has
/// its own thread.
///
/// ```swift
/// let response = try context.http.get("https://api.example.com/items/1")
/// let item = try response.decode(Item.self)
/// ```
///
/// In an init hook, make one from the hook's `host` (`LambdaHTTPClient(host: host)`); it
/// sends with no invocation. The host owns the connections and TLS; the plugin links no
/// HTTP library. Each call copies the response out of the host's memory into Swift values,
/// so they stay valid as long as the plugin keeps them.
public struct LambdaHTTPClient {
    let host: UnsafePointer<lambda_host_api>?
    let invocation: UnsafePointer<lambda_invocation>?

    /// A client for the init or shutdown hook (no invocation).
    public init(host: UnsafePointer<lambda_host_api>) {
        self.host = host
        invocation = nil
    }

    init(host: UnsafePointer<lambda_host_api>?, invocation: UnsafePointer<lambda_invocation>) {
        self.host = host
        self.invocation = invocation
    }

    /// Whether the host offers outbound HTTP (ABI 1.2 or later).
    public var isAvailable: Bool { host.flatMap { HostTable(host: $0).function(\.http_request) } != nil }

    /// GET `url`.
    public func get(_ url: String, headers: [(name: String, value: String)] = []) throws(LambdaHTTPError) -> LambdaHTTPResponse {
        try send(LambdaHTTPRequest(url: url, headers: headers))
    }

    /// POST `body` to `url` with the given Content-Type.
    public func post(_ url: String, body: [UInt8], contentType: String = "application/json") throws(LambdaHTTPError)
        -> LambdaHTTPResponse
    {
        try send(LambdaHTTPRequest(method: "POST", url: url, headers: [("Content-Type", contentType)], body: body))
    }

    /// Sends `request` and returns the whole response, whatever its status. A request with
    /// ``LambdaHTTPRequest/aws`` set is signed by the host; AWS's refusal (403, 400 with an
    /// error document) is a response, not an error here.
    ///
    /// - Throws: ``LambdaHTTPError``: `.notSent` (safe to send again; also: no AWS
    ///   credentials or region), `.failed`, `.invalidRequest`, `.unsupported` (the host
    ///   predates outbound HTTP, or AWS signing for a request to AWS).
    public func send(_ request: LambdaHTTPRequest) throws(LambdaHTTPError) -> LambdaHTTPResponse {
        guard let host, let call = HostTable(host: host).function(\.http_request),
            let lastError = HostTable(host: host).function(\.last_error)
        else {
            throw LambdaHTTPError(.unsupported, "this lambda-host layer predates outbound HTTP (ABI 1.2); update it")
        }
        if request.aws != nil, HostTable(host: host).abiMinor < 3 {
            throw LambdaHTTPError(
                .unsupported, "this lambda-host layer predates AWS signing (ABI 1.3) and would send the request unsigned; update it")
        }
        // Every name and value in one buffer, so that their addresses hold for the call;
        // the AWS service and region too, NUL-terminated.
        var text: [UInt8] = []
        var spans: [(name: Range<Int>, value: Range<Int>)] = []
        for (name, value) in request.headers {
            let nameStart = text.count
            text += name.utf8
            let valueStart = text.count
            text += value.utf8
            spans.append((nameStart..<valueStart, valueStart..<text.count))
        }
        func appendCString(_ value: String?) -> Int? {
            guard let value else { return nil }
            let start = text.count
            text += value.utf8
            text.append(0)
            return start
        }
        let serviceStart = appendCString(request.aws?.service)
        let regionStart = appendCString(request.aws?.region)
        var flags = request.sendsTraceHeader ? 0 : UInt32(LAMBDA_HTTP_NO_TRACE_HEADER)
        if request.aws?.s3PathStyle == true { flags |= UInt32(LAMBDA_HTTP_S3_PATH_STYLE) }
        var response = lambda_http_response()
        response.struct_size = UInt32(MemoryLayout<lambda_http_response>.size)
        let status: lambda_status = text.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            let headers = spans.map { span in
                lambda_http_header(
                    name: base.map { $0 + span.name.lowerBound }, name_size: span.name.count,
                    value: base.map { $0 + span.value.lowerBound }, value_size: span.value.count)
            }
            return headers.withUnsafeBufferPointer { headerTable in
                request.body.withUnsafeBytes { body in
                    request.method.withCString { method in
                        request.url.withCString { url in
                            var fields = lambda_http_request(
                                struct_size: UInt32(MemoryLayout<lambda_http_request>.size), flags: flags,
                                method: method, url: url,
                                headers: headerTable.baseAddress, header_count: headerTable.count,
                                body: body.baseAddress, body_size: body.count, timeout_ms: request.timeoutMilliseconds,
                                aws_service: serviceStart.flatMap { offset in base.map { $0 + offset } },
                                aws_region: regionStart.flatMap { offset in base.map { $0 + offset } })
                            return call(invocation, &fields, &response)
                        }
                    }
                }
            }
        }
        guard status == LAMBDA_OK else {
            let reason = lastError(invocation).map { String(cString: $0) } ?? ""
            switch status {
            case LAMBDA_E_HTTP_NOT_SENT: throw LambdaHTTPError(.notSent, reason)
            case LAMBDA_E_HTTP_FAILED: throw LambdaHTTPError(.failed, reason)
            default: throw LambdaHTTPError(.invalidRequest, reason.isEmpty ? "the host refused the request (status \(status))" : reason)
            }
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(response.header_count)
        for index in 0..<max(0, response.header_count) {
            guard let header = response.headers?[index] else { break }
            headers.append((Self.text(header.name, header.name_size), Self.text(header.value, header.value_size)))
        }
        let body = response.body.map { Array(UnsafeRawBufferPointer(start: $0, count: response.body_size)) } ?? []
        return LambdaHTTPResponse(status: Int(response.status), headers: headers, body: body)
    }

    /// ``send(_:)`` for the AWS helpers, its failure as an ``AWSCallError``.
    func sendToAWS(_ request: LambdaHTTPRequest) throws(AWSCallError) -> LambdaHTTPResponse {
        do throws(LambdaHTTPError) {
            return try send(request)
        } catch {
            throw AWSCallError(error)
        }
    }

    private static func text(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

extension LambdaContext {
    /// Outbound HTTP(S) through the host, for this invocation: requests carry its trace
    /// header and end by its deadline.
    public var http: LambdaHTTPClient {
        LambdaHTTPClient(host: invocation.pointee.host, invocation: invocation)
    }
}
