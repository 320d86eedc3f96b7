/// Foundation's `Data` in a plugin that imports Foundation: coded as a base64 string, as
/// FoundationEssentials' JSON coders do by default, rather than as the array of numbers
/// its own Codable writes. Told by its type name, since this module cannot name it.
///
/// Cost: for most types a size comparison; for a 16-byte type (`Data`'s size; `String?`,
/// a struct of two words) a conformance lookup that the runtime caches; the name only for
/// a 16-byte collection.
enum FoundationData {
    /// Whether `T` is Foundation's `Data`.
    @inline(__always)
    static func isData<T>(_ type: T.Type) -> Bool {
        guard MemoryLayout<T>.size == 16, type != String.self else { return false }
        return isNamedData(type)
    }

    @inline(never)
    private static func isNamedData(_ type: Any.Type) -> Bool {
        // Unconstrained: a constrained existential (`RangeReplaceableCollection<UInt8>`)
        // costs the runtime a check of its requirements on every cast.
        guard type is any RangeReplaceableCollection.Type else { return false }
        let name = _typeName(type, qualified: true)
        return name == "FoundationEssentials.Data" || name == "Foundation.Data"
    }

    /// The base64 text of a `Data` value.
    static func encode<T>(_ value: T) -> String? {
        guard let bytes = value as? any Sequence<UInt8> else { return nil }
        return base64(Array(bytes))
    }

    /// A `Data` value from its base64 text; `failure` makes the error for text that is not
    /// padded base64.
    static func decode<T>(_ type: T.Type, from text: String, failure: (String) -> any Error) throws -> T {
        guard let bytes = bytes(base64: text), let collection = type as? any RangeReplaceableCollection<UInt8>.Type,
            let value = make(collection, bytes) as? T
        else { throw failure("Encountered Data is not valid Base64.") }
        return value
    }

    private static func make<C: RangeReplaceableCollection<UInt8>>(_ type: C.Type, _ bytes: [UInt8]) -> C { C(bytes) }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// RFC 4648 base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        let table = alphabet.utf8Start
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let group = UInt32(bytes[index]) << 16 | (remaining > 1 ? UInt32(bytes[index + 1]) << 8 : 0)
                | (remaining > 2 ? UInt32(bytes[index + 2]) : 0)
            for slot in 0..<4 {
                out.append(slot <= min(remaining, 3) ? table[Int(group >> (18 - 6 * UInt32(slot)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of padded base64 text (a length that is a multiple of four, `=` only at
    /// the end); nil for anything else.
    static func bytes(base64 text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 4 * 3)
        var group: UInt32 = 0
        var padding = 0
        for (position, character) in characters.enumerated() {
            let value: UInt32
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(character - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(character - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(character - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "=") where position >= characters.count - 2 && position % 4 >= 2:
                padding += 1
                value = 0
            default: return nil
            }
            guard padding == 0 || character == UInt8(ascii: "=") else { return nil }
            group = group << 6 | value
            if position % 4 == 3 {
                bytes.append(UInt8(truncatingIfNeeded: group >> 16))
                if padding < 2 { bytes.append(UInt8(truncatingIfNeeded: group >> 8)) }
                if padding < 1 { bytes.append(UInt8(truncatingIfNeeded: group)) }
                group = 0
            }
        }
        return bytes
    }
}
