import FuzzCheck

@testable import LambdaOutbound
@testable import LambdaRuntimeAPI

/// Fuzzes the outbound HTTP response parser (HTTPResponseParser and its head parsing) with
/// the bytes a remote server sends.
///
/// Input: a byte of settings (bit 0: the request was HEAD; bits 1-2: the body cap), a byte
/// k, then k % 8 two-byte offsets where the stream is cut, then the bytes the server
/// sends. One parser reads the stream fed in those pieces, then finishAtEOF; it is reset
/// and reads the same stream fed whole. Both readings must agree (a differential check of
/// the piecewise state machine against the one-piece path, and of `reset`): the same
/// status, framing, header fields, body and bytes consumed, or the same error code. Each
/// reading must also hold on its own: `consumed` within what was fed, the body within the
/// cap and NUL-terminated, a final status of 200...999, every header's name and value
/// inside the head and NUL-terminated, and the body's length what the head announced.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (settings, cuts, stream) = settingsCutsAndStream(data, size) else { return 0 }
    let offsets = cuts.map { $0 % (stream.count + 1) }.sorted()
    let isHEAD = settings & 1 != 0
    let maxBody = [4096, 0, 7, 300][Int(settings >> 1 & 3)]

    var pieces: [Range<Int>] = []
    var start = 0
    for offset in offsets + [stream.count] {
        pieces.append(start..<offset)
        start = offset
    }
    // A small first buffer, so that both readings grow it.
    var parser = HTTPResponseParser(isHEAD: isHEAD, maxBody: maxBody, bufferCapacity: 0)
    let cut = read(stream, in: pieces, with: &parser, isHEAD: isHEAD)
    parser.reset(isHEAD: isHEAD, maxBody: maxBody)
    let whole = read(stream, in: [0..<stream.count], with: &parser, isHEAD: isHEAD)
    require(cut == whole, "fed in pieces \(pieces): \(cut); fed whole: \(whole)")
    return 0
}

/// What one reading of the stream ended with.
enum Outcome: Equatable, CustomStringConvertible {
    case complete(Response)
    case failed(OutboundError.Code)

    var description: String {
        switch self {
        case .complete(let response): "complete \(response)"
        case .failed(let code): "failed with \(code)"
        }
    }
}

/// A complete response as the parser left it.
struct Response: Equatable {
    var consumed: Int
    var status: Int
    var keepAlive: Bool
    var chunked: Bool
    var contentLength: Int?
    var fields: [[UInt8]]
    var body: [UInt8]
}

/// Feeds `stream` to `parser` in `pieces`, then tells it the connection closed, checking
/// what each reading must hold on its own.
func read(_ stream: [UInt8], in pieces: [Range<Int>], with parser: inout HTTPResponseParser, isHEAD: Bool) -> Outcome {
    var consumed: Int?
    do {
        for piece in pieces {
            let progress = try stream.withUnsafeBytes { all in
                try parser.feed(UnsafeRawBufferPointer(rebasing: all[piece]))
            }
            if case .complete(let used) = progress {
                require(used >= 0 && used <= piece.count, "consumed \(used) of a piece of \(piece.count) bytes")
                require(parser.isComplete, "complete, but isComplete is false")
                consumed = piece.lowerBound + used
                break
            }
            require(!parser.isComplete, "needMore, but isComplete is true")
        }
        let bodyBefore = parser.isComplete ? Array(parser.buffer.body) : nil
        try parser.finishAtEOF()
        require(parser.isComplete, "finishAtEOF returned, but the response is not complete")
        if let bodyBefore { require(Array(parser.buffer.body) == bodyBefore, "finishAtEOF changed a complete body") }
    } catch let error as OutboundError {
        let expected: [OutboundError.Code] = [.malformedResponse, .responseTooLarge, .closed]
        require(expected.contains(error.code), "failed with \(error.code): \(error)")
        require(error.sent, "a response error says the request was not sent")
        require(!error.message.isEmpty, "an error without a message")
        return .failed(error.code)
    } catch {
        require(false, "the parser threw \(error)")
        return .failed(.io)
    }
    require(parser.receivedAnyByte, "complete without a byte received")
    let response = check(parser, isHEAD: isHEAD, consumed: consumed ?? stream.count)
    return .complete(response)
}

/// The properties of a complete response.
private func check(_ parser: borrowing HTTPResponseParser, isHEAD: Bool, consumed: Int) -> Response {
    let status = parser.status
    require((200...999).contains(status), "complete with status \(status)")
    let body = Array(parser.buffer.body)
    require(body.count <= parser.maxBody, "a body of \(body.count) bytes over the cap of \(parser.maxBody)")
    require(parser.buffer.base[parser.buffer.count] == 0, "the body is not NUL-terminated")
    require(parser.buffer.bodyStart <= parser.buffer.count, "the body starts at \(parser.buffer.bodyStart), past the end \(parser.buffer.count)")
    if isHEAD || status == 204 || status == 304 {
        require(body.isEmpty, "a body of \(body.count) bytes for HEAD, 204 or 304")
    } else if parser.chunked {
        require(parser.contentLength == nil, "chunked, with a Content-Length kept")
    } else if let length = parser.contentLength {
        require(body.count == length, "a body of \(body.count) bytes, but Content-Length \(length)")
    } else {
        require(!parser.keepAlive, "a body read until close, but keep-alive")
    }
    var fields: [[UInt8]] = []
    for index in 0..<parser.buffer.fieldCount {
        guard let field = parser.buffer.field(at: index) else {
            require(false, "field \(index) of \(parser.buffer.fieldCount) is missing")
            break
        }
        for (what, span) in [("name", field.name), ("value", field.value)] {
            require(
                span.start >= 0 && span.count >= 0 && span.start + span.count < parser.buffer.bodyStart,
                "field \(index)'s \(what) \(span) lies outside the head (0..<\(parser.buffer.bodyStart))")
            require(parser.buffer.base[span.start + span.count] == 0, "field \(index)'s \(what) is not NUL-terminated")
        }
        let name = Array(parser.buffer.bytes(field.name))
        let value = Array(parser.buffer.bytes(field.value))
        require(!name.isEmpty && name.allSatisfy(HTTPText.isTokenByte), "field \(index)'s name \(name) is not a token")
        require(!value.contains { $0 == 0 || $0 == 10 || $0 == 13 }, "field \(index)'s value \(value) holds NUL, CR or LF")
        require(
            value.first.map { $0 != 32 && $0 != 9 } ?? true && value.last.map { $0 != 32 && $0 != 9 } ?? true,
            "field \(index)'s value \(value) is not trimmed")
        require(
            UnsafeRawPointer(parser.buffer.pointer(field.name)) == UnsafeRawPointer(parser.buffer.base + field.name.start),
            "field \(index)'s name pointer is elsewhere")
        fields.append(name + [58] + value)
    }
    // The lookup the host uses: the first field of that name, whatever its case.
    let lengths = fields.filter { $0.count >= 15 && String(decoding: $0.prefix(15), as: UTF8.self).lowercased() == "content-length:" }
    let found = parser.buffer.firstValue(named: "content-length").map { Array("content-length:".utf8) + Array($0) }
    require(found == lengths.first.map { Array("content-length:".utf8) + $0.dropFirst(15) }, "firstValue finds \(String(describing: found))")
    return Response(
        consumed: consumed, status: status, keepAlive: parser.keepAlive, chunked: parser.chunked,
        contentLength: parser.contentLength, fields: fields, body: body)
}
