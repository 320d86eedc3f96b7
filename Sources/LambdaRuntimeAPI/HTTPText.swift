/// Byte-level pieces of HTTP/1.1 header parsing shared by the Runtime API reply parser and
/// the outbound response parser: they work on bytes in place and allocate nothing.
public enum HTTPText {
    /// Case-insensitive comparison of `lower.utf8CodeUnitCount` ASCII bytes at `name`
    /// with a lower-case literal of that length. Cost: one pass over the literal.
    @inlinable
    public static func matches(_ name: UnsafePointer<UInt8>, _ lower: StaticString) -> Bool {
        let expected = lower.utf8Start
        for i in 0..<lower.utf8CodeUnitCount {
            var c = name[i]
            if c >= 65 && c <= 90 { c += 32 }
            if c != expected[i] { return false }
        }
        return true
    }

    /// Whether `text` contains the lower-case `needle`, ignoring case.
    public static func contains(_ text: UnsafePointer<UInt8>, _ count: Int, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard count >= n else { return false }
        for offset in 0...(count - n) where matches(text + offset, needle) {
            return true
        }
        return false
    }

    /// A non-negative decimal of at most 18 digits (so it cannot overflow), or nil.
    public static func decimal(_ text: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard count > 0, count <= 18 else { return nil }
        var value = 0
        for i in 0..<count {
            let c = text[i]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    /// Splits the header line `lineStart..<lineEnd` (without its line end) at the first
    /// colon and trims spaces and tabs around the value. Returns nil when the line has no
    /// colon or nothing before it.
    public static func field(
        _ bytes: UnsafePointer<UInt8>, lineStart: Int, lineEnd: Int
    ) -> (colon: Int, value: Span)? {
        var colon = lineStart
        while colon < lineEnd && bytes[colon] != 58 { colon += 1 }
        guard colon < lineEnd, colon > lineStart else { return nil }
        var valueStart = colon + 1
        while valueStart < lineEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
        var valueEnd = lineEnd
        while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
        return (colon, Span(start: valueStart, count: valueEnd - valueStart))
    }

    /// Whether `byte` may appear in a token (RFC 9110 §5.6.2: a method or a field name).
    @inlinable
    public static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }
}
