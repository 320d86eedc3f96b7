import LambdaJSONLean

/// Reads JSON (RFC 8259) from bytes into a ``JSONValue``, with a nesting limit, so that no
/// input can exhaust the stack. What it cannot represent exactly it refuses rather than
/// guesses: an object that names a member twice, and a string that is not Unicode text
/// (bytes that are not UTF-8, or an escaped half of a surrogate pair). Unlike the Codable
/// decoder that shares its scanner (LambdaJSON), it refuses trailing commas and checks
/// every string and number, used or not.
///
/// Cost: one pass of ``JSONScanner``, then one over its tokens; allocates the values it returns.
public struct JSONReader {
    /// The deepest nesting accepted: a value inside 64 arrays and objects is refused.
    public static let maxDepth = 64

    private let base: UnsafePointer<UInt8>
    private let tokens: [JSONToken]

    /// Parses one JSON document.
    ///
    /// - Throws: ``JSONReader/Failure`` with the byte offset of the fault.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        let tokens: [JSONToken]
        do {
            tokens = try JSONScanner.scan(bytes, options: JSONScanner.Options(maxDepth: maxDepth, allowsTrailingCommas: false))
        } catch {
            throw Failure(error)
        }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw Failure(kind: .syntax, offset: 0, reason: "unexpected end of input")
        }
        return try JSONReader(base: base, tokens: tokens).value(at: 0, depth: 0)
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

        init(kind: Kind, offset: Int, reason: String) {
            self.kind = kind
            self.offset = offset
            self.reason = reason
        }

        init(_ error: JSONSyntaxError) {
            self.init(kind: error.kind == .syntax ? .syntax : .notUTF8, offset: error.offset, reason: error.reason)
        }
    }

    private func value(at index: Int, depth: Int) throws(Failure) -> JSONValue {
        let token = tokens[index]
        guard depth < Self.maxDepth else {
            throw Failure(kind: .syntax, offset: token.start, reason: "nesting deeper than \(Self.maxDepth)")
        }
        switch token.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number:
            guard JSONNumberText(base, from: token.start, to: token.end) != nil else {
                throw Failure(kind: .syntax, offset: token.start, reason: "a malformed number")
            }
            return .number(String(decoding: UnsafeBufferPointer(start: base + token.start, count: token.end - token.start), as: UTF8.self))
        case .string:
            return .string(try text(index))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(token.count)
            var element = index + 1
            for _ in 0..<token.count {
                elements.append(try value(at: element, depth: depth + 1))
                element = next(after: element)
            }
            return .array(elements)
        case .object:
            return try object(at: index, depth: depth)
        }
    }

    /// An object, whose member names must differ byte for byte (String's == would also
    /// equate canonically equivalent spellings, such as U+212A KELVIN SIGN and "K").
    /// Cost: a linear scan of the names for the few members an event has, a hash set of
    /// their bytes from the 16th on, so that a huge object stays linear.
    private func object(at index: Int, depth: Int) throws(Failure) -> JSONValue {
        var members: [(String, JSONValue)] = []
        var hashed: Set<[UInt8]> = []
        var name = index + 1
        for _ in 0..<tokens[index].count {
            let text = try self.text(name)
            let repeated: Bool
            if members.count < 16 {
                repeated = members.contains { $0.0.utf8.elementsEqual(text.utf8) }
            } else {
                if hashed.isEmpty { hashed = Set(members.map { Array($0.0.utf8) }) }
                repeated = !hashed.insert(Array(text.utf8)).inserted
            }
            guard !repeated else {
                let at = tokens[name].start - 1
                throw Failure(
                    kind: .duplicateName, offset: at,
                    reason: "the object at byte \(tokens[index].start) names '\(Self.visible(text))' twice (again at byte \(at)), "
                        + "so which value is meant is unknown; send each member once")
            }
            members.append((text, try value(at: name + 1, depth: depth + 1)))
            name = next(after: name + 1)
        }
        return .object(members)
    }

    private func text(_ index: Int) throws(Failure) -> String {
        do {
            return try JSONStringText.text(of: tokens[index], in: base)
        } catch {
            throw Failure(error)
        }
    }

    private func next(after index: Int) -> Int {
        tokens[index].isContainer ? tokens[index].end : index + 1
    }
}
