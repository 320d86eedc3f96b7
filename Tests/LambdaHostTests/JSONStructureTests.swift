import Foundation
import LambdaJSON
import Testing

/// LambdaJSON's coders against FoundationEssentials' on structure: nesting limits,
/// malformed and lenient text, repeated names, containers of every kind, dictionary keys,
/// coding paths in errors, `Data` and `Date`; and the few places where LambdaJSON is
/// exact and FoundationEssentials is not (docs/json.md).
@Suite struct JSONStructureTests {
    /// Reads any JSON and keeps nothing: what the scanner accepts, apart from the values.
    struct Skip: Decodable, Equatable {
        init(from decoder: any Decoder) throws {}
    }

    func nested(_ depth: Int, _ open: String = "[", _ close: String = "]", inner: String = "") -> [UInt8] {
        Array((String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)).utf8)
    }

    @Test func nestingIsLimitedTo512AlikeWhenReading() throws {
        for depth in [511, 512] {
            #expect((try? CoderPair.ours(Skip.self, nested(depth)).get()) != nil, "\(depth)")
            #expect((try? CoderPair.foundation(Skip.self, nested(depth)).get()) != nil, "\(depth)")
        }
        for text in [nested(513), nested(100_000), nested(513, "{\"a\":", "}", inner: "1")] {
            #expect(throws: DecodingError.self) { try CoderPair.ours(Skip.self, text).get() }
            #expect(throws: DecodingError.self) { try CoderPair.foundation(Skip.self, text).get() }
        }
        // A whole value 512 levels deep, through Codable.
        let deep = nested(512, inner: "7")
        #expect(CoderPair.agree(CoderPair.ours(AnyJSON.self, deep), CoderPair.foundation(AnyJSON.self, deep)))
        #expect((try? CoderPair.ours(AnyJSON.self, deep).get()) != nil)
    }

    @Test func nestingIsLimitedTo511AlikeWhenWriting() throws {
        func value(_ depth: Int) -> AnyJSON { (0..<depth).reduce(AnyJSON.int(1)) { inner, _ in .array([inner]) } }
        let fits = CoderPair.encode(value(511))
        #expect(CoderPair.agree(fits.ours, fits.foundation))
        _ = try fits.ours.get()
        let deeper = CoderPair.encode(value(512))
        #expect(throws: EncodingError.self) { try deeper.ours.get() }
        #expect(throws: EncodingError.self) { try deeper.foundation.get() }
    }

    static let malformed = [
        "", " ", "[", "]", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a" 1}"#, "[1,,2]", "[,]", "{,}", #"{"a":1,,"b":2}"#, "tru", "nul", "falsey",
        "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "[1 2]", #"{"a":1 "b":2}"#, #""abc"#,
        "'a'", "[1]]", "[1] x", "\u{0C}1", "1\u{0C}", #"{"a":1}}"#, "[01]", "[1.e5]", "[1-2]", "[--1]", "{1:2}", "{null:1}", "[\"\\\"]",
        "\u{00A0}1", "[1,]]", #"{"a":1,}}"#, "/* x */ 1", "// x\n1", "[\n1\n,\n]x",
    ]

    @Test func malformedTextIsRefusedAlike() throws {
        for text in Self.malformed {
            let bytes = Array(text.utf8)
            // Any error: text the scanner takes may hold a value no type reads (AnyJSON's own error).
            #expect(throws: (any Error).self, "\(text.debugDescription)") { try CoderPair.ours(AnyJSON.self, bytes).get() }
            #expect(throws: (any Error).self, "\(text.debugDescription)") { try CoderPair.foundation(AnyJSON.self, bytes).get() }
        }
        // A syntax error says where.
        let error = CoderPair.ours(AnyJSON.self, Array("[1,,2]".utf8))
        guard case .failure(DecodingError.dataCorrupted(let context)) = error, let syntax = context.underlyingError as? JSONSyntaxError else {
            Issue.record("\(error)")
            return
        }
        #expect(syntax.offset == 3)
    }

    /// What FoundationEssentials accepts beyond RFC 8259, accepted alike: trailing commas, a
    /// byte-order mark, UTF-16 and UTF-32, and members nobody reads that hold what reading
    /// them would refuse.
    @Test func lenientTextIsAcceptedAlike() throws {
        struct Used: Codable, Equatable { var used: Int }
        func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
        var lenient: [[UInt8]] = [utf8("[1,2,]"), utf8(#"{"used":1,}"#), utf8(" \t\r\n{\"used\":1}\n")]
        lenient.append([0xEF, 0xBB, 0xBF] + utf8(#"{"used":1}"#))
        lenient += [utf8(#"{"used":1,"unused":01}"#), utf8(#"{"used":1,"unused":"\q"}"#), utf8("{\"used\":1,\"unused\":\"a\u{01}\"}")]
        lenient.append(utf8(#"{"used":1,"unused":"x"#) + [0xFF] + utf8(#""}"#))
        lenient += [utf8(#"{"used":1,"unused":[1-2, 3..4]}"#), utf8(#"{"used":1,"unused":"\ud800"}"#)]
        for bytes in lenient {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("used") {
                #expect(CoderPair.agree(CoderPair.ours(Used.self, bytes), CoderPair.foundation(Used.self, bytes)), "\(text.debugDescription)")
                #expect((try? CoderPair.ours(Used.self, bytes).get()) == Used(used: 1), "\(text.debugDescription)")
            } else {
                #expect(CoderPair.agree(CoderPair.ours([Int].self, bytes), CoderPair.foundation([Int].self, bytes)), "\(text.debugDescription)")
            }
        }
        let json = #"{"used":7,"text":"é😀"}"#
        let units = Array(json.utf16)
        let little: [UInt8] = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let utf32: [UInt8] = json.unicodeScalars.flatMap { scalar -> [UInt8] in
            (0..<4).map { (shift: Int) -> UInt8 in UInt8(truncatingIfNeeded: scalar.value >> (8 * (3 - shift))) }
        }
        for encoded in [little, big, [0xFF, 0xFE] + little, utf32] {
            #expect(CoderPair.agree(CoderPair.ours(AnyJSON.self, encoded), CoderPair.foundation(AnyJSON.self, encoded)), "\(encoded.prefix(8))")
            #expect((try? CoderPair.ours(AnyJSON.self, encoded).get()) == .object(["used": .int(7), "text": .string("é😀")]))
        }
    }

    @Test func aRepeatedNameReadsItsFirstValueAlike() throws {
        struct K: Codable, Equatable { var K: Int }
        for text in [#"{"K":1,"K":2}"#, #"{"K":1,"\u004B":2}"#, #"{"\u212a":1,"K":2}"#, "{\"\u{212A}\":1}", #"{"k":1}"#] {
            let bytes = Array(text.utf8)
            #expect(CoderPair.agree(CoderPair.ours(K.self, bytes), CoderPair.foundation(K.self, bytes)), "\(text)")
            #expect(CoderPair.agree(CoderPair.ours([String: Int].self, bytes), CoderPair.foundation([String: Int].self, bytes)), "\(text)")
        }
        #expect(try LambdaJSONDecoder().decode(K.self, from: Array(#"{"K":1,"K":2}"#.utf8)) == K(K: 1))
        // A large object, through its hash table.
        let many = "{" + (0..<40).map { "\"m\($0)\":\($0)" }.joined(separator: ",") + ",\"m7\":99}"
        #expect(CoderPair.agree(CoderPair.ours([String: Int].self, Array(many.utf8)), CoderPair.foundation([String: Int].self, Array(many.utf8))))
        #expect((try? LambdaJSONDecoder().decode([String: Int].self, from: Array(many.utf8)))?["m7"] == 7)
    }

    @Test func dictionaryKeysOfEveryKindCodeAlike() throws {
        enum Color: String, Codable, CodingKeyRepresentable { case red, green }
        let encodings: [(ours: Result<[UInt8], any Error>, foundation: Result<[UInt8], any Error>)] = [
            CoderPair.encode([1: "a", -2: "b", 30: "c"]), CoderPair.encode(["b": 1, "a": 2, "": 3]), CoderPair.encode([1.5: "x"]),
            CoderPair.encode([Color.red: 1, .green: 2]), CoderPair.encode([UInt8(7): true]),
        ]
        for encoded in encodings {
            #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        }
        for text in [#"{"1":"a","-2":"b"}"#, #"{"1":"a","x":"b"}"#, #"{"01":"a"}"#, #"{"1.5":"a"}"#] {
            #expect(CoderPair.agree(CoderPair.ours([Int: String].self, Array(text.utf8)), CoderPair.foundation([Int: String].self, Array(text.utf8))), "\(text)")
        }
        #expect(CoderPair.agree(CoderPair.ours([Color: Int].self, Array(#"{"red":1}"#.utf8)), CoderPair.foundation([Color: Int].self, Array(#"{"red":1}"#.utf8))))
        #expect(CoderPair.agree(CoderPair.ours([Double: String].self, Array(#"[1.5,"x"]"#.utf8)), CoderPair.foundation([Double: String].self, Array(#"[1.5,"x"]"#.utf8))))
    }

    /// The coding path of each kind of error, key by key.
    @Test func errorsCarryTheSameCodingPath() throws {
        struct Inner: Codable { var b: [Int] }
        struct Outer: Codable { var a: Inner }
        func path(_ result: Result<Outer, any Error>) -> [String]? {
            guard case .failure(let error as DecodingError) = result else { return nil }
            let context: DecodingError.Context
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
            @unknown default: return nil
            }
            return context.codingPath.map { $0.intValue.map { "#\($0)" } ?? $0.stringValue }
        }
        for text in [#"{"a":{"b":[1,"x"]}}"#, #"{"a":{"b":[1,null]}}"#, #"{"a":{}}"#, #"{"a":{"b":[1,1.5]}}"#, #"{"a":{"b":{}}}"#, #"{"a":null}"#] {
            let ours = path(CoderPair.ours(Outer.self, Array(text.utf8)))
            #expect(ours != nil, "\(text)")
            if text.contains("1.5") {
                #expect(ours == ["a", "b", "#1"], "\(text)")  // FoundationEssentials reports [] here
            } else {
                #expect(ours == path(CoderPair.foundation(Outer.self, Array(text.utf8))), "\(text)")
            }
        }
    }

    /// Where FoundationEssentials is lossy and LambdaJSON exact (docs/json.md). Both sides
    /// are checked, so that a change in either shows here.
    @Test func whereFoundationIsLossyLambdaJSONIsExact() throws {
        for (text, theirs) in [("1.0000000000000001", 1), ("1e-400", 0), ("0.99999999999999999", 1)] {
            #expect(throws: DecodingError.self, "\(text)") { try CoderPair.ours(Int.self, Array(text.utf8)).get() }
            #expect((try? CoderPair.foundation(Int.self, Array(text.utf8)).get()) == theirs, "\(text)")
        }
        #expect(throws: DecodingError.self) { try CoderPair.ours(Int64.self, Array("9007199254740993.5".utf8)).get() }
        #expect((try? CoderPair.foundation(Int64.self, Array("9007199254740993.5".utf8)).get()) == 9_007_199_254_740_993)
        // A 64-bit bound with a fraction or an exponent is that integer; FoundationEssentials
        // rounds it to a Double first, out of range.
        for (text, value) in [("9223372036854775807.0", Int64.max), ("9223372036854775807e0", .max), ("-9223372036854775808.0", .min)] {
            #expect((try? CoderPair.ours(Int64.self, Array(text.utf8)).get()) == value, "\(text)")
            #expect((try? CoderPair.foundation(Int64.self, Array(text.utf8)).get()) == nil, "\(text)")
        }
        #expect((try? CoderPair.ours(UInt64.self, Array("18446744073709551615.0".utf8)).get()) == .max)
        #expect((try? CoderPair.foundation(UInt64.self, Array("18446744073709551615.0".utf8)).get()) == nil)
        for text in ["0e5", "0.000e1"] {
            #expect((try? CoderPair.ours(Double.self, Array(text.utf8)).get()) == 0, "\(text)")
            #expect((try? CoderPair.foundation(Double.self, Array(text.utf8)).get()) == nil, "\(text)")
        }
        #expect((try? CoderPair.ours(Data.self, Array(#""====""#.utf8)).get()) == nil)
        #expect((try? CoderPair.foundation(Data.self, Array(#""====""#.utf8)).get()) == Data([0]))
    }
}
