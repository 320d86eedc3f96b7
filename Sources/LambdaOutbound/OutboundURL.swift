/// An absolute `http://` or `https://` URL, checked and split into what the request needs:
/// the origin to connect to, the request target and the `Host` header.
///
/// The URL alone chooses the destination; a plugin's `Host` header is refused by
/// ``HTTPRequestWriter``, so it can never redirect a request.
public struct OutboundURL: Sendable {
    /// Scheme, lower-cased host and port (the default of the scheme when absent).
    public var origin: Origin
    /// Path and query as given (percent-encoded bytes kept), `/` when the path is empty;
    /// the fragment is dropped.
    public var target: String
    /// The `Host` header: the host (IPv6 in brackets) and `:port` only when it is not the
    /// scheme's default.
    public var hostHeader: String

    /// Parses an absolute URL. Refused, with a message that says what to fix: another
    /// scheme, no host, credentials (`user:pass@`), a bad port, and spaces, control or
    /// non-ASCII bytes (the plugin must percent-encode them) or a `%` without two hex
    /// digits in the path or query.
    ///
    /// Cost: one pass over the bytes; allocates the host, target and host header strings
    /// (inline, without a heap allocation, when 15 bytes or shorter).
    public static func parse(_ text: String) throws(OutboundError) -> OutboundURL {
        try Origin.withBytes(of: text) { (bytes) throws(OutboundError) -> OutboundURL in try parse(bytes) }
    }

    /// Parses an absolute URL given as bytes (for the C ABI: no String is made for it).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutboundError) -> OutboundURL {
        let (scheme, start) = try Origin.schemeEnd(bytes, what: "URL")
        let (host, port, _, end) = try Origin.authority(bytes, from: start, scheme: scheme, what: "URL", wildcards: false)
        let origin = Origin(scheme: scheme, host: host, port: port)
        var targetEnd = end
        while targetEnd < bytes.count && bytes[targetEnd] != 35 {
            let c = bytes[targetEnd]
            guard c > 32 && c < 127 else {
                let kind = c == 32 ? "a space" : c < 32 || c == 127 ? "a control byte" : "a non-ASCII byte"
                throw OutboundError.invalid(
                    "URL '\(Origin.quote(bytes))' has \(kind) at offset \(targetEnd); percent-encode it (a space is %20)")
            }
            if c == 37 {
                guard targetEnd + 2 < bytes.count, isHex(bytes[targetEnd + 1]), isHex(bytes[targetEnd + 2]) else {
                    throw OutboundError.invalid(
                        "URL '\(Origin.quote(bytes))' has a '%' not followed by two hex digits at offset \(targetEnd); write %25 for a literal '%'")
                }
            }
            targetEnd += 1
        }
        let pathMissing = end == targetEnd || bytes[end] == 63
        let targetBytes = UnsafeBufferPointer(rebasing: bytes[end..<targetEnd])
        let target = pathMissing ? "/" + String(decoding: targetBytes, as: UTF8.self) : String(decoding: targetBytes, as: UTF8.self)
        var hostHeader = origin.isIPv6 ? "[" + host + "]" : host
        if port != scheme.defaultPort { hostHeader += ":" + String(port) }
        return OutboundURL(origin: origin, target: target, hostHeader: hostHeader)
    }

    /// The URL as it may appear in a log or message: credentials, query and fragment
    /// removed (they may carry secrets), non-printable bytes escaped, at most 200 bytes.
    public static func redacted(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { Origin.quote($0) }
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }
}
