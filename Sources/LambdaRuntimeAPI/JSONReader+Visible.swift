import LambdaJSONLean

extension JSONReader {
    /// `name` for a message, with every character outside printable ASCII as a JSON
    /// escape, so that look-alikes (U+212A KELVIN SIGN for "K") show as what they are.
    package static func visible(_ name: String) -> String {
        var out = ""
        for unit in name.utf16 {
            if (0x20..<0x7F).contains(unit) {
                out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            } else {
                out += "\\u" + JSONStringText.hex(UInt8(unit >> 8)).lowercased() + JSONStringText.hex(UInt8(unit & 0xFF)).lowercased()
            }
        }
        return out
    }
}
