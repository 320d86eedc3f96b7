/// Appends elements to an array being encoded.
struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    private let encoding: JSONEncoding
    private let array: JSONArrayBuilder
    private let path: JSONCodingPath

    init(encoding: JSONEncoding, array: JSONArrayBuilder, path: JSONCodingPath) {
        self.encoding = encoding
        self.array = array
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int { array.values.count }
    private var nextKey: JSONCodingKey { JSONCodingKey(intValue: array.values.count) }

    mutating func encodeNil() throws { array.values.append(.null) }
    mutating func encode(_ value: Bool) throws { array.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.values.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.values.append(try JSONEncoding.number(value, path: path, key: nextKey)) }
    mutating func encode(_ value: Float) throws { array.values.append(try JSONEncoding.number(value, path: path, key: nextKey)) }
    mutating func encode(_ value: Int) throws { array.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { array.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { array.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { array.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { array.values.append(.signed(value)) }
    mutating func encode(_ value: Int128) throws { array.values.append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { array.values.append(.unsigned(value)) }
    mutating func encode(_ value: UInt128) throws { array.values.append(.number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.values.append(try encoding.wrap(value, path: path, key: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey
        let object = JSONObjectBuilder()
        array.values.append(.object(object))
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(encoding: encoding, object: object, path: path.appending(key)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        let nested = JSONArrayBuilder()
        array.values.append(.array(nested))
        return JSONUnkeyedEncodingContainer(encoding: encoding, array: nested, path: path.appending(key))
    }

    /// An encoder whose value goes, when it is done, where the next element would be now.
    mutating func superEncoder() -> any Encoder {
        JSONSuperEncoding(options: encoding.options, target: .element(array, count), parentPath: path, key: nextKey)
    }
}
