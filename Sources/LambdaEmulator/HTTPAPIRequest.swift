/// An HTTP request as the local HTTP front end (`serve --http`) received it: what an
/// ``HTTPAPIEvent`` is made from. Pure data; the front end's NIO handler fills it in.
public struct HTTPAPIRequest: Sendable {
    /// The method, as sent (`GET`).
    public var method: String
    /// The path, as sent (percent-encoding kept), without the function's route prefix.
    public var path: String
    /// What follows the `?`, as sent, or "".
    public var rawQuery: String
    /// The header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body's bytes (none for a request without a body).
    public var body: [UInt8]
    /// `HTTP/1.1`.
    public var proto: String
    /// The caller's address.
    public var sourceIP: String
    /// When the request came, in milliseconds since the epoch.
    public var timeEpochMs: Int64
    /// The front end's id for the request (API Gateway's `requestId`).
    public var requestID: String

    public init(
        method: String, path: String, rawQuery: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        proto: String = "HTTP/1.1", sourceIP: String = "127.0.0.1", timeEpochMs: Int64 = 0, requestID: String = "local"
    ) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.proto = proto
        self.sourceIP = sourceIP
        self.timeEpochMs = timeEpochMs
        self.requestID = requestID
    }

    /// Every value of the header `name` (any case), in order.
    func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The header names, lower-cased, each once, in the order first seen, with all
    /// their values.
    func grouped(skipping skipped: Set<String> = []) -> [(name: String, values: [String])] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard !skipped.contains(lower) else { continue }
            if values[lower] == nil { order.append(lower) }
            values[lower, default: []].append(value)
        }
        return order.map { ($0, values[$0] ?? []) }
    }

    /// The cookies of every `Cookie` header, each `name=value` as sent.
    var cookies: [String] {
        values("cookie").flatMap { $0.split(separator: ";") }.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// The query's parameters, decoded (`%XX`, and `+` as a space), in order; a name
    /// without `=` has the value "".
    var queryParameters: [(name: String, values: [String])] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for pair in rawQuery.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decoded(parts[0])
            let value = parts.count > 1 ? Self.decoded(parts[1]) : ""
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        return order.map { ($0, values[$0] ?? []) }
    }

    /// Whether the body goes into the event as text: a textual Content-Type and valid
    /// UTF-8, as function URLs and HTTP APIs decide; anything else goes in base64.
    var bodyIsText: Bool {
        guard let type = values("content-type").first?.lowercased() else { return false }
        let media = type.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        let textual =
            media.hasPrefix("text/") || media.hasSuffix("+json") || media.hasSuffix("+xml")
            || ["application/json", "application/javascript", "application/xml", "application/yaml",
                "application/x-www-form-urlencoded", "application/graphql"].contains(media)
        return textual && String(validating: body, as: UTF8.self) != nil
    }

    /// `%XX` decoded and `+` made a space; a `%` not followed by two hex digits is kept.
    /// Bytes that are not UTF-8 become U+FFFD.
    static func decoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%"), i + 2 < utf8.count, let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2]) {
                bytes.append(high << 4 | low)
                i += 3
                continue
            }
            bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
