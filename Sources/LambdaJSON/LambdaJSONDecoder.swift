/// Decodes JSON into `Decodable` values, without Foundation: what FoundationEssentials'
/// `JSONDecoder()` does with its default settings, in a plugin that loads no more than
/// the Swift runtime.
///
/// ```swift
/// let person = try LambdaJSONDecoder().decode(Person.self, from: bytes)
/// ```
///
/// It accepts what FoundationEssentials' decoder accepts: any JSON value at the top
/// (whitespace around it), nesting up to 512 arrays and objects, trailing commas
/// (`[1,]`), UTF-8 with or without a byte-order mark, UTF-16 and UTF-32; a string or a
/// number is checked when it is read, so that members nobody reads cost their scan only.
/// A repeated member name reads its first value. Integers are exact: `1e2` reads as 100,
/// while `1.5`, `1e400` and 300 for a `UInt8` are refused; floats are correctly rounded,
/// and refused when they overflow, or underflow to zero from a number that is not zero.
/// Strings must be UTF-8 with valid escapes; a member name matches a coding key as Swift
/// compares Strings (canonical equivalence), as FoundationEssentials' dictionary does.
///
/// Where FoundationEssentials differs, it is lossy and this decoder is exact:
/// FoundationEssentials reads `1.0000000000000001` and `1e-400` as the integer 1 and 0
/// (it rounds through a Double), truncates `9007199254740993.5` to an integer, and
/// refuses `0e5` as a Double; a base64 `Data` value must be padded RFC 4648 here, where
/// FoundationEssentials also takes some malformed paddings. Foundation's `Data` (a
/// plugin that imports Foundation) is read from a base64 string, as FoundationEssentials
/// does by default; `Date` reads its own Codable form, a number of seconds since
/// 2001-01-01, also as FoundationEssentials' default does; `URL` and `Decimal` read their
/// own Codable forms (a keyed container), not a string and a number.
///
/// Errors are `DecodingError`s with the coding path; malformed JSON is
/// `dataCorrupted` whose `underlyingError` is a ``JSONSyntaxError`` (the byte offset).
///
/// Cost: one pass to find the values (``JSONScanner``, 32 bytes per value), then only the
/// values read are converted; a struct's member is found by comparing its name's bytes.
public struct LambdaJSONDecoder: Sendable {
    /// Given to every `init(from:)` as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// Decodes a value of type `T` from the JSON text in `bytes`, which must stay valid
    /// for the call only.
    ///
    /// - Throws: `DecodingError`: the bytes are not JSON (`dataCorrupted`, with a
    ///   ``JSONSyntaxError`` as its underlying error), or not the JSON `T` reads.
    public func decode<T: Decodable>(_ type: T.Type = T.self, from bytes: UnsafeRawBufferPointer) throws -> T {
        do {
            return try JSONInputEncoding.withUTF8(bytes) { text in
                let tokens = try JSONScanner.scan(text, options: .foundation)
                guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                    throw JSONSyntaxError(.syntax, at: 0, "unexpected end of input")
                }
                var decoding = JSONDecoding(
                    document: JSONDocument(base: base, count: text.count, tokens: tokens), index: 0, path: .root, userInfo: userInfo)
                let value = try decoding.unwrap(0, as: T.self, path: .root, key: nil)
                // A decoder or container kept past this call needs bytes that outlive the caller's.
                if !isKnownUniquelyReferenced(&decoding) || !isKnownUniquelyReferenced(&decoding.document) {
                    decoding.document.keepBytes()
                }
                return value
            }
        } catch let error as JSONSyntaxError {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "The given data was not valid JSON: \(error).", underlyingError: error))
        }
    }

    /// Decodes a value of type `T` from the JSON text in `bytes`.
    ///
    /// - Throws: `DecodingError`, as ``decode(_:from:)-(_,UnsafeRawBufferPointer)`` does.
    public func decode<T: Decodable>(_ type: T.Type = T.self, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }
}
