/// Reads the text of a scanned JSON string: its escapes resolved, its bytes checked as
/// UTF-8, so that the String holds exactly what was sent and nothing is replaced with
/// U+FFFD. Refused: a control character (below U+0020) written raw, an unknown escape, a
/// `\u` that is not four hex digits, an escaped half of a surrogate pair without its other
/// half, and bytes that are not UTF-8.
///
/// Cost: a string without escapes is made from its bytes at once (ASCII needs no check);
/// one with escapes is assembled in one pass, its raw runs validated as they are copied.
package enum JSONStringText {
    /// The text of the string `token` (a ``JSONToken/Kind/string``) in `base`.
    @inline(__always)
    package static func text(of token: JSONToken, in base: UnsafePointer<UInt8>) throws(JSONSyntaxError) -> String {
        let bytes = UnsafeBufferPointer(start: base + token.start, count: token.end - token.start)
        if token.flags & JSONToken.escaped == 0 {
            if token.flags & JSONToken.nonASCII == 0 { return String(decoding: bytes, as: UTF8.self) }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw notUTF8(base, from: token.start, to: token.end, stringAt: token.start - 1)
            }
            return text
        }
        return try escapedText(base, from: token.start, to: token.end, checksUTF8: token.flags & JSONToken.nonASCII != 0)
    }

    /// Whether the string `token` spells `key` byte for byte (no escapes to resolve).
    @inline(__always)
    package static func spells(_ token: JSONToken, in base: UnsafePointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard token.flags & JSONToken.escaped == 0, token.end - token.start == key.count else { return false }
        guard let start = key.baseAddress else { return true }
        return memcmpBytes(base + token.start, start, key.count)
    }

    @inline(__always)
    private static func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var offset = 0
        while offset + 8 <= count {
            if UnsafeRawPointer(a + offset).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + offset).loadUnaligned(as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < count {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }

    private static func escapedText(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, checksUTF8: Bool
    ) throws(JSONSyntaxError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var run = start
        var index = start
        func copyRun(upTo stop: Int) throws(JSONSyntaxError) {
            guard stop > run else { return }
            let bytes = UnsafeBufferPointer(start: base + run, count: stop - run)
            if checksUTF8, String(validating: bytes, as: UTF8.self) == nil {
                throw notUTF8(base, from: run, to: stop, stringAt: start - 1)
            }
            out.append(contentsOf: bytes)
        }
        while index < end {
            let byte = base[index]
            if byte < 0x20 {
                throw JSONSyntaxError(.syntax, at: index, "a control character (0x\(hex(byte))) written raw inside a string; escape it")
            }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            try copyRun(upTo: index)
            let escape = index
            guard index + 1 < end else { throw JSONSyntaxError(.syntax, at: index, "an escape cut short") }
            index += 2
            switch base[escape + 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4(base, at: index, end: end)
                index += 4
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 6 <= end, base[index] == UInt8(ascii: "\\"), base[index + 1] == UInt8(ascii: "u") else {
                        throw loneSurrogate(base, at: escape, stringAt: start - 1)
                    }
                    let low = try hex4(base, at: index + 2, end: end)
                    guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(base, at: escape, stringAt: start - 1) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let scalar = Unicode.Scalar(code) else { throw loneSurrogate(base, at: escape, stringAt: start - 1) }
                UTF8.encode(scalar) { out.append($0) }
            default:
                throw JSONSyntaxError(.syntax, at: escape, "an unknown escape \\\(Character(Unicode.Scalar(base[escape + 1])))")
            }
            run = index
        }
        try copyRun(upTo: end)
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex4(_ base: UnsafePointer<UInt8>, at index: Int, end: Int) throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= end else { throw JSONSyntaxError(.syntax, at: index, "a \\u escape without four hex digits") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let c = base[index + offset]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(.syntax, at: index + offset, "a \\u escape without four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The first byte of `from..<to` that is not UTF-8, for the message.
    private static func notUTF8(_ base: UnsafePointer<UInt8>, from: Int, to: Int, stringAt quote: Int) -> JSONSyntaxError {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = UnsafeBufferPointer(start: base + from, count: to - from).makeIterator()
        var offset = from
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        let byte = offset < to ? base[offset] : 0
        return JSONSyntaxError(
            .notUTF8, at: offset,
            "the string at byte \(quote) holds byte 0x\(hex(byte)) at byte \(offset), which is not UTF-8; "
                + "send text as UTF-8 (binary data goes base64-encoded)")
    }

    private static func loneSurrogate(_ base: UnsafePointer<UInt8>, at offset: Int, stringAt quote: Int) -> JSONSyntaxError {
        let escape = String(decoding: UnsafeBufferPointer(start: base + offset, count: 6), as: UTF8.self)
        return JSONSyntaxError(
            .loneSurrogate, at: offset,
            "the string at byte \(quote) holds \(escape) at byte \(offset), half of a UTF-16 surrogate pair "
                + "without its other half, which UTF-8 cannot carry; write a character beyond U+FFFF as its pair "
                + "(\\ud83d\\ude00 for U+1F600) or as UTF-8 text")
    }

    /// Two upper-case hex digits.
    package static func hex(_ byte: UInt8) -> String {
        let digits: StaticString = "0123456789ABCDEF"
        return String(decoding: [digits.utf8Start[Int(byte >> 4)], digits.utf8Start[Int(byte & 15)]], as: UTF8.self)
    }
}
