/// The origins outbound requests may reach (`LAMBDA_HOST_ALLOWED_ORIGINS`).
///
/// Entries are separated by commas or whitespace:
/// - `https://api.example.com`: that host on port 443 over https only;
/// - `http://localhost:8080`: that host on port 8080 over http only;
/// - `https://*.amazonaws.com`: any name below amazonaws.com (at any depth), not the
///   apex `amazonaws.com` itself; `*.` is only allowed as the first label.
///
/// Text with no entries (empty or only separators) means no allow-list: ``restricts`` is
/// false and ``allows(_:)`` accepts every origin. That keeps the default (the variable
/// unset) free of checks and makes "set but empty" mean the same as unset.
public struct AllowList: Sendable {
    private struct Entry: Sendable {
        var scheme: Origin.Scheme
        /// The exact host, or for a wildcard the suffix with its leading dot (".example.com").
        var host: String
        var wildcard: Bool
        var port: UInt16
    }

    private var entries: [Entry] = []

    /// Whether any entry was given; when false every origin is allowed.
    public var restricts: Bool { !entries.isEmpty }

    /// Parses the entries. An invalid entry is an error whose message quotes it and shows
    /// valid examples.
    public init(parsing text: String) throws(OutboundError) {
        entries = try Origin.withBytes(of: text) { (bytes) throws(OutboundError) -> [Entry] in
            var found: [Entry] = []
            var i = 0
            while i < bytes.count {
                while i < bytes.count && Self.isSeparator(bytes[i]) { i += 1 }
                let start = i
                while i < bytes.count && !Self.isSeparator(bytes[i]) { i += 1 }
                guard i > start else { break }
                found.append(try Self.entry(UnsafeBufferPointer(rebasing: bytes[start..<i])))
            }
            return found
        }
    }

    /// Whether a request to `origin` may be sent. Cost: a comparison of scheme, port and
    /// host bytes per entry, no allocation.
    public func allows(_ origin: Origin) -> Bool {
        guard restricts else { return true }
        for entry in entries where entry.scheme == origin.scheme && entry.port == origin.port {
            if entry.wildcard {
                let host = origin.host.utf8
                let suffix = entry.host.utf8
                if host.count > suffix.count && host.suffix(suffix.count).elementsEqual(suffix) { return true }
            } else if entry.host == origin.host {
                return true
            }
        }
        return false
    }

    /// What separates the entries of a list of origins (this one, and the pre-warm list):
    /// commas and white space.
    static func isSeparator(_ c: UInt8) -> Bool { c == 44 || c == 32 || c == 9 || c == 10 || c == 13 }

    private static func entry(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutboundError) -> Entry {
        do throws(OutboundError) {
            let (scheme, start) = try Origin.schemeEnd(bytes, what: "allowed origin")
            let (host, port, wildcard, end) = try Origin.authority(
                bytes, from: start, scheme: scheme, what: "allowed origin", wildcards: true)
            guard end == bytes.count || (end == bytes.count - 1 && bytes[end] == 47) else {
                throw OutboundError.invalid("allowed origin '\(Origin.quote(bytes))' has a path or query")
            }
            guard !(wildcard && host.utf8.contains(58)) else {
                throw OutboundError.invalid("allowed origin '\(Origin.quote(bytes))' puts '*.' before an IPv6 literal")
            }
            return Entry(scheme: scheme, host: wildcard ? "." + host : host, wildcard: wildcard, port: port)
        } catch {
            throw OutboundError.invalid(
                error.message + "; write entries like https://api.example.com, http://localhost:8080 or https://*.amazonaws.com")
        }
    }
}
