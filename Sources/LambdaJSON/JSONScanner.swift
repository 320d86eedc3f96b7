/// Splits JSON text into ``JSONToken``s in one pass, without converting strings or
/// numbers: the shared first step of the Codable decoder and of the host's event reader.
///
/// It checks the structure (brackets, commas, colons, literals, where strings and numbers
/// end) and the nesting limit, with an explicit stack, so that no input can exhaust the
/// call stack. What it leaves to the reader, as FoundationEssentials' JSONDecoder does: a
/// number is any run of digits, `.`, `+`, `-`, `e` and `E` that starts with a digit or
/// `-`, and a string's escapes, control characters and UTF-8 are checked when the string
/// is read. Cost: one pass over the bytes, eight at a time inside strings; one token (32
/// bytes) per value.
package struct JSONScanner {
    /// How strict the structure must be.
    package struct Options: Sendable {
        /// The most arrays and objects open at once.
        package var maxDepth: Int
        /// Whether `[1,]` and `{"a":1,}` are accepted (FoundationEssentials accepts them).
        package var allowsTrailingCommas: Bool

        package init(maxDepth: Int, allowsTrailingCommas: Bool) {
            self.maxDepth = maxDepth
            self.allowsTrailingCommas = allowsTrailingCommas
        }

        /// What FoundationEssentials' JSONDecoder accepts: 512 levels, trailing commas.
        package static let foundation = Options(maxDepth: 512, allowsTrailingCommas: true)
    }

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let options: Options
    private var index = 0
    private var tokens: [JSONToken] = []
    /// The tokens of the arrays and objects open at `index`.
    private var open: [Int] = []

    /// The tokens of one JSON document that fills `bytes` (whitespace around it allowed).
    ///
    /// - Throws: ``JSONSyntaxError`` with the offset of the first fault.
    package static func scan(_ bytes: UnsafeRawBufferPointer, options: Options) throws(JSONSyntaxError) -> [JSONToken] {
        guard let start = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(.syntax, at: 0, "unexpected end of input")
        }
        var scanner = JSONScanner(
            base: start.assumingMemoryBound(to: UInt8.self), count: bytes.count, options: options)
        scanner.tokens.reserveCapacity(bytes.count / 8 + 4)
        try scanner.document()
        return scanner.tokens
    }

    private init(base: UnsafePointer<UInt8>, count: Int, options: Options) {
        self.base = base
        self.count = count
        self.options = options
    }

    private func failure(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(.syntax, at: offset ?? index, reason)
    }

    private func unexpected(_ context: String) -> JSONSyntaxError {
        guard index < count else { return failure("unexpected end of input \(context)") }
        let byte = base[index]
        let shown = (32..<127).contains(byte) ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        return failure("unexpected \(shown) \(context)")
    }

    /// The next byte that is not whitespace (space, tab, LF, CR), or nil at the end.
    private mutating func nextSignificant() -> UInt8? {
        while index < count {
            let byte = base[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return byte }
            index += 1
        }
        return nil
    }

    private mutating func document() throws(JSONSyntaxError) {
        while true {
            try value()
            // After a value: close what it completes, then find where the next one starts.
            while true {
                guard let top = open.last else {
                    if nextSignificant() != nil { throw unexpected("after the top-level value") }
                    return
                }
                tokens[top].count += 1
                let isArray = tokens[top].kind == .array
                switch nextSignificant() {
                case UInt8(ascii: ","):
                    index += 1
                    let next = nextSignificant()
                    if options.allowsTrailingCommas, next == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                        index += 1
                        close(top)
                        continue
                    }
                    if !isArray { try key() }
                case UInt8(ascii: "]") where isArray, UInt8(ascii: "}") where !isArray:
                    index += 1
                    close(top)
                    continue
                default:
                    throw unexpected(isArray ? "in an array, where ',' or ']' should be" : "in an object, where ',' or '}' should be")
                }
                break
            }
        }
    }

    private mutating func close(_ container: Int) {
        tokens[container].end = tokens.count
        open.removeLast()
    }

    /// One value; for an array or object, its opening and, when it is not empty, the
    /// openings down to its first scalar (a loop, not recursion).
    private mutating func value() throws(JSONSyntaxError) {
        while true {
            guard let byte = nextSignificant() else { throw unexpected("where a value should be") }
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard open.count < options.maxDepth else {
                    throw failure("nesting deeper than \(options.maxDepth) arrays and objects")
                }
                let isArray = byte == UInt8(ascii: "[")
                tokens.append(JSONToken(kind: isArray ? .array : .object, flags: 0, start: index, end: 0, count: 0))
                open.append(tokens.count - 1)
                index += 1
                if nextSignificant() == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                    index += 1
                    close(tokens.count - 1)
                    return
                }
                if !isArray { try key() }
                continue
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"):
                try literal("true", .true)
            case UInt8(ascii: "f"):
                try literal("false", .false)
            case UInt8(ascii: "n"):
                try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                number()
            default:
                throw unexpected("where a value should be")
            }
            return
        }
    }

    /// A member's name and its colon.
    private mutating func key() throws(JSONSyntaxError) {
        guard nextSignificant() == UInt8(ascii: "\"") else { throw unexpected("where a member name should be") }
        try string()
        guard nextSignificant() == UInt8(ascii: ":") else { throw unexpected("after a member name, where ':' should be") }
        index += 1
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONToken.Kind) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        var matched = 0
        while matched < length, index + matched < count, base[index + matched] == word.utf8Start[matched] { matched += 1 }
        guard matched == length else {
            index += matched
            throw unexpected("in the literal \(word)")
        }
        tokens.append(JSONToken(kind: kind, flags: 0, start: index, end: index + length, count: 0))
        index += length
    }

    private mutating func number() {
        let start = index
        index += 1
        while index < count {
            switch base[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                tokens.append(JSONToken(kind: .number, flags: 0, start: start, end: index, count: 0))
                return
            }
        }
        tokens.append(JSONToken(kind: .number, flags: 0, start: start, end: index, count: 0))
    }

    /// A string, from its opening quote: finds the closing quote, stepping over escapes
    /// (a `\u` needs four bytes, none of them a quote), and notes what reading it needs.
    private mutating func string() throws(JSONSyntaxError) {
        let quote = index
        index += 1
        let start = index
        var flags: UInt8 = 0
        var high: UInt64 = 0
        while true {
            // Eight bytes at a time while none is a quote, a backslash or a control character.
            while index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                guard !Self.hasSpecialByte(word) else { break }
                high |= word
                index += 8
            }
            guard index < count else { throw failure("unterminated string (it opens at byte \(quote))") }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                flags |= JSONToken.escaped
                guard index + 1 < count else { throw failure("unterminated string (it opens at byte \(quote))") }
                if base[index + 1] == UInt8(ascii: "u") {
                    guard index + 6 <= count else { throw failure("a \\u escape cut short by the end of input") }
                    for offset in 2..<6 where base[index + offset] == UInt8(ascii: "\"") {
                        throw failure("a \\u escape cut short by a quote")
                    }
                    index += 6
                } else {
                    index += 2
                }
                continue
            }
            if byte < 0x20 { flags |= JSONToken.escaped }
            if byte >= 0x80 { flags |= JSONToken.nonASCII }
            index += 1
        }
        if high & 0x8080_8080_8080_8080 != 0 { flags |= JSONToken.nonASCII }
        tokens.append(JSONToken(kind: .string, flags: flags, start: start, end: index, count: 0))
        index += 1
    }

    /// Whether any byte of `word` is a quote, a backslash or below 0x20. Each test is
    /// exact as a whole (a borrow only spreads above a byte that matched).
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = hasZero(word ^ (ones &* 0x22))
        let backslash = hasZero(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control != 0
    }
}
