/// Writes an encoded tree as JSON text, byte for byte as FoundationEssentials'
/// JSONEncoder does: in a string, `"` and `\` escaped, `/` as `\/` (unless asked not to),
/// backspace, form feed, newline, return and tab as `\b \f \n \r \t`, any other control
/// character as `\u00XX` (lower-case hex), everything else as its UTF-8; with
/// `.prettyPrinted`, two spaces of indent per level and ` : ` after a name (an empty array
/// or object is written over two lines, as FoundationEssentials does).
///
/// Cost: one pass; a string's runs that need no escape are copied whole.
struct JSONWriter {
    /// The deepest nesting FoundationEssentials' encoder writes: 511 arrays and objects.
    static let maxDepth = 512

    struct TooDeep: Error {}

    private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private let sorted: Bool
    private let escapesSlash: Bool
    private var indent = 0

    init(formatting: LambdaJSONEncoder.OutputFormatting) {
        pretty = formatting.contains(.prettyPrinted)
        sorted = formatting.contains(.sortedKeys)
        escapesSlash = !formatting.contains(.withoutEscapingSlashes)
        bytes.reserveCapacity(256)
    }

    mutating func write(_ value: JSONEncodedValue, depth: Int = 0) throws(TooDeep) {
        switch value {
        case .null: append("null")
        case .bool(let flag): flag ? append("true") : append("false")
        case .string(let text): write(string: text)
        case .signed(let number): write(integer: number.magnitude, negative: number < 0)
        case .unsigned(let number): write(integer: number, negative: false)
        case .number(let text): append(utf8: text)
        case .array(let array):
            guard depth + 1 < Self.maxDepth else { throw TooDeep() }
            bytes.append(UInt8(ascii: "["))
            open()
            for (position, element) in array.values.enumerated() {
                separate(first: position == 0)
                try write(element, depth: depth + 1)
            }
            close(UInt8(ascii: "]"))
        case .object(let object):
            guard depth + 1 < Self.maxDepth else { throw TooDeep() }
            bytes.append(UInt8(ascii: "{"))
            open()
            var members = object.members
            if sorted { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            for (position, member) in members.enumerated() {
                separate(first: position == 0)
                write(string: member.key)
                pretty ? append(" : ") : bytes.append(UInt8(ascii: ":"))
                try write(member.value, depth: depth + 1)
            }
            close(UInt8(ascii: "}"))
        }
    }

    private mutating func open() {
        guard pretty else { return }
        bytes.append(0x0A)
        indent += 1
    }

    private mutating func separate(first: Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        guard pretty else { return }
        if !first { bytes.append(0x0A) }
        writeIndent()
    }

    private mutating func close(_ bracket: UInt8) {
        if pretty {
            bytes.append(0x0A)
            indent -= 1
            writeIndent()
        }
        bytes.append(bracket)
    }

    private mutating func writeIndent() {
        for _ in 0..<indent { append("  ") }
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func write(integer magnitude: UInt64, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = magnitude
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position...]))
        }
    }

    private mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = string
        text.withUTF8 { utf8 in
            let hex: StaticString = "0123456789abcdef"
            var run = 0
            for (index, byte) in utf8.enumerated() {
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/") where escapesSlash: escape = "\\/"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0..<0x20: escape = "\\u00"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                append(escape)
                if escape.utf8CodeUnitCount == 4 {  // \u00, then two hex digits
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 15)])
                }
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
