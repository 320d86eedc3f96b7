/// A second, deliberately plain reading of a Runtime API reply stream (HTTP/1.1 replies
/// with Content-Length or chunked bodies), written from the rules RuntimeAPIConnection
/// and HTTPReply follow, over an array with no buffer tricks. The fuzzer compares the two:
/// whenever the connection reads a reply, this must read the same one.
struct ReferenceReply: Equatable {
    var status = 0
    var keepAlive = false
    var contentLength: Int?
    var chunked = false
    /// The headers the host keeps, lower-cased name to value; the last of a name wins.
    var headers: [String: [UInt8]] = [:]
    var body: [UInt8] = []
    var bodyLength = 0
    var bodyTooLarge = false
}

/// The headers HTTPReply keeps as spans.
let keptHeaders = [
    "lambda-runtime-aws-request-id", "lambda-runtime-deadline-ms", "lambda-runtime-invoked-function-arn",
    "lambda-runtime-trace-id", "lambda-runtime-client-context", "lambda-runtime-cognito-identity",
    "lambda-runtime-aws-tenant-id", "lambda-runtime-invocation-id", "lambda-extension-identifier",
]

struct ReferenceReader {
    let bytes: [UInt8]
    var position = 0

    /// The next reply, or nil where the stream is not a valid reply.
    mutating func next(maxBody: Int) -> ReferenceReply? {
        guard let headEnd = find([13, 10, 13, 10], from: position).map({ $0 + 4 }) else { return nil }
        let head = Array(bytes[position..<headEnd])
        guard head.count >= 16, head.starts(with: Array("HTTP/1.".utf8)), head[8] == 32,
            let status = decimal(head[9..<12]), head[12] == 32 || head[12] == 13
        else { return nil }
        var reply = ReferenceReply(status: status, keepAlive: head[7] == UInt8(ascii: "1"))
        var lines = split(head[..<(head.count - 4)])
        lines.removeFirst()  // the status line
        for line in lines {
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex else { return nil }
            let name = String(decoding: line[..<colon].map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
            var value = Array(line[(colon + 1)...])
            while let first = value.first, first == 32 || first == 9 { value.removeFirst() }
            while let last = value.last, last == 32 || last == 9 { value.removeLast() }
            let lower = value.map { (65...90).contains($0) ? $0 + 32 : $0 }
            switch name {
            case "connection":
                if contains(lower, "close") { reply.keepAlive = false }
                if contains(lower, "keep-alive") { reply.keepAlive = true }
            case "content-length":
                guard value.count <= 18, let length = decimal(value[...]) else { return nil }
                reply.contentLength = length
            case "transfer-encoding":
                reply.chunked = contains(lower, "chunked")
            case _ where keptHeaders.contains(name):
                reply.headers[name] = value
            default:
                break
            }
        }
        position = headEnd
        if reply.chunked {
            reply.contentLength = nil
            guard readChunks(into: &reply, maxBody: maxBody) else { return nil }
        } else {
            let length = reply.contentLength ?? 0
            guard position + length <= bytes.count else { return nil }
            reply.bodyLength = length
            if length > maxBody {
                reply.bodyTooLarge = true
            } else {
                reply.body = Array(bytes[position..<position + length])
            }
            position += length
        }
        return reply
    }

    private mutating func readChunks(into reply: inout ReferenceReply, maxBody: Int) -> Bool {
        while true {
            guard let lineEnd = find([13, 10], from: position), let size = chunkSize(bytes[position..<lineEnd]) else {
                return false
            }
            position = lineEnd + 2
            if size == 0 {
                while true {
                    guard let trailerEnd = find([13, 10], from: position) else { return false }
                    let empty = trailerEnd == position
                    position = trailerEnd + 2
                    if empty {
                        if reply.bodyTooLarge { reply.body = [] }
                        return true
                    }
                }
            }
            reply.bodyLength += size
            guard position + size + 2 <= bytes.count, bytes[position + size] == 13, bytes[position + size + 1] == 10
            else { return false }
            if reply.bodyLength > maxBody { reply.bodyTooLarge = true }
            if !reply.bodyTooLarge { reply.body += bytes[position..<position + size] }
            position += size + 2
        }
    }

    /// Hex digits up to the first ';', space or tab; at most 15 of them.
    private func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let digits = line.prefix { $0 != 59 && $0 != 32 && $0 != 9 }
        let hex = { (c: UInt8) in (48...57).contains(c) || (65...70).contains(c) || (97...102).contains(c) }
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(hex) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self), radix: 16)
    }

    private func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    private func split(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var i = head.startIndex
        while i + 1 < head.endIndex {
            if head[i] == 13 && head[i + 1] == 10 {
                lines.append(head[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        lines.append(head[start...])
        return lines
    }

    private func contains(_ text: [UInt8], _ word: String) -> Bool {
        let needle = Array(word.utf8)
        guard text.count >= needle.count else { return false }
        return (0...(text.count - needle.count)).contains { text[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
