/// An X-Ray trace header, as Lambda gives it in `Lambda-Runtime-Trace-Id` and
/// `_X_AMZN_TRACE_ID` and as services pass it on in `X-Amzn-Trace-Id`:
/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`, with
/// `Lineage=…` or other fields in any order.
///
/// Parsing is strict where a wrong value would reach X-Ray: a root that is not
/// `1-<8 hex>-<24 hex>` or a parent that is not 16 hex digits (lower-case, as X-Ray writes
/// them) makes the whole header nil, and so does a repeated `Root`, `Parent` or `Sampled`,
/// or a field without `=`. Keys match without regard to case; spaces and tabs around fields,
/// keys and values are skipped; empty fields (`;;`, a trailing `;`) and unknown keys are
/// ignored. Only `Sampled=1` means sampled (`0`, `?` or none: not).
///
/// Cost: one pass over the bytes, one String for the root (35 bytes) and, as the parent is
/// 16 bytes, one more; no other allocation.
public struct XRayTraceHeader: Equatable, Sendable {
    /// The trace id, `1-<8 hex>-<24 hex>`: the `trace_id` of every subsegment.
    public var root: String
    /// The id of the segment the calls belong to (Lambda's function segment), or nil.
    public var parent: String?
    /// Whether Lambda sampled the invocation: only then are subsegments sent.
    public var sampled: Bool

    /// Parses the header's value (the bytes after `X-Amzn-Trace-Id:`, or the variable's
    /// value); nil when it has no valid root or is malformed (see the type's notes).
    public init?(_ value: UnsafeRawBufferPointer) {
        var root: String?
        var parent: String?
        var sampled: Bool?
        let count = value.count
        var start = 0
        while start <= count {
            var end = start
            while end < count && value[end] != 59 { end += 1 }  // ';'
            let (from, to) = Self.trimmed(value, start, end)
            if from < to {
                var equals = from
                while equals < to && value[equals] != 61 { equals += 1 }  // '='
                guard equals < to else { return nil }
                let (keyFrom, keyTo) = Self.trimmed(value, from, equals)
                let (valueFrom, valueTo) = Self.trimmed(value, equals + 1, to)
                let field = UnsafeRawBufferPointer(rebasing: value[valueFrom..<valueTo])
                if Self.keyIs(value, keyFrom, keyTo, "root") {
                    guard root == nil, Self.isRoot(field) else { return nil }
                    root = String(decoding: field, as: UTF8.self)
                } else if Self.keyIs(value, keyFrom, keyTo, "parent") {
                    guard parent == nil, field.count == 16, Self.isHex(field, 0, 16) else { return nil }
                    parent = String(decoding: field, as: UTF8.self)
                } else if Self.keyIs(value, keyFrom, keyTo, "sampled") {
                    guard sampled == nil else { return nil }
                    sampled = field.count == 1 && field[0] == 49  // "1"
                }
            }
            start = end + 1
        }
        guard let root else { return nil }
        self.root = root
        self.parent = parent
        self.sampled = sampled ?? false
    }

    /// Parses the header's value from bytes; see ``init(_:)-(UnsafeRawBufferPointer)``.
    public init?(_ value: [UInt8]) {
        guard let header = value.withUnsafeBytes({ XRayTraceHeader($0) }) else { return nil }
        self = header
    }

    /// Parses the header's value from text (e.g. `_X_AMZN_TRACE_ID`'s).
    public init?(_ value: String) {
        var copy = value
        guard let header = copy.withUTF8({ XRayTraceHeader(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = header
    }

    // MARK: Lexing

    /// `[from, to)` without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> (Int, Int) {
        var from = from
        var to = to
        while from < to && (bytes[from] == 32 || bytes[from] == 9) { from += 1 }
        while to > from && (bytes[to - 1] == 32 || bytes[to - 1] == 9) { to -= 1 }
        return (from, to)
    }

    /// Whether `[from, to)` is `key` (lower-case ASCII) in any case.
    private static func keyIs(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int, _ key: StaticString) -> Bool {
        guard to - from == key.utf8CodeUnitCount else { return false }
        for i in 0..<key.utf8CodeUnitCount where bytes[from + i] | 32 != key.utf8Start[i] { return false }
        return true
    }

    /// `1-<8 hex>-<24 hex>`: version 1, the epoch seconds, 96 random bits.
    private static func isRoot(_ field: UnsafeRawBufferPointer) -> Bool {
        field.count == 35 && field[0] == 49 && field[1] == 45 && field[10] == 45
            && isHex(field, 2, 10) && isHex(field, 11, 35)
    }

    /// Whether `[from, to)` is lower-case hexadecimal digits only.
    private static func isHex(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Bool {
        for i in from..<to {
            let c = bytes[i]
            guard (c >= 48 && c <= 57) || (c >= 97 && c <= 102) else { return false }
        }
        return true
    }
}
