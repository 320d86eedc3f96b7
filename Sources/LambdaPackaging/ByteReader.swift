/// Bounds-checked little-endian reads and writes on a file's bytes. Every read of a
/// field that a damaged file could place out of range returns nil instead of trapping.
struct ByteReader {
    private(set) var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    /// The `size`-byte little-endian unsigned integer at `offset`, or nil out of range.
    func uint(at offset: Int, size: Int) -> UInt64? {
        guard offset >= 0, size > 0, size <= 8, offset <= bytes.count - size else { return nil }
        var value: UInt64 = 0
        for index in stride(from: size - 1, through: 0, by: -1) {
            value = value << 8 | UInt64(bytes[offset + index])
        }
        return value
    }

    func u16(_ offset: Int) -> UInt16? { uint(at: offset, size: 2).map { UInt16(truncatingIfNeeded: $0) } }
    func u32(_ offset: Int) -> UInt32? { uint(at: offset, size: 4).map { UInt32(truncatingIfNeeded: $0) } }
    func u64(_ offset: Int) -> UInt64? { uint(at: offset, size: 8) }

    /// A u64 field as an offset or size that fits in this file, or nil.
    func index(_ offset: Int) -> Int? {
        guard let value = u64(offset), value <= UInt64(bytes.count) else { return nil }
        return Int(value)
    }

    /// The NUL-terminated string at `offset`, or nil when it runs past the end.
    func string(at offset: Int, end: Int) -> String? {
        guard offset >= 0, offset < end, end <= bytes.count else { return nil }
        guard let nul = bytes[offset..<end].firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[offset..<nul], as: UTF8.self)
    }

    /// Writes `value` as a `size`-byte little-endian integer; false when out of range.
    @discardableResult
    mutating func set(_ value: UInt64, at offset: Int, size: Int) -> Bool {
        guard offset >= 0, size > 0, size <= 8, offset <= bytes.count - size else { return false }
        for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        return true
    }

    /// Overwrites the bytes at `offset`; false when out of range.
    @discardableResult
    mutating func replace(at offset: Int, with new: [UInt8]) -> Bool {
        guard offset >= 0, offset <= bytes.count - new.count else { return false }
        bytes.replaceSubrange(offset..<offset + new.count, with: new)
        return true
    }
}
