import Testing

@testable import LambdaDynamicCall
@testable import LambdaRuntimeAPI

/// Events into C arguments and results into answers: every type at its bounds, both event
/// shapes, every error class.
@Suite struct MarshallingTests {
    func arguments(_ event: String, _ signature: String) throws -> [CValue] {
        let parsed = try Signature(parsing: signature)
        var text = event
        return try text.withUTF8 { try Marshalling.arguments(from: UnsafeRawBufferPointer($0), for: parsed) }
    }

    func failure(_ event: String, _ signature: String) -> MarshallingError? {
        do {
            _ = try arguments(event, signature)
            return nil
        } catch let error as MarshallingError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        ("i8", "-128", CValue.signed(-128)), ("i8", "127", .signed(127)),
        ("i16", "-32768", .signed(-32768)), ("i16", "32767", .signed(32767)),
        ("i32", "-2147483648", .signed(-2_147_483_648)), ("i32", "2147483647", .signed(2_147_483_647)),
        ("i64", "-9223372036854775808", .signed(Int64.min)), ("i64", "9223372036854775807", .signed(Int64.max)),
        ("u8", "0", .unsigned(0)), ("u8", "255", .unsigned(255)),
        ("u16", "65535", .unsigned(65535)), ("u32", "4294967295", .unsigned(4_294_967_295)),
        ("u64", "18446744073709551615", .unsigned(UInt64.max)),
        ("f32", "1.5", .float(1.5)), ("f64", "-2.5e-3", .double(-0.0025)),
        ("bool", "true", .bool(true)), ("str", "\"h\\u00e9\\n\"", .string("hé\n")),
        ("bytes", "\"AAEC/w==\"", .bytes([0, 1, 2, 255])),
    ])
    func everyTypeAtItsBounds(type: String, json: String, expected: CValue) throws {
        #expect(try arguments("[\(json)]", "f(\(type))->void") == [expected])
        #expect(try arguments("{\"x\":\(json)}", "f(x:\(type))->void") == [expected])
    }

    @Test(arguments: [
        ("i8", "128"), ("i8", "-129"), ("i16", "32768"), ("i32", "2147483648"), ("i64", "9223372036854775808"),
        ("u8", "256"), ("u8", "-1"), ("u16", "65536"), ("u32", "4294967296"), ("u64", "18446744073709551616"),
        ("u64", "-1"), ("f32", "1e39"), ("f64", "1e309"),
    ])
    func oneStepOutOfRangeIsRefused(type: String, json: String) {
        let error = failure("[\(json)]", "f(\(type))->void")
        #expect(error?.code == .outOfRange, "\(type) \(json): \(String(describing: error))")
        #expect(error?.message.contains(json) == true)
    }

    @Test func everyErrorClassHasItsType() {
        #expect(failure("{not json", "f(i32)->void")?.code == .notJSON)
        #expect(failure("[1.5]", "f(i32)->void")?.code == .wrongType)
        #expect(failure("[1e2]", "f(i32)->void")?.code == .wrongType)
        #expect(failure("[\"1\"]", "f(i32)->void")?.code == .wrongType)
        #expect(failure("[1]", "f(bool)->void")?.code == .wrongType)
        #expect(failure("[null]", "f(str)->void")?.code == .wrongType)
        #expect(failure("[\"a\\u0000b\"]", "f(str)->void")?.code == .wrongType)
        #expect(failure("[\"@@@\"]", "f(bytes)->void")?.code == .wrongType)
        #expect(failure("42", "f(i32)->void")?.code == .wrongType)
        #expect(failure("[1,2]", "f(i32)->void")?.code == .argumentCount)
        #expect(failure("[]", "f(i32)->void")?.code == .argumentCount)
        #expect(failure("{\"a\":1}", "f(i32)->void")?.code == .argumentCount)
        #expect(failure("{\"a\":1}", "f(a:i32,b:i32)->void")?.code == .missingArgument)
        #expect(failure("{\"a\":1,\"b\":2,\"c\":3}", "f(a:i32,b:i32)->void")?.code == .unknownArgument)
        for code in MarshallingError.Code.allCases { #expect(code.errorType.contains(".")) }
    }

    @Test func resultsBecomeJSON() throws {
        let f64 = try Signature(parsing: "f()->f64")
        func text(_ value: CValue) throws -> String { String(decoding: try Marshalling.answer(value, of: f64), as: UTF8.self) }
        #expect(try text(.double(4)) == #"{"result":4.0}"#)
        #expect(try text(.signed(-3)) == #"{"result":-3}"#)
        #expect(try text(.unsigned(UInt64.max)) == #"{"result":18446744073709551615}"#)
        #expect(try text(.bool(false)) == #"{"result":false}"#)
        #expect(try text(.string("a\"b\n")) == #"{"result":"a\"b\n"}"#)
        #expect(try text(.string(nil)) == #"{"result":null}"#)
        #expect(try text(.void) == #"{"result":null}"#)
        #expect(throws: MarshallingError.self) { try text(.double(.nan)) }
        #expect(throws: MarshallingError.self) { try text(.float(.infinity)) }
    }

    @Test func theReaderRefusesWhatIsNotJSON() {
        for text in ["", "[", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "-", "\"\\x\"", "\"\u{01}\"", "[1] 2", "\"\\ud800\""] {
            var copy = text
            let result = copy.withUTF8 { bytes in Result { () throws(JSONReader.Failure) in try JSONReader.parse(UnsafeRawBufferPointer(bytes)) } }
            if case .success(let value) = result { Issue.record("\(text.debugDescription) read as \(value)") }
        }
        var deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let nested = deep.withUTF8 { bytes in Result { () throws(JSONReader.Failure) in try JSONReader.parse(UnsafeRawBufferPointer(bytes)) } }
        if case .failure(let failure) = nested { #expect(failure.reason.contains("nesting")) } else { Issue.record("100 levels read") }
    }

    /// Random events against random signatures (seeded, so a failure can be replayed):
    /// marshalling either gives one value per parameter, each of the right kind, or a
    /// MarshallingError. It never traps.
    @Test func randomEventsNeverTrap() throws {
        var generator = SeededGenerator(seed: 0xFF1_5EED)
        let types = CType.allCases.filter(\.isParameter)
        let pieces = ["0", "-1", "255", "1e400", "1.5", "true", "null", "\"x\"", "\"AAE=\"", "[]", "{}", "18446744073709551616", "-9223372036854775809"]
        for _ in 0..<500 {
            let count = Int.random(in: 0...3, using: &generator)
            let parameters = (0..<count).map { "p\($0):\(types.randomElement(using: &generator)!.rawValue)" }
            let signature = "f(\(parameters.joined(separator: ",")))->void"
            let values = (0..<Int.random(in: 0...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
            let event = Bool.random(using: &generator)
                ? "[" + values.joined(separator: ",") + "]"
                : "{" + values.enumerated().map { "\"p\($0.offset)\":\($0.element)" }.joined(separator: ",") + "}"
            do {
                let result = try arguments(event, signature)
                #expect(result.count == count, "\(signature) \(event)")
            } catch is MarshallingError {
            }
        }
    }
}
