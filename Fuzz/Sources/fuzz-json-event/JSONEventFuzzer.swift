import FuzzCheck

@testable import LambdaDynamicCall
@testable import LambdaRuntimeAPI

/// The signatures events are marshalled for: every parameter type, named and by position.
let signatures = [
    "f(a:i8,b:u8,c:i64,d:u64)->void", "f(x:f32,y:f64)->void", "f(s:str,t:bool)->void", "f(b:bytes)->void",
    "f(i16,u16,i32,u32)->void", "f(str)->void", "f()->void", "f(K:i32,k:str,b:bytes,n:f64)->void",
].compactMap { try? Signature(parsing: $0) }

/// Fuzzes the JSON reader and the marshalling of events into C arguments (dynamic
/// handlers). Input: one byte that picks a signature, then the event.
///
/// - A value the reader accepts, written back as JSON, reads again as the same value; no
///   object in it names a member twice; it nests no deeper than the limit.
/// - Marshalling refuses exactly what the reader refuses, with the matching error, and
///   everything else with an `InvalidEvent.*` error; what it accepts has one value of the
///   right kind per parameter, within range, and each value answered as a result
///   (`{"result":…}`) reads back as the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size >= 1, let data else { return 0 }
    let signature = signatures[Int(data[0]) % signatures.count]
    let event = UnsafeRawBufferPointer(start: data + 1, count: size - 1)

    let parsed: Result<JSONValue, JSONReader.Failure> = Result { () throws(JSONReader.Failure) in try JSONReader.parse(event) }
    if case .success(let value) = parsed {
        var text: [UInt8] = []
        write(value, into: &text)
        let again = text.withUnsafeBytes { bytes in Result { () throws(JSONReader.Failure) in try JSONReader.parse(bytes) } }
        require((try? again.get()) == value, "the value written back as \(String(decoding: text, as: UTF8.self)) reads differently")
        let shape = check(value)
        require(shape.uniqueNames, "an object names a member twice")
        require(shape.depth <= JSONReader.maxDepth, "nesting \(shape.depth)")
    }
    if case .failure(let failure) = parsed {
        require(failure.offset >= 0 && failure.offset <= event.count, "offset \(failure.offset) of \(event.count)")
        require(!failure.reason.isEmpty, "a failure without a reason")
    }

    let arguments: [CValue]
    do {
        arguments = try Marshalling.arguments(from: event, for: signature)
    } catch {
        require(error.code.errorType.hasPrefix("InvalidEvent."), "\(error.code.errorType) for an event")
        require(!error.message.isEmpty, "an error without a message")
        if case .failure(let failure) = parsed {
            let expected: MarshallingError.Code =
                switch failure.kind {
                case .syntax: .notJSON
                case .duplicateName: .duplicateName
                case .notUTF8: .notUTF8
                }
            require(error.code == expected, "the reader's \(failure.kind) became \(error.code)")
        }
        return 0
    }
    guard case .success(let value) = parsed else {
        require(false, "marshalling accepted an event the reader refuses")
        return 0
    }
    require(arguments.count == signature.parameters.count, "\(arguments.count) arguments for \(signature.text)")
    for (index, (parameter, argument)) in zip(signature.parameters, arguments).enumerated() {
        check(argument, of: parameter, from: sent(value, parameter: parameter, index: index))
        checkAnswer(argument)
    }
    return 0
}

/// The JSON value the event gave for a parameter.
private func sent(_ event: JSONValue, parameter: Signature.Parameter, index: Int) -> JSONValue? {
    switch event {
    case .array(let elements): return elements[index]
    case .object(let members): return members.first { $0.0.utf8.elementsEqual((parameter.name ?? "").utf8) }?.1
    default: return nil
    }
}

private func check(_ argument: CValue, of parameter: Signature.Parameter, from value: JSONValue?) {
    let type = parameter.type
    switch (argument, value) {
    case (.signed(let v), .number(let text)?):
        require(type.signedRange?.contains(v) == true && !type.rawValue.hasPrefix("u"), "\(v) for \(type)")
        require(String(v) == text || Int64(text) == v, "\(text) became \(v)")
    case (.unsigned(let v), .number(let text)?):
        require(type.rawValue.hasPrefix("u"), "\(v) for \(type)")
        require(type == .u64 || type.signedRange?.contains(Int64(v)) == true, "\(v) outside \(type)")
        require(UInt64(text) == v, "\(text) became \(v)")
    case (.float(let v), .number(let text)?):
        require(type == .f32 && v.isFinite && Double(text).map { Float($0) } == v, "\(text) became \(v) for \(type)")
    case (.double(let v), .number(let text)?):
        require(type == .f64 && v.isFinite && Double(text) == v, "\(text) became \(v) for \(type)")
    case (.bool(let v), .bool(let flag)?):
        require(type == .bool && v == flag, "bool \(v)")
    case (.string(let v?), .string(let text)?):
        require(type == .str && v.utf8.elementsEqual(text.utf8) && !v.utf8.contains(0), "string \(v.debugDescription)")
    case (.bytes(let bytes), .string(let text)?):
        require(type == .bytes, "bytes for \(type)")
        var writer = ByteWriter()
        bytes.withUnsafeBytes { writer.append(base64: $0) }
        let canonical = Array(writer.bytes)
        let given = Array(text.utf8)
        let unpadded = canonical.prefix { $0 != UInt8(ascii: "=") }
        require(given == canonical || given.elementsEqual(unpadded), "base64 \(text) decodes to what \(String(decoding: canonical, as: UTF8.self)) encodes")
    default:
        require(false, "\(argument) for \(type) from \(String(describing: value))")
    }
}

/// A value answered as a result reads back as the same value.
private func checkAnswer(_ argument: CValue) {
    guard let signature = try? Signature(parsing: "f()->void") else { return }
    let answer: [UInt8]
    do {
        answer = try Marshalling.answer(argument, of: signature)
    } catch {
        require(false, "\(argument) cannot be answered: \(error)")
        return
    }
    let read = answer.withUnsafeBytes { bytes in try? JSONReader.parse(bytes) }
    guard case .object(let members)? = read, members.count == 1, members[0].0 == "result" else {
        require(false, "the answer \(String(decoding: answer, as: UTF8.self)) is not {\"result\":…}")
        return
    }
    let result = members[0].1
    switch (argument, result) {
    case (.signed(let v), .number(let text)): require(Int64(text) == v, "\(v) answered as \(text)")
    case (.unsigned(let v), .number(let text)): require(UInt64(text) == v, "\(v) answered as \(text)")
    case (.double(let v), .number(let text)): require(Double(text) == v, "\(v) answered as \(text)")
    case (.float(let v), .number(let text)): require(Float(text) == v, "\(v) answered as \(text)")
    case (.bool(let v), .bool(let flag)): require(v == flag, "\(v) answered as \(flag)")
    case (.string(let v?), .string(let text)): require(v.utf8.elementsEqual(text.utf8), "\(v.debugDescription) answered as \(text.debugDescription)")
    case (.bytes, .null): break
    default: require(false, "\(argument) answered as \(result)")
    }
}
