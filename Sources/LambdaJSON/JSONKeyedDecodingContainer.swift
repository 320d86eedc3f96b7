/// An object's members, found by name.
///
/// Every member name is checked when the container is made (a name that is not UTF-8 or
/// has a bad escape fails it, as in FoundationEssentials); a repeated name reads its
/// first value. A name matches a key when its bytes spell the key's `stringValue`, or,
/// when either holds an escape or a character beyond ASCII, when the two Strings are equal
/// (canonical equivalence). Cost: a lookup compares bytes along the members; an object
/// of more than 16 members gets a hash table of its names once.
struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let decoding: JSONDecoding
    private let object: Int
    private let path: JSONCodingPath
    /// The value of each name, for a large object.
    private let table: [String: Int]?

    init(decoding: JSONDecoding, object: Int, path: JSONCodingPath) throws {
        self.decoding = decoding
        self.object = object
        self.path = path
        let document = decoding.document
        let members = document.tokens[object].count
        var table: [String: Int]? = members > 16 ? [:] : nil
        table?.reserveCapacity(members)
        var name = object + 1
        for _ in 0..<members {
            if table != nil || document.tokens[name].flags != 0 {
                let text: String
                do {
                    text = try document.text(name)
                } catch {
                    throw DecodingError.dataCorrupted(
                        DecodingError.Context(
                            codingPath: path.keys, debugDescription: "The given data was not valid JSON: \(error).", underlyingError: error))
                }
                if table != nil, table?[text] == nil { table?[text] = name + 1 }
            }
            name = document.next(after: name + 1)
        }
        self.table = table
    }

    var codingPath: [any CodingKey] { path.keys }

    /// The token of `key`'s value, or nil when the object has no such member.
    private func value(_ key: some CodingKey) -> Int? {
        var wanted = key.stringValue
        if let table { return table[wanted] }
        let document = decoding.document
        return wanted.withUTF8 { bytes -> Int? in
            var ascii = true
            for byte in bytes where byte >= 0x80 { ascii = false }
            var name = object + 1
            for _ in 0..<document.tokens[object].count {
                let token = document.tokens[name]
                if JSONStringText.spells(token, in: document.base, bytes) { return name + 1 }
                if !ascii || token.flags != 0, let text = try? document.text(name), text == key.stringValue { return name + 1 }
                name = document.next(after: name + 1)
            }
            return nil
        }
    }

    private func required(_ key: Key) throws -> Int {
        guard let index = value(key) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: path.keys, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    /// The value of `key` when present and not null.
    private func present(_ key: Key) -> Int? {
        guard let index = value(key), !decoding.isNull(index) else { return nil }
        return index
    }

    /// The keys of the members, each name once (first occurrence), in document order.
    var allKeys: [Key] {
        let document = decoding.document
        let members = document.tokens[object].count
        var texts: [String] = []
        texts.reserveCapacity(members)
        var name = object + 1
        for _ in 0..<members {
            if let text = try? document.text(name) { texts.append(text) }
            name = document.next(after: name + 1)
        }
        var keys: [Key] = []
        keys.reserveCapacity(texts.count)
        // A repeated name is rare: a hash set only for an object large enough to need one.
        var seen: Set<String> = []
        for (position, text) in texts.enumerated() {
            let repeated = table != nil ? !seen.insert(text).inserted : texts[..<position].contains(text)
            if !repeated, let key = Key(stringValue: text) { keys.append(key) }
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { decoding.isNull(try required(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoding.bool(required(key), path, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoding.string(required(key), path, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoding.double(required(key), path, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoding.float(required(key), path, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoding.integer(required(key), path, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoding.integer(required(key), path, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoding.integer(required(key), path, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoding.integer(required(key), path, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoding.integer(required(key), path, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoding.integer(required(key), path, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try decoding.integer(required(key), path, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoding.unwrap(required(key), as: type, path: path, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try decoding.bool($0, path, key) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try decoding.string($0, path, key) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try decoding.double($0, path, key) } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(key).map { try decoding.float($0, path, key) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? { try integerIfPresent(key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoding.unwrap($0, as: type, path: path, key: key) }
    }

    private func integerIfPresent<T: FixedWidthInteger>(_ key: Key) throws -> T? {
        try present(key).map { try decoding.integer($0, path, key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoding.keyedContainer(at: required(key), path: path.appending(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoding.unkeyedContainer(at: required(key), path: path.appending(key))
    }

    /// A decoder for the member `super`; reading null when there is none.
    func superDecoder() throws -> any Decoder {
        decoding.decoder(at: value(JSONCodingKey.super) ?? decoding.document.missing, path: path.appending(JSONCodingKey.super))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoding.decoder(at: value(key) ?? decoding.document.missing, path: path.appending(key))
    }
}
