extension JSONReader {
    /// A string, from its opening quote. Its raw bytes must be UTF-8 and each `\u`
    /// escape a whole character, so that the String holds exactly the text that was sent:
    /// nothing is replaced with U+FFFD. Cost: one validating pass over each run of raw
    /// bytes; a string without escapes is made from its bytes at once.
    mutating func string() throws(Failure) -> String {
        let start = index
        index += 1  // the opening quote
        var scalars = String.UnicodeScalarView()
        var escaped = false
        var run = index
        while true {
            guard let c = peek else { throw failure("unterminated string") }
            if c == UInt8(ascii: "\"") {
                let tail = try text(run..<index, stringAt: start)
                index += 1
                guard escaped else { return tail }
                scalars.append(contentsOf: tail.unicodeScalars)
                return String(scalars)
            }
            if c < 32 { throw failure("a control character inside a string") }
            if c != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            escaped = true
            scalars.append(contentsOf: try text(run..<index, stringAt: start).unicodeScalars)
            let escapeAt = index
            index += 1
            guard let escape = peek else { throw failure("unterminated escape") }
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code), peek == UInt8(ascii: "\\"), index + 1 < bytes.count,
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    // The low half of a pair may follow.
                    let high = code
                    let lowAt = index
                    index += 2
                    let low = try hex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = lowAt
                    }
                }
                guard let scalar = Unicode.Scalar(code) else { throw loneSurrogate(at: escapeAt, stringAt: start) }
                scalars.append(scalar)
            default:
                throw failure("an unknown escape")
            }
            run = index
        }
    }

    /// The bytes in `range` as a String, when they are UTF-8.
    private func text(_ range: Range<Int>, stringAt start: Int) throws(Failure) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        if let text = String(validating: slice, as: UTF8.self) { return text }
        // Where the first fault is, for the message.
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = slice.makeIterator()
        var offset = range.lowerBound
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        let byte = offset < range.upperBound ? bytes[offset] : 0
        throw Failure(
            kind: .notUTF8, offset: offset,
            reason: "the string at byte \(start) holds byte 0x\(Self.hex(byte)) at byte \(offset), which is not UTF-8; "
                + "send text as UTF-8 (binary data goes base64-encoded, to a bytes parameter)")
    }

    private func loneSurrogate(at offset: Int, stringAt start: Int) -> Failure {
        let escape = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 6]), as: UTF8.self)
        return Failure(
            kind: .notUTF8, offset: offset,
            reason: "the string at byte \(start) holds \(escape) at byte \(offset), half of a UTF-16 surrogate pair "
                + "without its other half, which UTF-8 cannot carry; write a character beyond U+FFFF as its pair "
                + "(\\ud83d\\ude00 for U+1F600) or as UTF-8 text")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case 48...57: digit = UInt32(c - 48)
            case 97...102: digit = UInt32(c - 87)
            case 65...70: digit = UInt32(c - 55)
            default: throw failure("a bad \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Two upper-case hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }

    /// `name` for a message, with every character outside printable ASCII as a JSON
    /// escape, so that look-alikes (U+212A KELVIN SIGN for "K") show as what they are.
    package static func visible(_ name: String) -> String {
        var out = ""
        for unit in name.utf16 {
            if (0x20..<0x7F).contains(unit) {
                out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            } else {
                out += "\\u" + hex(UInt8(unit >> 8)).lowercased() + hex(UInt8(unit & 0xFF)).lowercased()
            }
        }
        return out
    }
}
