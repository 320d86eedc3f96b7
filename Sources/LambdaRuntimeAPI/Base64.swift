/// Strict base64 (RFC 4648, padding optional): bytes have one spelling, with or without
/// its padding.
public enum Base64 {
    /// `bytes` in base64, with padding (``ByteWriter/append(base64:)``'s spelling).
    public static func encode(_ bytes: [UInt8]) -> String {
        var writer = ByteWriter(capacity: bytes.count * 4 / 3 + 4)
        bytes.withUnsafeBytes { writer.append(base64: $0) }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The bytes a base64 string holds, or nil when it is not valid base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var accumulator = 0
        var bits = 0
        var padding = 0
        for c in text.utf8 {
            let value: Int
            switch c {
            case 65...90: value = Int(c) - 65
            case 97...122: value = Int(c) - 71
            case 48...57: value = Int(c) + 4
            case 43: value = 62
            case 47: value = 63
            case 61:
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = (accumulator << 6 | value) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((accumulator >> bits) & 0xFF))
            }
        }
        // Only the canonical spelling: the last quantum's unused bits are zero, and its
        // padding, when there is any, is exactly what completes it. Two spellings of the
        // same bytes ("AA==" and "AB==") would be a guess at which was meant.
        switch bits {
        case 0: guard padding == 0 else { return nil }
        case 4: guard padding == 0 || padding == 2, accumulator & 0xF == 0 else { return nil }
        case 2: guard padding == 0 || padding == 1, accumulator & 0x3 == 0 else { return nil }
        default: return nil
        }
        return bytes
    }
}
