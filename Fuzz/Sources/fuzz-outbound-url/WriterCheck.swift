import FuzzCheck

@testable import LambdaOutbound
@testable import LambdaRuntimeAPI

/// Writes the request that `parts` describe (after the URL: the method, the trace id, then
/// header names and values in turn) and checks the writer against a plain second check
/// and a plain second writing: it accepts exactly what it should, and writes exactly the
/// expected head, whose only CRs and LFs are the CRLFs that end its lines.
func checkWriter(url: OutboundURL, parts: [[UInt8]], settings: UInt8) {
    let method = parts.count > 1 ? parts[1] : Array("GET".utf8)
    let trace: [UInt8]? = settings & 1 != 0 ? (parts.count > 2 ? parts[2] : []) : nil
    let bodyLength = [0, 1, 12345, -1][Int(settings >> 1 & 3)]
    var pairs: [(name: [UInt8], value: [UInt8])] = []
    var index = 3
    while index < parts.count && pairs.count < 8 {
        pairs.append((parts[index], index + 1 < parts.count ? parts[index + 1] : []))
        index += 2
    }

    // What the writer must accept, and write.
    let refusedNames = ["te", "host", "expect", "upgrade", "trailer", "connection", "keep-alive", "content-length", "transfer-encoding"]
    let oneLine = { (value: [UInt8]) in !value.contains { $0 == 13 || $0 == 10 || $0 == 0 } }
    let lower = { (name: [UInt8]) in String(decoding: name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self) }
    let hasUserAgent = pairs.contains { lower($0.name) == "user-agent" }
    let hasTrace = pairs.contains { lower($0.name) == "x-amzn-trace-id" }
    let valid =
        (1...64).contains(method.count) && method.allSatisfy(HTTPText.isTokenByte) && method != Array("CONNECT".utf8)
        && bodyLength >= 0
        && pairs.allSatisfy { !$0.name.isEmpty && $0.name.allSatisfy(HTTPText.isTokenByte) && !refusedNames.contains(lower($0.name)) && oneLine($0.value) }
        && (hasTrace || trace.map(oneLine) ?? true)
    var expected = method + [32] + Array(url.target.utf8) + Array(" HTTP/1.1\r\nHost: ".utf8) + Array(url.hostHeader.utf8) + [13, 10]
    for pair in pairs { expected += pair.name + Array(": ".utf8) + pair.value + [13, 10] }
    if !hasUserAgent { expected += Array("User-Agent: lambda-host\r\n".utf8) }
    if let trace, !hasTrace { expected += Array("X-Amzn-Trace-Id: ".utf8) + trace + [13, 10] }
    let sendsLength = bodyLength > 0 || ["POST", "PUT", "PATCH"].contains { method == Array($0.utf8) }
    if sendsLength {
        expected += Array("Content-Length: \(bodyLength)\r\n".utf8)
    }
    expected += [13, 10]
    let lines = 2 + pairs.count + (hasUserAgent ? 0 : 1) + (trace != nil && !hasTrace ? 1 : 0)
        + (sendsLength ? 1 : 0) + 1

    var writer = HTTPRequestWriter(capacity: 16)
    let written: [UInt8]?
    do {
        written = try withHeaders(pairs) { headers in
            try method.withUnsafeBytes { m in
                try withOptional(trace) { t in
                    try writer.write(method: m, url: url, headers: headers, bodyLength: bodyLength, traceID: t)
                    return Array(writer.bytes)
                }
            }
        }
    } catch let error as OutboundError {
        require(error.code == .invalidRequest && !error.sent, "the writer failed with \(error.code), sent \(error.sent)")
        require(!error.message.isEmpty, "an error without a message")
        require(!valid, "the writer refused a valid request: \(error)")
        return
    } catch {
        require(false, "the writer threw \(error)")
        return
    }
    guard let written else { return }
    require(valid, "the writer accepted an invalid request: \(String(decoding: written, as: UTF8.self).debugDescription)")
    require(written == expected, "the head \(String(decoding: written, as: UTF8.self).debugDescription) is not \(String(decoding: expected, as: UTF8.self).debugDescription)")
    var crlf = 0
    var cr = 0
    var lf = 0
    for i in written.indices {
        if written[i] == 13 { cr += 1 }
        if written[i] == 10 { lf += 1 }
        if written[i] == 13 && i + 1 < written.count && written[i + 1] == 10 { crlf += 1 }
    }
    require(crlf == lines && cr == lines && lf == lines, "\(crlf) CRLFs, \(cr) CRs and \(lf) LFs in a head of \(lines) lines")
    require(!written.contains(0), "a NUL in the head")
}

/// Calls `body` with the pairs as OutboundHeaders over bytes that live for the call.
private func withHeaders<T>(_ pairs: [(name: [UInt8], value: [UInt8])], _ body: ([OutboundHeader]) throws -> T) rethrows -> T {
    let flat = pairs.flatMap { $0.name + $0.value }
    return try flat.withUnsafeBytes { all in
        var headers: [OutboundHeader] = []
        var at = 0
        for pair in pairs {
            let name = UnsafeRawBufferPointer(rebasing: all[at..<at + pair.name.count])
            at += pair.name.count
            let value = UnsafeRawBufferPointer(rebasing: all[at..<at + pair.value.count])
            at += pair.value.count
            headers.append(OutboundHeader(name: name, value: value))
        }
        return try body(headers)
    }
}

private func withOptional<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
