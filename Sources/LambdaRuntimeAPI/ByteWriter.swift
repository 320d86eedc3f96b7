import CLambdaSystem

/// A growable byte buffer for building requests, reused across requests so that the hot
/// path does not allocate once it has reached its working size.
public struct ByteWriter: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    /// Creates a writer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        guard let raw = malloc(self.capacity) else { fatalError("lambda-host: out of memory") }
        base = raw.bindMemory(to: UInt8.self, capacity: self.capacity)
    }

    deinit { free(base) }

    /// Forgets what was written, keeping the memory.
    public mutating func reset() { count = 0 }

    /// The bytes written so far.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + extra { newCapacity *= 2 }
        guard let grown = realloc(base, newCapacity) else { fatalError("lambda-host: out of memory") }
        base = grown.bindMemory(to: UInt8.self, capacity: newCapacity)
        capacity = newCapacity
    }

    /// Appends one byte.
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends raw bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        memcpy(base + count, source, bytes.count)
        count += bytes.count
    }

    /// Appends a literal.
    public mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a string's UTF-8 bytes (one copy; a native string is not re-encoded).
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a non-negative integer in decimal.
    public mutating func append(decimal value: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value.magnitude
        var used = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - used] = UInt8(48 + n % 10)
                n /= 10
                used += 1
            } while n > 0 && used < 20
            if value < 0 { append(45) }
            append(UnsafeRawBufferPointer(rebasing: d[(20 - used)...]))
        }
    }

    /// Appends bytes as one URL path segment: unreserved characters as they are, every
    /// other byte percent-encoded, so an odd request id cannot change the path.
    public mutating func append(pathSegment bytes: UnsafeRawBufferPointer) {
        let hex: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            switch byte {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: append(byte)
            default:
                append(37)
                append(hex.utf8Start[Int(byte >> 4)])
                append(hex.utf8Start[Int(byte & 15)])
            }
        }
    }

    /// Appends a non-negative integer in hexadecimal (a chunk size).
    public mutating func append(hex value: Int) {
        let digits: StaticString = "0123456789abcdef"
        var shift = 60
        while shift > 0 && (value >> shift) & 15 == 0 { shift -= 4 }
        while shift >= 0 {
            append(digits.utf8Start[(value >> shift) & 15])
            shift -= 4
        }
    }

    /// Appends bytes in base64 (RFC 4648, with padding).
    public mutating func append(base64 bytes: UnsafeRawBufferPointer) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let table = alphabet.utf8Start
        var i = 0
        while i + 2 < bytes.count {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            append(table[n >> 18 & 63]); append(table[n >> 12 & 63]); append(table[n >> 6 & 63]); append(table[n & 63])
            i += 3
        }
        if bytes.count - i == 1 {
            let n = Int(bytes[i]) << 16
            append(table[n >> 18 & 63]); append(table[n >> 12 & 63]); append(61); append(61)
        } else if bytes.count - i == 2 {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
            append(table[n >> 18 & 63]); append(table[n >> 12 & 63]); append(table[n >> 6 & 63]); append(61)
        }
    }

    /// Appends text as an HTTP header value: control characters (CR and LF among them)
    /// become spaces so that a value cannot start a new header, and at most `limit` bytes
    /// are kept.
    public mutating func append(headerValue text: UnsafeRawBufferPointer, limit: Int = 1024) {
        for byte in text.prefix(limit) { append(byte < 32 || byte == 127 ? 32 : byte) }
    }

    /// Appends text as the inside of a JSON string, escaped; bytes that are not valid
    /// UTF-8 become U+FFFD.
    public mutating func append(jsonEscaped text: UnsafeRawBufferPointer) {
        let hex: StaticString = "0123456789abcdef"
        var valid = String(decoding: text, as: UTF8.self)
        valid.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case 34: append("\\\"")
                case 92: append("\\\\")
                case 10: append("\\n")
                case 13: append("\\r")
                case 9: append("\\t")
                case 0..<32:
                    append("\\u00")
                    append(hex.utf8Start[Int(byte >> 4)])
                    append(hex.utf8Start[Int(byte & 15)])
                default: append(byte)
                }
            }
        }
    }
}
