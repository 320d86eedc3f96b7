/// Adds members to an object being encoded; a name set again keeps its place and takes
/// the new value.
struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    private let encoding: JSONEncoding
    private let object: JSONObjectBuilder
    private let path: JSONCodingPath

    init(encoding: JSONEncoding, object: JSONObjectBuilder, path: JSONCodingPath) {
        self.encoding = encoding
        self.object = object
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    mutating func encodeNil(forKey key: Key) throws { object.set(.null, for: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(.bool(value), for: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.set(.string(value), for: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        object.set(try JSONEncoding.number(value, path: path, key: key), for: key.stringValue)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        object.set(try JSONEncoding.number(value, path: path, key: key), for: key.stringValue)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { object.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { object.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(.signed(value), for: key.stringValue) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { object.set(.number(String(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { object.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { object.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { object.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { object.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(.unsigned(value), for: key.stringValue) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { object.set(.number(String(value)), for: key.stringValue) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(try encoding.wrap(value, path: path, key: key), for: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(
            JSONKeyedEncodingContainer<NestedKey>(encoding: encoding, object: object.object(for: key.stringValue), path: path.appending(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        JSONUnkeyedEncodingContainer(encoding: encoding, array: object.array(for: key.stringValue), path: path.appending(key))
    }

    mutating func superEncoder() -> any Encoder {
        JSONSuperEncoding(options: encoding.options, target: .member(object, "super"), parentPath: path, key: JSONCodingKey.super)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONSuperEncoding(options: encoding.options, target: .member(object, key.stringValue), parentPath: path, key: key)
    }
}
