/// The `Decoder` that ``LambdaJSONDecoder`` hands to `init(from:)`: one object for a
/// whole decode, moved from value to value (the token it reads and its coding path) and
/// put back after each, so that a nested value costs no new decoder. Only
/// `superDecoder()` makes another, since the one it returns may be kept.
///
/// Its typed readers are shared by the three kinds of container.
final class JSONDecoding: Decoder {
    // The coders use one thread at a time; no dynamic exclusivity checks on their own state.
    @exclusivity(unchecked) var document: JSONDocument
    /// The token of the value being decoded.
    @exclusivity(unchecked) var index: Int
    @exclusivity(unchecked) var path: JSONCodingPath
    let options: [CodingUserInfoKey: any Sendable]

    init(document: JSONDocument, index: Int, path: JSONCodingPath, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.document = document
        self.index = index
        self.path = path
        options = userInfo
    }

    var userInfo: [CodingUserInfoKey: Any] { options }
    var codingPath: [any CodingKey] { path.keys }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(at: index, path: path)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(at: index, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A decoder of its own for the value at `index`, for `superDecoder()`.
    func decoder(at index: Int, path: JSONCodingPath) -> JSONDecoding {
        JSONDecoding(document: document, index: index, path: path, userInfo: options)
    }

    /// A `T` from the value at `index`, whose path is `path` then `key`.
    func unwrap<T: Decodable>(_ index: Int, as type: T.Type, path: JSONCodingPath, key: (any CodingKey)?) throws -> T {
        if FoundationData.isData(type) {
            guard !isNull(index) else { throw wrongValue(type, index, path, key) }
            return try FoundationData.decode(type, from: string(index, path, key)) {
                DecodingError.dataCorrupted(DecodingError.Context(codingPath: path.keys(appending: key), debugDescription: $0))
            }
        }
        let (outerIndex, outerPath) = (self.index, self.path)
        self.index = index
        self.path = path.appending(key)
        defer { (self.index, self.path) = (outerIndex, outerPath) }
        return try T(from: self)
    }

    func keyedContainer<Key: CodingKey>(at index: Int, path: JSONCodingPath) throws -> KeyedDecodingContainer<Key> {
        let kind = document.tokens[index].kind
        guard kind == .object else {
            let context = "Cannot get keyed decoding container -- found null value instead"
            throw kind == .null
                ? DecodingError.valueNotFound([String: Any].self, DecodingError.Context(codingPath: path.keys, debugDescription: context))
                : mismatch([String: Any].self, index, path.keys)
        }
        return KeyedDecodingContainer(try JSONKeyedDecodingContainer<Key>(decoding: self, object: index, path: path))
    }

    func unkeyedContainer(at index: Int, path: JSONCodingPath) throws -> any UnkeyedDecodingContainer {
        let kind = document.tokens[index].kind
        guard kind == .array else {
            let context = "Cannot get unkeyed decoding container -- found null value instead"
            throw kind == .null
                ? DecodingError.valueNotFound([Any].self, DecodingError.Context(codingPath: path.keys, debugDescription: context))
                : mismatch([Any].self, index, path.keys)
        }
        return JSONUnkeyedDecodingContainer(decoding: self, array: index, path: path)
    }

    // MARK: Typed readers: the value at `index`, whose path for errors is `path` then `key`.

    func isNull(_ index: Int) -> Bool { document.tokens[index].kind == .null }

    func bool(_ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> Bool {
        switch document.tokens[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, index, path.keys(appending: key))
        }
    }

    func string(_ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> String {
        let token = document.tokens[index]
        guard token.kind == .string else { throw wrongValue(String.self, index, path, key) }
        do {
            return try JSONStringText.text(of: token, in: document.base)
        } catch {
            throw corrupted(error, path, key)
        }
    }

    func integer<T: FixedWidthInteger>(_ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> T {
        let number = try self.number(T.self, index, path, key)
        switch number.integer(as: T.self) {
        case .success(let value): return value
        case .failure(let failure):
            let text = numberText(index)
            let reason = failure == .notInteger ? "is not an integer" : "is out of the range of \(T.self)"
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path.keys(appending: key), debugDescription: "Number \(text) \(reason)."))
        }
    }

    func double(_ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> Double {
        guard let value = try number(Double.self, index, path, key).double() else { throw unrepresentable(Double.self, index, path, key) }
        return value
    }

    func float(_ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> Float {
        guard let value = try number(Float.self, index, path, key).float() else { throw unrepresentable(Float.self, index, path, key) }
        return value
    }

    /// Not generic: one copy serves every numeric type.
    private func number(_ type: Any.Type, _ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) throws -> JSONNumberText {
        let token = document.tokens[index]
        guard token.kind == .number else { throw wrongValue(type, index, path, key) }
        guard let number = JSONNumberText(document.base, from: token.start, to: token.end) else {
            throw corrupted(JSONSyntaxError(.syntax, at: token.start, "'\(numberText(index))' is not a JSON number"), path, key)
        }
        return number
    }

    private func numberText(_ index: Int) -> String {
        let token = document.tokens[index]
        return String(decoding: UnsafeBufferPointer(start: document.base + token.start, count: token.end - token.start), as: UTF8.self)
    }

    // MARK: Errors

    /// Null where a value of `type` should be (`valueNotFound`), or a value of another kind.
    func wrongValue(_ type: Any.Type, _ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) -> DecodingError {
        guard isNull(index) else { return mismatch(type, index, path.keys(appending: key)) }
        return DecodingError.valueNotFound(
            type, DecodingError.Context(codingPath: path.keys(appending: key), debugDescription: "Cannot get value of type \(type) -- found null value instead"))
    }

    func mismatch(_ type: Any.Type, _ index: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        let found: String
        switch document.tokens[index].kind {
        case .string: found = "a string"
        case .number: found = "number"
        case .true, .false: found = "bool"
        case .null: found = "null"
        case .object: found = "a dictionary"
        case .array: found = "an array"
        }
        return DecodingError.typeMismatch(
            type, DecodingError.Context(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    private func corrupted(_ error: JSONSyntaxError, _ path: JSONCodingPath, _ key: (any CodingKey)?) -> DecodingError {
        DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path.keys(appending: key), debugDescription: "The given data was not valid JSON: \(error).", underlyingError: error))
    }

    private func unrepresentable(_ type: Any.Type, _ index: Int, _ path: JSONCodingPath, _ key: (any CodingKey)?) -> DecodingError {
        DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path.keys(appending: key), debugDescription: "Number \(numberText(index)) is not representable in \(type)."))
    }
}
