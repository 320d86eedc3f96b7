import LambdaRuntimeAPI

/// Turns an event into a C function's arguments, and its result into the answer.
///
/// The event is a JSON object whose members name the parameters, or an array that gives
/// them by position. Nothing is guessed or truncated: an integer out of its type's range,
/// a fraction for an integer, a missing or an unknown argument, and a value of the wrong
/// JSON type are each an ``MarshallingError`` whose type the caller can act on. The answer is
/// `{"result": <value>}`; `void` answers `{"result":null}`.
public enum Marshalling {
    /// The C arguments for `signature` from an event.
    public static func arguments(from event: UnsafeRawBufferPointer, for signature: Signature) throws(MarshallingError)
        -> [CValue]
    {
        let json: JSONValue
        do {
            json = try JSONReader.parse(event)
        } catch {
            switch error.kind {
            case .syntax: throw MarshallingError(.notJSON, error.description)
            case .duplicateName: throw MarshallingError(.duplicateName, error.description)
            case .notUTF8: throw MarshallingError(.notUTF8, error.description)
            }
        }
        let values: [(String, JSONValue)]
        switch json {
        case .array(let elements):
            guard elements.count == signature.parameters.count else {
                throw MarshallingError(
                    .argumentCount,
                    "\(signature.symbol) takes \(signature.parameters.count) arguments; the array has \(elements.count)")
            }
            values = zip(signature.parameters.indices, elements).map { ("argument \($0 + 1)", $1) }
        case .object(let members):
            // Names match byte for byte: String's == would take U+212A KELVIN SIGN for "K".
            func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
            if let index = signature.parameters.firstIndex(where: { $0.name == nil }) {
                throw MarshallingError(
                    .argumentCount,
                    "parameter \(index + 1) of \(signature.symbol) has no name in the signature; send the arguments as an array")
            }
            var found: [(String, JSONValue)] = []
            for parameter in signature.parameters {
                let name = parameter.name ?? ""
                guard let member = members.first(where: { same($0.0, name) }) else {
                    throw MarshallingError(.missingArgument, "the event has no '\(name)' (\(parameter.type.rawValue)) for \(signature.symbol)")
                }
                found.append(("'\(name)'", member.1))
            }
            if let extra = members.first(where: { member in !signature.parameters.contains { same($0.name ?? "", member.0) } }) {
                throw MarshallingError(
                    .unknownArgument, "'\(JSONReader.visible(extra.0))' is not a parameter of \(signature.text)")
            }
            values = found
        default:
            throw MarshallingError(
                .wrongType, "the event is \(json.kind); send an object of named arguments or an array, e.g. for \(signature.text)")
        }
        var arguments: [CValue] = []
        for (parameter, (label, value)) in zip(signature.parameters, values) {
            arguments.append(try convert(value, to: parameter.type, label: label))
        }
        return arguments
    }

    static func convert(_ value: JSONValue, to type: CType, label: String) throws(MarshallingError) -> CValue {
        func wrong() -> MarshallingError {
            MarshallingError(.wrongType, "\(label) is \(value.kind); \(type.rawValue) takes \(describe(type))")
        }
        switch type {
        case .i8, .i16, .i32, .i64, .u8, .u16, .u32, .u64:
            guard case .number(let text) = value else { throw wrong() }
            guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
                throw MarshallingError(.wrongType, "\(label) is \(text); \(type.rawValue) takes a whole number")
            }
            if type == .u64 {
                guard let number = UInt64(text) else { throw outOfRange(text, type, label) }
                return .unsigned(number)
            }
            guard let number = Int64(text), let range = type.signedRange, range.contains(number) else {
                throw outOfRange(text, type, label)
            }
            return type.rawValue.hasPrefix("u") ? .unsigned(UInt64(number)) : .signed(number)
        case .f32, .f64:
            guard case .number(let text) = value, let number = Double(text) else { throw wrong() }
            guard number.isFinite else { throw outOfRange(text, type, label) }
            if type == .f32 {
                let single = Float(number)
                guard single.isFinite else { throw outOfRange(text, type, label) }
                return .float(single)
            }
            return .double(number)
        case .bool:
            guard case .bool(let flag) = value else { throw wrong() }
            return .bool(flag)
        case .str:
            guard case .string(let text) = value else { throw wrong() }
            guard !text.unicodeScalars.contains("\u{0}") else {
                throw MarshallingError(.wrongType, "\(label) holds a NUL character, which a C string cannot")
            }
            return .string(text)
        case .bytes:
            guard case .string(let text) = value else { throw wrong() }
            guard let bytes = Base64.decode(text) else {
                throw MarshallingError(.wrongType, "\(label) is not valid base64; bytes take a base64 string")
            }
            return .bytes(bytes)
        case .void, .strFree:
            throw wrong()
        }
    }

    static func outOfRange(_ text: String, _ type: CType, _ label: String) -> MarshallingError {
        MarshallingError(.outOfRange, "\(label) is \(text), outside \(type.rawValue)'s range (\(describe(type)))")
    }

    static func describe(_ type: CType) -> String {
        switch type {
        case .u64: "a whole number from 0 to \(UInt64.max)"
        case .f32: "a finite number within ±\(Float.greatestFiniteMagnitude)"
        case .f64: "a finite number"
        case .bool: "true or false"
        case .str: "a string"
        case .bytes: "a base64 string"
        case .void, .strFree: "nothing"
        default: type.signedRange.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? type.rawValue
        }
    }

    /// The answer for a result: `{"result": <value>}`.
    ///
    /// - Throws: ``MarshallingError`` `.nonFiniteResult` for a NaN or infinite float,
    ///   which JSON cannot carry.
    public static func answer(_ result: CValue, of signature: Signature) throws(MarshallingError) -> [UInt8] {
        let text: String
        switch result {
        case .signed(let v): text = String(v)
        case .unsigned(let v): text = String(v)
        case .bool(let v): text = v ? "true" : "false"
        case .void, .string(nil): text = "null"
        case .double(let v):
            guard v.isFinite else { throw nonFinite("\(v)", signature) }
            text = "\(v)"
        case .float(let v):
            guard v.isFinite else { throw nonFinite("\(v)", signature) }
            text = "\(v)"
        case .string(let v?): text = "\"" + JSONText.escaped(v) + "\""
        case .bytes: text = "null"
        }
        return Array("{\"result\":\(text)}".utf8)
    }

    static func nonFinite(_ value: String, _ signature: Signature) -> MarshallingError {
        MarshallingError(.nonFiniteResult, "\(signature.symbol) returned \(value), which JSON cannot carry")
    }

}
