/// The canonical request of SigV4: the request reduced to one exact byte string that the
/// client and AWS both build and hash (method, path, query, the signed headers, the
/// payload's hash, one per line).
///
/// Pure byte work over what the caller gives; costs a few allocations per header and a
/// sort of the headers and of the query parameters.
public struct SigV4CanonicalRequest: Sendable {
    /// The exact bytes that are hashed into the string to sign.
    public var bytes: [UInt8]
    /// The signed header names, lower-cased and `;`-joined (`host;x-amz-date`).
    public var signedHeaders: [UInt8]

    /// Header names never signed: proxies and tracing rewrite them in flight, so AWS's own
    /// signers (aws-c-auth) leave them out too.
    static let unsignedHeaderNames: [[UInt8]] = [Array("x-amzn-trace-id".utf8), Array("user-agent".utf8)]

    /// Builds the canonical request. `path` is the request path as it will be sent (without
    /// the query), `query` the raw text after `?` (empty if none), `headers` every header to
    /// sign, the signer's own included, in the order sent.
    public init(
        method: [UInt8], path: [UInt8], query: [UInt8], headers: [(name: [UInt8], value: [UInt8])],
        payloadHash: [UInt8], normalizePath: Bool, encodePath: Bool
    ) throws(SigV4Error) {
        guard !method.isEmpty, !method.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw SigV4Error(.invalidRequest, "the method must be a non-empty token without spaces")
        }
        let header = try Self.canonicalHeaders(headers)
        var out = method
        out.append(0x0A)
        out += Self.canonicalPath(path, normalize: normalizePath, encode: encodePath)
        out.append(0x0A)
        out += try Self.canonicalQuery(query)
        out.append(0x0A)
        out += header.lines
        out.append(0x0A)
        out += header.signed
        out.append(0x0A)
        out += payloadHash
        bytes = out
        signedHeaders = header.signed
    }

    // MARK: Path

    /// The canonical URI: with `normalize`, empty and `.` segments dropped and `..` removing
    /// the one before (a trailing `/` kept); with `encode`, every byte of each segment outside
    /// the unreserved set percent-encoded (services other than S3 encode the path as sent
    /// once more, so the caller passes the path as sent). An empty path is `/`.
    static func canonicalPath(_ path: [UInt8], normalize: Bool, encode: Bool) -> [UInt8] {
        var segments = path.split(separator: 0x2F, omittingEmptySubsequences: false).map { Array($0) }
        if normalize {
            var kept: [[UInt8]] = []
            for segment in segments {
                if segment.isEmpty || segment == [0x2E] { continue }
                if segment == [0x2E, 0x2E] {
                    _ = kept.popLast()
                    continue
                }
                kept.append(segment)
            }
            let trailingSlash = path.last == 0x2F && !kept.isEmpty
            segments = [[]] + kept + (trailingSlash ? [[]] : [])
        }
        var out: [UInt8] = []
        for (index, segment) in segments.enumerated() {
            if index > 0 { out.append(0x2F) }
            if encode {
                percentEncode(segment, into: &out)
            } else {
                out += segment
            }
        }
        if out.isEmpty { return [0x2F] }
        return out
    }

    // MARK: Query

    /// The canonical query: each `name=value` pair decoded, then encoded with the unreserved
    /// set, sorted by name and then value; a pair without `=` becomes `name=`.
    static func canonicalQuery(_ query: [UInt8]) throws(SigV4Error) -> [UInt8] {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for piece in query.split(separator: 0x26) where !piece.isEmpty {
            let equals = piece.firstIndex(of: 0x3D)
            let rawName = piece[piece.startIndex..<(equals ?? piece.endIndex)]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? []
            var name: [UInt8] = []
            var value: [UInt8] = []
            percentEncode(try percentDecode(rawName), into: &name)
            percentEncode(try percentDecode(rawValue), into: &value)
            pairs.append((name, value))
        }
        pairs.sort { $0.name != $1.name ? $0.name.lexicographicallyPrecedes($1.name) : $0.value.lexicographicallyPrecedes($1.value) }
        var out: [UInt8] = []
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(0x26) }
            out += pair.name
            out.append(0x3D)
            out += pair.value
        }
        return out
    }

    // MARK: Headers

    /// `name:value\n` lines sorted by lower-cased name, values of one name joined by `,` in
    /// the order given, each value trimmed with inner runs of spaces and tabs made one space;
    /// and the `;`-joined names.
    static func canonicalHeaders(_ headers: [(name: [UInt8], value: [UInt8])]) throws(SigV4Error) -> (
        lines: [UInt8], signed: [UInt8]
    ) {
        var entries: [(name: [UInt8], value: [UInt8], order: Int)] = []
        for (order, header) in headers.enumerated() {
            guard !header.name.isEmpty, !header.name.contains(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == 0x3A }) else {
                throw SigV4Error(.invalidRequest, "a header name is empty or has a space, colon or control byte")
            }
            guard !header.value.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw SigV4Error(.invalidRequest, "the value of header '\(String(decoding: header.name, as: UTF8.self))' has a line break or NUL")
            }
            let name = header.name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            if unsignedHeaderNames.contains(name) { continue }
            entries.append((name, collapseSpaces(header.value), order))
        }
        entries.sort { $0.name != $1.name ? $0.name.lexicographicallyPrecedes($1.name) : $0.order < $1.order }
        var lines: [UInt8] = []
        var signed: [UInt8] = []
        var previous: [UInt8]? = nil
        for entry in entries {
            if entry.name == previous {
                lines.removeLast()  // the newline: this value joins the line
                lines.append(0x2C)
            } else {
                if previous != nil { signed.append(0x3B) }
                signed += entry.name
                lines += entry.name
                lines.append(0x3A)
            }
            lines += entry.value
            lines.append(0x0A)
            previous = entry.name
        }
        return (lines, signed)
    }

    /// The value without leading and trailing spaces or tabs, inner runs made one space.
    static func collapseSpaces(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var pendingSpace = false
        for byte in value {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(byte)
        }
        return out
    }

    // MARK: Percent-encoding

    /// Appends `bytes` with every byte outside `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex).
    static func percentEncode<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for byte in bytes {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.append(byte)
            default:
                out.append(0x25)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    /// `%XX` escapes decoded; any other byte (`+` included) kept as it is.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) throws(SigV4Error) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte != 0x25 {
                out.append(byte)
                index += 1
                continue
            }
            guard bytes.endIndex - index >= 3, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else {
                throw SigV4Error(.invalidRequest, "the query has a '%' not followed by two hex digits; encode it as %25")
            }
            out.append(high << 4 | low)
            index += 3
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
