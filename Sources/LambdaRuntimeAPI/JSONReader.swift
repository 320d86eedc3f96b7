/// Reads JSON (RFC 8259) from bytes, with a nesting limit, so that no input can exhaust
/// the stack. What it cannot represent exactly it refuses rather than guesses: an object
/// that names a member twice, and a string that is not Unicode text (bytes that are not
/// UTF-8, or an escaped half of a surrogate pair). Cost: one pass; allocates the values
/// it returns.
public struct JSONReader {
    /// The deepest nesting accepted.
    public static let maxDepth = 64

    let bytes: UnsafeRawBufferPointer
    var index = 0

    /// Parses one JSON document.
    ///
    /// - Throws: ``JSONReader/Failure`` with the byte offset of the fault.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.count else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    /// Where and why the input cannot be read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What kind of fault it is.
        public enum Kind: Sendable {
            /// The text is not JSON.
            case syntax
            /// An object names a member twice, so which value was meant is unknown.
            case duplicateName
            /// A string is not Unicode text: bytes that are not UTF-8, or a lone surrogate.
            case notUTF8
        }

        /// What kind of fault it is.
        public var kind: Kind
        /// The byte offset of the fault.
        public var offset: Int
        /// What was wrong; for a kind other than `.syntax`, also what to do.
        public var reason: String
        public var description: String {
            kind == .syntax ? "the event is not valid JSON: \(reason) at byte \(offset)" : reason
        }
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func failure(_ reason: String) -> Failure { Failure(kind: .syntax, offset: index, reason: reason) }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == 32 || c == 9 || c == 10 || c == 13 { index += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth)") }
        switch peek {
        case UInt8(ascii: "{"):
            return try object(depth: depth)
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                guard peek == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
                index += 1
                return .array(elements)
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case let c? where c == UInt8(ascii: "-") || (48...57).contains(c):
            return .number(try number())
        default:
            throw failure(peek == nil ? "unexpected end" : "unexpected character")
        }
    }

    /// An object, whose member names must differ byte for byte (String's == would also
    /// equate canonically equivalent spellings, such as U+212A KELVIN SIGN and "K").
    /// Cost: a linear scan of the names for the few members an event has, a hash set of
    /// their bytes from the 16th on, so that a huge object stays linear.
    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        let start = index
        index += 1
        var members: [(String, JSONValue)] = []
        var hashed: Set<[UInt8]> = []
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let nameAt = index
            let name = try string()
            let repeated: Bool
            if members.count < 16 {
                repeated = members.contains { $0.0.utf8.elementsEqual(name.utf8) }
            } else {
                if hashed.isEmpty { hashed = Set(members.map { Array($0.0.utf8) }) }
                repeated = !hashed.insert(Array(name.utf8)).inserted
            }
            guard !repeated else {
                throw Failure(
                    kind: .duplicateName, offset: nameAt,
                    reason: "the object at byte \(start) names '\(Self.visible(name))' twice (again at byte \(nameAt)), "
                        + "so which value is meant is unknown; send each member once")
            }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            skipSpace()
            members.append((name, try value(depth: depth + 1)))
            skipSpace()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            guard peek == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            index += 1
            return .object(members)
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] })
        else { throw failure("expected \(word)") }
        index += count
        return value
    }

    private mutating func number() throws(Failure) -> String {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, (48...57).contains(first) else { throw failure("expected a digit") }
        index += 1
        if first != 48 { while let c = peek, (48...57).contains(c) { index += 1 } }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let c = peek, (48...57).contains(c) else { throw failure("expected a digit after '.'") }
            while let c = peek, (48...57).contains(c) { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let c = peek, (48...57).contains(c) else { throw failure("expected a digit in the exponent") }
            while let c = peek, (48...57).contains(c) { index += 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }
}
