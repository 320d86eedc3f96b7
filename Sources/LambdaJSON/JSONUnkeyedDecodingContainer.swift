/// An array's elements, read in order. Cost: stepping to the next element is one token
/// lookup, past a nested array or object at once.
struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    private let decoding: JSONDecoding
    private let path: JSONCodingPath
    /// The token of the element at `currentIndex`.
    private var cursor: Int
    let count: Int?
    private(set) var currentIndex = 0

    init(decoding: JSONDecoding, array: Int, path: JSONCodingPath) {
        self.decoding = decoding
        self.path = path
        cursor = array + 1
        count = decoding.document.tokens[array].count
    }

    var codingPath: [any CodingKey] { path.keys }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var indexKey: JSONCodingKey { JSONCodingKey(intValue: currentIndex) }

    /// The token of the next element; at the end, `valueNotFound` for `type`.
    private func next(_ type: Any.Type, _ message: String = "Unkeyed container is at end.") throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: path.keys(appending: indexKey), debugDescription: message))
        }
        return cursor
    }

    private mutating func advance() {
        if !isAtEnd { cursor = decoding.document.next(after: cursor) }
        currentIndex += 1
    }

    /// Reads the next element with `read` and steps past it (not when `read` throws).
    private mutating func read<T>(_ type: T.Type, _ read: (Int, JSONCodingPath, (any CodingKey)?) throws -> T) throws -> T {
        let value = try read(try next(type), path, indexKey)
        advance()
        return value
    }

    /// Reads the next element unless it is null or the end; steps past it either way.
    private mutating func readIfPresent<T>(_ read: (Int, JSONCodingPath, (any CodingKey)?) throws -> T) throws -> T? {
        guard !isAtEnd, !decoding.isNull(cursor) else {
            advance()
            return nil
        }
        return try self.read(T.self, read)
    }

    mutating func decodeNil() throws -> Bool {
        guard decoding.isNull(try next(Never.self)) else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type, decoding.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try read(type, decoding.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try read(type, decoding.double) }
    mutating func decode(_ type: Float.Type) throws -> Float { try read(type, decoding.float) }
    mutating func decode(_ type: Int.Type) throws -> Int { try read(type, decoding.integer) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read(type, decoding.integer) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read(type, decoding.integer) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read(type, decoding.integer) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read(type, decoding.integer) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type, decoding.integer) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try read(type, decoding.integer) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try read(type) { [decoding] index, path, key in try decoding.unwrap(index, as: type, path: path, key: key) }
    }

    mutating func decodeIfPresent(_ type: Bool.Type) throws -> Bool? { try readIfPresent(decoding.bool) }
    mutating func decodeIfPresent(_ type: String.Type) throws -> String? { try readIfPresent(decoding.string) }
    mutating func decodeIfPresent(_ type: Double.Type) throws -> Double? { try readIfPresent(decoding.double) }
    mutating func decodeIfPresent(_ type: Float.Type) throws -> Float? { try readIfPresent(decoding.float) }
    mutating func decodeIfPresent(_ type: Int.Type) throws -> Int? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: Int8.Type) throws -> Int8? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: Int16.Type) throws -> Int16? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: Int32.Type) throws -> Int32? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: Int64.Type) throws -> Int64? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: Int128.Type) throws -> Int128? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt.Type) throws -> UInt? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt8.Type) throws -> UInt8? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt16.Type) throws -> UInt16? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt32.Type) throws -> UInt32? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt64.Type) throws -> UInt64? { try readIfPresent(decoding.integer) }
    mutating func decodeIfPresent(_ type: UInt128.Type) throws -> UInt128? { try readIfPresent(decoding.integer) }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try readIfPresent { [decoding] index, path, key in try decoding.unwrap(index, as: type, path: path, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let index = try next(KeyedDecodingContainer<NestedKey>.self, "Cannot get nested keyed container -- unkeyed container is at end.")
        let container: KeyedDecodingContainer<NestedKey> = try decoding.keyedContainer(at: index, path: path.appending(indexKey))
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = try next((any UnkeyedDecodingContainer).self, "Cannot get nested unkeyed container -- unkeyed container is at end.")
        let container = try decoding.unkeyedContainer(at: index, path: path.appending(indexKey))
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let index = try next((any Decoder).self, "Cannot get superDecoder() -- unkeyed container is at end.")
        let decoder = decoding.decoder(at: index, path: path.appending(indexKey))
        advance()
        return decoder
    }
}
