/// The encoder is its own single-value container: encoding again replaces the value.
extension JSONEncoding: SingleValueEncodingContainer {
    final func encodeNil() throws { value = .null }
    final func encode(_ value: Bool) throws { self.value = .bool(value) }
    final func encode(_ value: String) throws { self.value = .string(value) }
    final func encode(_ value: Double) throws { self.value = try Self.number(value, path: path, key: nil) }
    final func encode(_ value: Float) throws { self.value = try Self.number(value, path: path, key: nil) }
    final func encode(_ value: Int) throws { self.value = .signed(Int64(value)) }
    final func encode(_ value: Int8) throws { self.value = .signed(Int64(value)) }
    final func encode(_ value: Int16) throws { self.value = .signed(Int64(value)) }
    final func encode(_ value: Int32) throws { self.value = .signed(Int64(value)) }
    final func encode(_ value: Int64) throws { self.value = .signed(value) }
    final func encode(_ value: Int128) throws { self.value = .number(String(value)) }
    final func encode(_ value: UInt) throws { self.value = .unsigned(UInt64(value)) }
    final func encode(_ value: UInt8) throws { self.value = .unsigned(UInt64(value)) }
    final func encode(_ value: UInt16) throws { self.value = .unsigned(UInt64(value)) }
    final func encode(_ value: UInt32) throws { self.value = .unsigned(UInt64(value)) }
    final func encode(_ value: UInt64) throws { self.value = .unsigned(value) }
    final func encode(_ value: UInt128) throws { self.value = .number(String(value)) }

    final func encode<T: Encodable>(_ value: T) throws {
        self.value = try wrap(value, path: parentPath, key: key)
    }
}
