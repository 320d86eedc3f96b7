/// One value of a scanned JSON document, as ``JSONScanner`` records it: where its text
/// is, and for an array or object where its last descendant ends. Strings and numbers are
/// not converted here; a reader converts the ones it uses (``JSONStringText``,
/// ``JSONNumberText``), so that an unused member costs only its scan.
///
/// A document is a flat array of tokens in document order: an array's elements follow it,
/// an object's members follow it as key, value, key, value.
package struct JSONToken: Sendable {
    /// What the value is.
    package enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, array, object
    }

    /// A string holds a backslash or a control character: it needs the escape-aware path.
    package static let escaped: UInt8 = 1
    /// A string holds a byte of 0x80 or more: its text must be validated as UTF-8.
    package static let nonASCII: UInt8 = 2

    /// What the value is.
    package var kind: Kind
    /// For a string: ``escaped`` and ``nonASCII``.
    package var flags: UInt8
    /// A string's first byte after its opening quote; a number's first byte; the offset of
    /// an array's or object's opening bracket.
    package var start: Int
    /// A string's closing quote; one past a number's last byte; for an array or object,
    /// the index of the token after its last descendant.
    package var end: Int
    /// An array's elements or an object's members.
    package var count: Int

    /// Whether the value is an array or an object.
    package var isContainer: Bool { kind == .array || kind == .object }
}
