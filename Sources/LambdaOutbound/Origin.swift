import CLambdaSystem
import LambdaRuntimeAPI

/// Where a request goes: scheme, host and port. The pool key, the allow-list's subject and
/// the name used in messages.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    /// The two schemes an outbound request may use.
    public enum Scheme: String, Sendable {
        case http, https

        /// 80 or 443.
        public var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    /// `http` or `https`.
    public var scheme: Scheme
    /// Lower-case ASCII: a DNS name, an IPv4 literal, or an IPv6 literal without brackets.
    public var host: String
    /// 1 to 65535.
    public var port: UInt16

    /// Creates an origin from parts already checked (use ``parse(_:)`` for text).
    public init(scheme: Scheme, host: String, port: UInt16) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Whether the host is an IPv6 literal (it contains a colon, which no name can).
    public var isIPv6: Bool { host.utf8.contains(58) }

    /// `https://host:443`, with IPv6 literals in brackets; the port is always written.
    public var description: String {
        isIPv6 ? "\(scheme.rawValue)://[\(host)]:\(port)" : "\(scheme.rawValue)://\(host):\(port)"
    }

    /// Parses `scheme://host[:port]` (a trailing `/` is allowed, nothing else after the
    /// authority), as written in pre-warm lists. Cost: one pass, one String for the host.
    public static func parse(_ text: String) throws(OutboundError) -> Origin {
        try withBytes(of: text) { (bytes) throws(OutboundError) -> Origin in
            let start = try schemeEnd(bytes, what: "origin")
            let (host, port, _, end) = try authority(
                bytes, from: start.offset, scheme: start.scheme, what: "origin", wildcards: false)
            guard end == bytes.count || (end == bytes.count - 1 && bytes[end] == 47) else {
                throw OutboundError.invalid(
                    "origin '\(quote(bytes))' has a path or query; write only scheme://host[:port], e.g. https://api.example.com")
            }
            return Origin(scheme: start.scheme, host: host, port: port)
        }
    }

    // MARK: Parsing shared with OutboundURL and AllowList

    /// Runs `body` over the UTF-8 bytes of `text` (`withUTF8` only rethrows untyped).
    static func withBytes<T>(
        of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws(OutboundError) -> T
    ) throws(OutboundError) -> T {
        var copy = text
        let result: Result<T, OutboundError> = copy.withUTF8 { bytes in
            do throws(OutboundError) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Reads `http://` or `https://` (scheme case-insensitive) and returns the offset after it.
    static func schemeEnd(_ bytes: UnsafeBufferPointer<UInt8>, what: StaticString) throws(OutboundError) -> (scheme: Scheme, offset: Int) {
        var colon = 0
        while colon < bytes.count && bytes[colon] != 58 && bytes[colon] != 47 { colon += 1 }
        guard colon < bytes.count, bytes[colon] == 58, colon > 0 else {
            throw OutboundError.invalid(
                "\(what) '\(quote(bytes))' has no scheme; write an absolute URL such as https://api.example.com/path")
        }
        guard let base = bytes.baseAddress else { throw OutboundError.invalid("\(what) is empty") }
        let scheme: Scheme
        if colon == 4 && HTTPText.matches(base, "http") {
            scheme = .http
        } else if colon == 5 && HTTPText.matches(base, "https") {
            scheme = .https
        } else {
            // Whole, so that quoting it hides credentials: cut short, `token@host:` lost its `@`.
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self)
            let shown = quote(bytes)
            // The scheme is named only when the quoted input shows it too: in "key:secret@host"
            // what stands in the scheme's place is a credential, which quote() masked.
            let named = shown.hasPrefix(printable(name) + ":") ? " '\(printable(name))'" : ""
            throw OutboundError.invalid(
                "\(what) '\(shown)' has scheme\(named); only http:// and https:// are supported")
        }
        guard bytes.count >= colon + 3, bytes[colon + 1] == 47, bytes[colon + 2] == 47 else {
            throw OutboundError.invalid(
                "\(what) '\(quote(bytes))' lacks '//' after '\(scheme.rawValue):'; write \(scheme.rawValue)://host/path")
        }
        return (scheme, colon + 3)
    }

    /// Parses the authority that starts at `from` and ends at `/`, `?`, `#` or the end.
    /// Returns the lower-cased host (IPv6 without brackets; a leading `*.` removed and
    /// reported when `wildcards` allows it), the port (the scheme's default when absent),
    /// and the offset where the authority ends.
    static func authority(
        _ bytes: UnsafeBufferPointer<UInt8>, from: Int, scheme: Scheme, what: StaticString, wildcards: Bool
    ) throws(OutboundError) -> (host: String, port: UInt16, wildcard: Bool, end: Int) {
        var end = from
        while end < bytes.count && bytes[end] != 47 && bytes[end] != 63 && bytes[end] != 35 {
            if bytes[end] == 64 {
                throw OutboundError.invalid(
                    "\(what) '\(quote(bytes))' carries credentials (user:password@); credentials must not ride in URLs, send them in a header such as Authorization")
            }
            end += 1
        }
        var hostStart = from
        var hostEnd = end
        var portStart = end
        if hostStart < end && bytes[hostStart] == 91 {  // [v6]
            var close = hostStart
            while close < end && bytes[close] != 93 { close += 1 }
            guard close < end, isIPv6(bytes, from: hostStart + 1, to: close) else {
                throw OutboundError.invalid(
                    "\(what) '\(quote(bytes))' has a bad IPv6 literal; write it in brackets without a zone, e.g. http://[::1]:8080/")
            }
            hostStart += 1
            hostEnd = close
            portStart = close + 1
            guard portStart == end || bytes[portStart] == 58 else {
                throw OutboundError.invalid("\(what) '\(quote(bytes))' has bytes after the IPv6 literal's ']' that are not ':port'")
            }
        } else {
            hostEnd = hostStart
            while hostEnd < end && bytes[hostEnd] != 58 { hostEnd += 1 }
            portStart = hostEnd
        }
        var wildcard = false
        if wildcards && hostEnd - hostStart >= 2 && bytes[hostStart] == 42 && bytes[hostStart + 1] == 46 {
            wildcard = true
            hostStart += 2
        }
        guard hostEnd > hostStart else {
            throw OutboundError.invalid("\(what) '\(quote(bytes))' has no host; write e.g. \(scheme.rawValue)://api.example.com")
        }
        if bytes[from] != 91 { try checkName(bytes, from: hostStart, to: hostEnd, what: what) }
        var port = scheme.defaultPort
        if portStart < end {  // at ':'
            guard let value = decimalPort(bytes, from: portStart + 1, to: end) else {
                throw OutboundError.invalid(
                    "\(what) '\(quote(bytes))' has a bad port; write a number from 1 to 65535 after ':', or no ':' for the default \(scheme.defaultPort)")
            }
            port = value
        }
        let host = String(unsafeUninitializedCapacity: hostEnd - hostStart) { out in
            for i in hostStart..<hostEnd {
                let c = bytes[i]
                out[i - hostStart] = c >= 65 && c <= 90 ? c + 32 : c
            }
            return hostEnd - hostStart
        }
        return (host, port, wildcard, end)
    }

    /// A host name: letters, digits, `-`, `_` and dots between non-empty labels.
    private static func checkName(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, what: StaticString) throws(OutboundError) {
        guard to - from <= 253 else {
            throw OutboundError.invalid("\(what) '\(quote(bytes))' has a host name over 253 bytes")
        }
        var labelLength = 0
        for i in from..<to {
            switch bytes[i] {
            case 48...57, 65...90, 97...122, 45, 95:
                labelLength += 1
            case 46:
                guard labelLength > 0 else {
                    throw OutboundError.invalid("\(what) '\(quote(bytes))' has an empty label in its host name (a leading, doubled or trailing '.')")
                }
                labelLength = 0
            default:
                throw OutboundError.invalid(
                    "\(what) '\(quote(bytes))' has a host with a byte that is not a letter, digit, '-', '_' or '.'; write internationalised names in their xn-- form")
            }
        }
        guard labelLength > 0 else {
            throw OutboundError.invalid("\(what) '\(quote(bytes))' has an empty label in its host name (a leading, doubled or trailing '.')")
        }
    }

    /// Whether the bytes are an IPv6 address (inet_pton; zones refused).
    private static func isIPv6(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        let count = to - from
        guard count >= 2, count <= 45 else { return false }
        // inet_pton stops at a NUL, so `[::\0\r\nX: y]` would pass as `::` and carry its
        // CR LF into the Host header: only the bytes an IPv6 address is made of go to it.
        for i in from..<to {
            let c = bytes[i]
            guard (c >= 48 && c <= 58) || (c | 32 >= 97 && c | 32 <= 102) || c == 46 else { return false }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            for i in 0..<count { text[i] = CChar(bitPattern: bytes[from + i]) }
            text[count] = 0
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { address in
                inet_pton(AF_INET6, text.baseAddress, address.baseAddress) == 1
            }
        }
    }

    /// A decimal port, 1 to 65535, in `[from, to)`: at most five digits and nothing else.
    static func decimalPort(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> UInt16? {
        guard to > from, to - from <= 5 else { return nil }
        var value = 0
        for i in from..<to {
            let c = bytes[i]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        guard value >= 1 && value <= 65535 else { return nil }
        return UInt16(value)
    }

    // MARK: Quoting input in messages

    /// The input as it may appear in a message: credentials replaced by `***@`, the query
    /// and fragment cut (they may carry tokens or signatures), bytes outside printable
    /// ASCII as `\xHH`, at most 200 bytes.
    static func quote(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var at = -1
        var authorityEnd = bytes.count
        var i = 0
        var slashes = 0
        // Credentials may hold '?' or '#' ("user:pa?ss@host"): the last '@' before the path
        // is looked for past them, at the price of masking an '@' in a query that comes
        // before any path.
        while i < bytes.count {
            let c = bytes[i]
            if c == 47 { slashes += 1 }
            if slashes >= 3 { break }
            if (c == 63 || c == 35) && authorityEnd == bytes.count { authorityEnd = i }
            if c == 64 { at = i }
            i += 1
        }
        if authorityEnd == bytes.count { authorityEnd = i }
        if at > authorityEnd { authorityEnd = at }
        var out = ""
        var index = 0
        if at >= 0 {
            // Kept: a leading `scheme://` only. All else before the `@` may be credentials,
            // as in `user:pass@host`, `http:/user:pass@host` or `a:pass@b http://c@d`.
            var start = 0
            while start < at, case let c = bytes[start], (c | 32 >= 97 && c | 32 <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46 {
                start += 1
            }
            start = start + 3 <= at && bytes[start] == 58 && bytes[start + 1] == 47 && bytes[start + 2] == 47 ? start + 3 : 0
            append(bytes, 0, start, to: &out)
            out += "***"
            index = at
        }
        var cut = bytes.count
        var marker = ""
        var q = authorityEnd
        while q < bytes.count && bytes[q] != 63 && bytes[q] != 35 { q += 1 }
        if q < bytes.count { cut = q; marker = bytes[q] == 63 ? "?…" : "" }
        if cut - index > 200 { cut = index + 200; marker = "…" }
        append(bytes, index, cut, to: &out)
        return out + marker
    }

    /// The bytes with those outside printable ASCII as `\xHH` (for names in messages).
    static func escaped(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out = ""
        append(bytes, 0, bytes.count, to: &out)
        return out
    }

    private static func append(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, to out: inout String) {
        let hex: StaticString = "0123456789ABCDEF"
        guard to > from else { return }
        for i in from..<to {
            let c = bytes[i]
            if c >= 32 && c < 127 {
                out.unicodeScalars.append(Unicode.Scalar(c))
            } else {
                out += "\\x"
                out.unicodeScalars.append(Unicode.Scalar(hex.utf8Start[Int(c >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex.utf8Start[Int(c & 15)]))
            }
        }
    }

    private static func printable(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { quote($0) }
    }
}
