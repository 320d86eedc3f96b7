import FuzzCheck
import Glibc

@testable import LambdaRuntimeAPI

/// Fuzzes the Runtime API client's reading of replies: heads (HTTPReply.parse),
/// Content-Length and chunked bodies, draining of bodies over the bound, and keeping the
/// previous reply's bytes (RuntimeAPIConnection.readReply).
///
/// Input: a byte of settings (the body bound; which reads keep the previous reply), a
/// byte k, then k % 8 two-byte offsets where the stream is cut, then the bytes the
/// "service" sends. A thread writes them into a real SOCK_SEQPACKET socketpair, one
/// record per piece (and at most 4,095 bytes each), so that each `read` gets one piece:
/// heads, bodies and chunk lines are split across reads where the input says, the same way
/// every time. A RuntimeAPIConnection
/// reads up to four replies. Each reply it reads must agree with ReferenceReader, a plain
/// second reading of the same bytes; header values and the body must be NUL-terminated in
/// the buffer; a kept reply's request id must survive the next read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (settings, offsets, stream) = settingsCutsAndStream(data, size) else { return 0 }
    // The bounds the host uses (the event's, an answer's) and small ones that drain.
    let bounds = [0, 1, 7, 64, 64 * 1024, RuntimeAPIClient.maxEventBytes]
    let maxBody = bounds[Int(settings & 7) % bounds.count]

    var pair: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0 else { return 0 }
    let feeder = Feeder(descriptor: pair[1], stream: stream, cuts: offsets)
    do {
        let connection = RuntimeAPIConnection(descriptor: pair[0])
        var reference = ReferenceReader(bytes: stream)
        var kept: (span: Span, bytes: [UInt8])?
        for number in 0..<4 {
            let keeping = settings & (8 << UInt8(number)) != 0
            let reply: HTTPReply
            do {
                reply = try connection.readReply(maxBody: maxBody, what: "fuzz", keepingPrevious: keeping)
            } catch {
                require(
                    error.code == .malformedReply || error.code == .connectionLost,
                    "a reply failed with \(error.code): \(error)")
                require(!error.message.isEmpty, "an error without a message")
                break
            }
            guard let expected = reference.next(maxBody: maxBody) else {
                require(false, "reply \(number) was read, but the reference finds no valid reply there")
                break
            }
            check(reply, against: expected, in: connection, number: number)
            if let previous = kept, keeping {
                require(
                    bytes(previous.span, in: connection) == previous.bytes,
                    "the kept reply's request id changed while reply \(number) was read")
            }
            kept = reply.requestID.isPresent ? (reply.requestID, bytes(reply.requestID, in: connection)) : nil
            if !reply.keepAlive { break }
        }
    }
    // The connection has closed its end, so the feeder's next write fails and it stops.
    feeder.join()
    return 0
}

private func bytes(_ span: Span, in connection: RuntimeAPIConnection) -> [UInt8] {
    Array(UnsafeBufferPointer(start: connection.pointer(at: span.start), count: span.count))
}

private func check(_ reply: HTTPReply, against expected: ReferenceReply, in connection: RuntimeAPIConnection, number: Int) {
    let what = "reply \(number)"
    require(reply.status == expected.status, "\(what): status \(reply.status), expected \(expected.status)")
    require(reply.keepAlive == expected.keepAlive, "\(what): keepAlive \(reply.keepAlive)")
    require(reply.chunked == expected.chunked, "\(what): chunked \(reply.chunked)")
    require(reply.contentLength == expected.contentLength, "\(what): Content-Length \(String(describing: reply.contentLength))")
    require(reply.bodyTooLarge == expected.bodyTooLarge, "\(what): bodyTooLarge \(reply.bodyTooLarge)")
    require(reply.bodyLength == expected.bodyLength, "\(what): bodyLength \(reply.bodyLength), expected \(expected.bodyLength)")
    require(reply.body.isPresent, "\(what): no body span")
    require(bytes(reply.body, in: connection) == expected.body, "\(what): the body differs from the reference's")
    require(connection.pointer(at: reply.body.start + reply.body.count).pointee == 0, "\(what): the body is not NUL-terminated")
    let spans: [(String, Span)] = [
        ("lambda-runtime-aws-request-id", reply.requestID), ("lambda-runtime-deadline-ms", reply.deadline),
        ("lambda-runtime-invoked-function-arn", reply.functionARN), ("lambda-runtime-trace-id", reply.traceID),
        ("lambda-runtime-client-context", reply.clientContext), ("lambda-runtime-cognito-identity", reply.cognitoIdentity),
        ("lambda-runtime-aws-tenant-id", reply.tenantID), ("lambda-runtime-invocation-id", reply.invocationID),
        ("lambda-extension-identifier", reply.extensionID),
    ]
    for (name, span) in spans {
        guard let value = expected.headers[name] else {
            require(!span.isPresent, "\(what): \(name) is present, but the reference has none")
            continue
        }
        require(span.isPresent && span.start >= 0 && span.count >= 0, "\(what): \(name) is missing")
        require(span.start + span.count < reply.body.start, "\(what): \(name) lies outside the head")
        require(bytes(span, in: connection) == value, "\(what): \(name) differs from the reference's")
        require(connection.pointer(at: span.start + span.count).pointee == 0, "\(what): \(name) is not NUL-terminated")
    }
    // The deadline as the host reads it: a decimal of at most 18 digits, or nothing.
    if let deadline = expected.headers["lambda-runtime-deadline-ms"] {
        let text = String(decoding: deadline, as: UTF8.self)
        let parsed = HTTPReply.decimal(connection.pointer(at: reply.deadline.start), reply.deadline.count)
        let plain = deadline.count <= 18 && deadline.allSatisfy { (48...57).contains($0) } ? Int(text) : nil
        require(parsed == plain, "\(what): the deadline \(text) read as \(String(describing: parsed))")
    }
}
