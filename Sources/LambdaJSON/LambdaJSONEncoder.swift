/// Encodes `Encodable` values as JSON, without Foundation: the bytes FoundationEssentials'
/// `JSONEncoder()` writes with the same settings, in a plugin that loads no more than the
/// Swift runtime.
///
/// ```swift
/// let bytes: [UInt8] = try LambdaJSONEncoder().encode(Greeting(message: "Hello"))
/// ```
///
/// Members come in the order the value encodes them (a struct's declaration order for
/// synthesized Codable). FoundationEssentials keeps an object's members in a hash table
/// and writes them in its order, which changes from one process to the next; ask for
/// ``OutputFormatting/sortedKeys`` where a stable order matters, and the two encoders
/// write the same bytes. Everything else matches: numbers (`1`, `0.1`, `1e-07`,
/// `1e+21`, Swift's shortest text that reads back the same, without a trailing `.0`;
/// NaN and infinity refused with an `EncodingError`), string escapes (`\/` unless
/// ``OutputFormatting/withoutEscapingSlashes``; control characters as `\b \f \n \r \t`
/// or `\u00xx`), a value that encodes nothing (`{}`; at the top an error), a key set twice
/// (its last value), nesting (at most 511 levels), and `.prettyPrinted`'s layout.
///
/// Foundation's `Data` (in a plugin that imports Foundation) is written as a base64
/// string, as FoundationEssentials does by default; `Date` as its own Codable, seconds
/// since 2001-01-01, also FoundationEssentials' default; `URL` and `Decimal` as their own
/// Codable (an object), where FoundationEssentials writes a string and a number: encode
/// `url.absoluteString` and a Double or String instead.
///
/// Cost: the value is built as a small tree (an object's members in arrays), then written
/// once into one growing byte array.
public struct LambdaJSONEncoder: Sendable {
    /// How the JSON is laid out.
    public struct OutputFormatting: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }

        /// Indented, one member or element per line.
        public static let prettyPrinted = OutputFormatting(rawValue: 1 << 0)
        /// An object's members by name, comparing UTF-8 bytes.
        public static let sortedKeys = OutputFormatting(rawValue: 1 << 1)
        /// `/` as it is rather than `\/`.
        public static let withoutEscapingSlashes = OutputFormatting(rawValue: 1 << 3)
    }

    /// The layout; none by default (compact, members in encoding order, `\/`).
    public var outputFormatting: OutputFormatting = []
    /// Given to every `encode(to:)` as `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// The JSON text of `value`, in UTF-8.
    ///
    /// - Throws: `EncodingError.invalidValue`: a NaN or infinite float, a top-level value
    ///   that encodes nothing, nesting deeper than 511 levels; or what `value` throws.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = JSONEncoding(options: self, parentPath: .root, key: nil)
        let top: JSONEncodedValue
        if FoundationData.isData(T.self), let text = FoundationData.encode(value) {
            top = .string(text)
        } else {
            try value.encode(to: root)
            guard let encoded = root.value else {
                throw EncodingError.invalidValue(
                    value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
            }
            top = encoded
        }
        var writer = JSONWriter(formatting: outputFormatting)
        do {
            try writer.write(top)
        } catch {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: [], debugDescription: "Unable to encode the given top-level value to JSON: it nests deeper than \(JSONWriter.maxDepth - 1) levels."))
        }
        return writer.bytes
    }
}
