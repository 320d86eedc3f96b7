/// Why bytes are not the JSON a reader asked for: where (the byte offset) and why.
///
/// A ``LambdaJSONDecoder`` reports it as the `underlyingError` of a
/// `DecodingError.dataCorrupted`; the host's own reader turns it into its messages.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// What kind of fault it is.
    public enum Kind: Sendable {
        /// The text is not JSON (or nests deeper than the reader allows).
        case syntax
        /// A string holds bytes that are not UTF-8.
        case notUTF8
        /// A string holds an escaped half of a UTF-16 surrogate pair without its other half.
        case loneSurrogate
    }

    /// What kind of fault it is.
    public var kind: Kind
    /// The byte offset of the fault in the input.
    public var offset: Int
    /// What is wrong, in words.
    public var reason: String

    package init(_ kind: Kind, at offset: Int, _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    /// The reason, and for a syntax fault where it is (the others name their bytes).
    public var description: String { kind == .syntax ? "\(reason) at byte \(offset)" : reason }
}
