/// The `Encoder` that ``LambdaJSONEncoder`` hands to `encode(to:)`. It holds what its
/// value encoded (a single value, or the object or array its containers build). A nested
/// value gets an encoder of its own, recycled once the value is done with it unless the
/// value kept it.
class JSONEncoding: Encoder {
    // The coders use one thread at a time; no dynamic exclusivity checks on their own state.
    @exclusivity(unchecked) final var value: JSONEncodedValue?
    final let options: LambdaJSONEncoder
    /// The path of the container this encoder's value is in, and its key there.
    @exclusivity(unchecked) final var parentPath: JSONCodingPath
    @exclusivity(unchecked) final var key: (any CodingKey)?
    /// An encoder for the next nested value, kept from the last one.
    @exclusivity(unchecked) private final var spare: JSONEncoding?

    init(options: LambdaJSONEncoder, parentPath: JSONCodingPath, key: (any CodingKey)?) {
        self.options = options
        self.parentPath = parentPath
        self.key = key
    }

    final var userInfo: [CodingUserInfoKey: Any] { options.userInfo }
    final var codingPath: [any CodingKey] { parentPath.keys(appending: key) }
    final var path: JSONCodingPath { parentPath.appending(key) }

    final func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: JSONObjectBuilder
        if case .object(let existing) = value {
            object = existing
        } else {
            object = JSONObjectBuilder()
            value = .object(object)
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(encoding: self, object: object, path: path))
    }

    final func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: JSONArrayBuilder
        if case .array(let existing) = value {
            array = existing
        } else {
            array = JSONArrayBuilder()
            value = .array(array)
        }
        return JSONUnkeyedEncodingContainer(encoding: self, array: array, path: path)
    }

    final func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// `value` encoded, in a container whose path is `path`, under `key`. A value that
    /// encodes nothing is an empty object, as in FoundationEssentials.
    final func wrap<T: Encodable>(_ value: T, path: JSONCodingPath, key: (any CodingKey)?) throws -> JSONEncodedValue {
        if FoundationData.isData(T.self), let text = FoundationData.encode(value) { return .string(text) }
        var encoder: JSONEncoding
        if let spare {
            encoder = spare
            self.spare = nil
            encoder.parentPath = path
            encoder.key = key
        } else {
            encoder = JSONEncoding(options: options, parentPath: path, key: key)
        }
        try value.encode(to: encoder)
        let encoded = encoder.value ?? .object(JSONObjectBuilder())
        encoder.value = nil
        if isKnownUniquelyReferenced(&encoder) {
            encoder.parentPath = .root
            encoder.key = nil
            spare = encoder
        }
        return encoded
    }

    /// A float as JSON text: Swift's shortest form that reads back the same, without a
    /// trailing `.0` (`1`, `0.1`, `1e-07`, `1e+21`); NaN and infinity are refused.
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ float: F, path: JSONCodingPath, key: (any CodingKey)?
    ) throws -> JSONEncodedValue {
        guard float.isFinite else {
            throw EncodingError.invalidValue(
                float,
                EncodingError.Context(
                    codingPath: path.keys(appending: key), debugDescription: "Unable to encode \(F.self).\(float) directly in JSON."))
        }
        var text = float.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

/// The encoder `superEncoder()` returns: when it goes away, what it encoded (or an empty
/// object) goes into the container it came from, at its key or index.
final class JSONSuperEncoding: JSONEncoding {
    enum Target {
        case member(JSONObjectBuilder, String)
        case element(JSONArrayBuilder, Int)
    }

    private let target: Target

    init(options: LambdaJSONEncoder, target: Target, parentPath: JSONCodingPath, key: any CodingKey) {
        self.target = target
        super.init(options: options, parentPath: parentPath, key: key)
    }

    deinit {
        let encoded = value ?? .object(JSONObjectBuilder())
        switch target {
        case .member(let object, let name):
            object.set(encoded, for: name)
        case .element(let array, let index):
            array.values.insert(encoded, at: min(index, array.values.count))
        }
    }
}
