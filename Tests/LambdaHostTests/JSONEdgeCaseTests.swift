import Foundation
import LambdaJSON
import Testing

/// LambdaJSON's coders against FoundationEssentials' at the edges: every integer width
/// at and past its bounds, floats that print in each form, every escape, characters beyond
/// U+FFFF, nesting at and past the limits, and malformed text that both must refuse.
@Suite struct JSONEdgeCaseTests {
    /// `text` read as `T` by both: both refuse, or both give the same value.
    func readAlike<T: Decodable & Equatable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        let ours = CoderPair.ours(T.self, bytes)
        let theirs = CoderPair.foundation(T.self, bytes)
        #expect(CoderPair.agree(ours, theirs), "\(T.self) from \(text.debugDescription): \(ours) | \(theirs)", sourceLocation: sourceLocation)
    }

    func integerTexts<T: FixedWidthInteger>(_ type: T.Type) -> [String] {
        let min = Int128(T.min)
        let max = Int128(T.max)
        var texts = ["\(min)", "\(max)", "\(min - 1)", "\(max + 1)", "\(max)0", "0", "-0", "1e2", "1E2", "1.0", "1.5", "-1", "1e400", "-1e400",
                     "1e-2", "100e-2", "0.0e200", "\(min)"]
        // FoundationEssentials refuses a 64-bit bound written with a fraction or an exponent
        // (it rounds through a Double): JSONStructureTests.whereFoundationIsLossyLambdaJSONIsExact.
        if T.bitWidth < 64 { texts += ["\(max).0", "\(max)e0", "\(min).0"] }
        return texts
    }

    @Test func everyIntegerWidthReadsAlikeAtItsBounds() throws {
        for text in integerTexts(Int8.self) { readAlike(Int8.self, text) }
        for text in integerTexts(Int16.self) { readAlike(Int16.self, text) }
        for text in integerTexts(Int32.self) { readAlike(Int32.self, text) }
        for text in integerTexts(Int64.self) { readAlike(Int64.self, text) }
        for text in integerTexts(Int.self) { readAlike(Int.self, text) }
        for text in integerTexts(UInt8.self) { readAlike(UInt8.self, text) }
        for text in integerTexts(UInt16.self) { readAlike(UInt16.self, text) }
        for text in integerTexts(UInt32.self) { readAlike(UInt32.self, text) }
        for text in integerTexts(UInt64.self) { readAlike(UInt64.self, text) }
        for text in integerTexts(UInt.self) { readAlike(UInt.self, text) }
        // The bounds themselves, exactly.
        #expect(try LambdaJSONDecoder().decode(Int64.self, from: Array("-9223372036854775808".utf8)) == .min)
        #expect(try LambdaJSONDecoder().decode(UInt64.self, from: Array("18446744073709551615".utf8)) == .max)
        #expect(throws: DecodingError.self) { try LambdaJSONDecoder().decode(Int8.self, from: Array("128".utf8)) }
        #expect(throws: DecodingError.self) { try LambdaJSONDecoder().decode(Int.self, from: Array("1.5".utf8)) }
        #expect(throws: DecodingError.self) { try LambdaJSONDecoder().decode(Int.self, from: Array("1e400".utf8)) }
    }

    @Test func integersWriteAlike() throws {
        struct Widths: Codable {
            var i8: [Int8] = [.min, -1, 0, .max]
            var i16: [Int16] = [.min, .max]
            var i32: [Int32] = [.min, .max]
            var i64: [Int64] = [.min, .max]
            var u8: [UInt8] = [0, .max]
            var u16: [UInt16] = [.max]
            var u32: [UInt32] = [.max]
            var u64: [UInt64] = [.max]
            var i = Int.min
            var u = UInt.max
            var i128: Int128 = .min
            var u128: UInt128 = .max
        }
        let encoded = CoderPair.encode(Widths())
        #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        readAlike(Int128.self, "\(Int128.min)")
        readAlike(UInt128.self, "\(UInt128.max)")
        readAlike(UInt128.self, "\(UInt128.max)0")
    }

    static let doubles: [Double] = [
        0.1, 0.2, 0.3, 1e-7, 1e21, 1e22, 1e23, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude, -0.0, 0, 1, 100, 1e15, 1e16,
        9_007_199_254_740_992, 123_456_789.123, 1.0 / 3, .pi, -2.5e-8, 4.35, 0.000123, 1_705_055_760.5,
    ]
    static let floats: [Float] = [0.1, 1e-7, 1e21, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 16_777_216, 1e8, -0.0, 3.4028235e38, 1.0 / 3]

    @Test func floatsWriteAndReadAlike() throws {
        let doubles = CoderPair.encode(Self.doubles)
        #expect(CoderPair.agree(doubles.ours, doubles.foundation), "\(CoderPair.text(doubles.ours)) | \(CoderPair.text(doubles.foundation))")
        let floats = CoderPair.encode(Self.floats)
        #expect(CoderPair.agree(floats.ours, floats.foundation), "\(CoderPair.text(floats.ours)) | \(CoderPair.text(floats.foundation))")
        #expect(CoderPair.text(CoderPair.encode([0.1, 1e-7, 1e21, Double.leastNonzeroMagnitude, 1.0]).ours) == "[0.1,1e-07,1e+21,5e-324,1]")
        // What was written reads back to the same bits.
        let back = try LambdaJSONDecoder().decode([Double].self, from: try doubles.ours.get())
        #expect(back.map(\.bitPattern) == Self.doubles.map(\.bitPattern))
        let backFloats = try LambdaJSONDecoder().decode([Float].self, from: try floats.ours.get())
        #expect(backFloats.map(\.bitPattern) == Self.floats.map(\.bitPattern))
        for text in [
            "3.4028235e38", "3.5e38", "1e-50", "1e-45", "1.4e-45", "2e-324", "3e-324", "1.7976931348623157e308", "1.7976931348623159e308",
            "123456789012345678901234567890", "0.30000000000000004", "2.2250738585072011e-308", "4.9406564584124654e-324",
            "9007199254740993", "1e-22", "1e-23", "-0", "0.1e1", "17976931348623157e292", "7.038531e-26", "1e38", "1e39",
        ] {
            #expect(CoderPair.agree(CoderPair.ours(Double.self, Array(text.utf8)).map(\.bitPattern), CoderPair.foundation(Double.self, Array(text.utf8)).map(\.bitPattern)), "Double \(text)")
            #expect(CoderPair.agree(CoderPair.ours(Float.self, Array(text.utf8)).map(\.bitPattern), CoderPair.foundation(Float.self, Array(text.utf8)).map(\.bitPattern)), "Float \(text)")
        }
    }

    @Test func nanAndInfinityAreRefusedAlike() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            let encoded = CoderPair.encode(["x": value])
            #expect(throws: EncodingError.self) { try encoded.ours.get() }
            #expect(throws: EncodingError.self) { try encoded.foundation.get() }
        }
        let float = CoderPair.encode([Float.nan])
        #expect(throws: EncodingError.self) { try float.ours.get() }
        #expect(throws: EncodingError.self) { try float.foundation.get() }
    }

    /// Every ASCII character, some beyond, and characters beyond U+FFFF, in a string and a
    /// member name, in each layout.
    @Test func everyEscapeWritesAlike() throws {
        var texts = (0..<128).map { String(Unicode.Scalar(UInt8($0))) }
        texts += ["é", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}", "😀", "𝄞", "\u{10FFFF}", "e\u{301}", "a/b//c", "\\\"", "", "日本語テキスト"]
        for formatting: LambdaJSONEncoder.OutputFormatting in [[], [.withoutEscapingSlashes], [.prettyPrinted]] {
            let strings = CoderPair.encode(texts, formatting)
            #expect(CoderPair.agree(strings.ours, strings.foundation), "\(formatting): \(CoderPair.text(strings.ours)) | \(CoderPair.text(strings.foundation))")
            // "ék" and "e\u{301}k" are one key to a Swift dictionary: the first is kept.
            let names = CoderPair.encode(Dictionary(texts.enumerated().map { ($1 + "k", $0) }, uniquingKeysWith: { first, _ in first }), formatting.union(.sortedKeys))
            #expect(CoderPair.agree(names.ours, names.foundation), "\(formatting): \(CoderPair.text(names.ours)) | \(CoderPair.text(names.foundation))")
        }
        #expect(CoderPair.text(CoderPair.encode("a/\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}").ours) == #""a\/\b\f\n\r\t\u0001\u001f\#u{7F}""#)
    }

    @Test func everyEscapeReadsAlike() throws {
        for code in 0..<0x80 {
            let hex = String(code, radix: 16)
            let padded = String(repeating: "0", count: 4 - hex.count) + hex
            readAlike(String.self, "\"\\u\(padded)\"")
            readAlike(String.self, "\"\\u\(padded.uppercased())\"")
        }
        for text in [#""\"\\\/\b\f\n\r\t""#, #""\ud83d\ude00""#, #""\uD834\uDD1E""#, #""\udbff\udfff""#, #""a\u00e9b""#, #""\u2028""#] {
            readAlike(String.self, text)
        }
        // Refused by both: lone halves of a pair, unknown escapes, short \u, raw control characters.
        for text in [
            #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#, #""\x""#, #""\u12""#, #""\u12G4""#,
            "\"a\u{01}b\"", "\"a\nb\"", "\"\\", "\"abc",
        ] {
            let ours = CoderPair.ours(String.self, Array(text.utf8))
            #expect(throws: DecodingError.self, "\(text)") { try ours.get() }
            readAlike(String.self, text)
        }
        #expect(try LambdaJSONDecoder().decode(String.self, from: Array(#""\ud83d\ude00 \u00e9\/""#.utf8)) == "😀 é/")
    }

    /// Bytes that are not UTF-8 in a string that is read: refused by both.
    @Test(arguments: [[0xFF], [0xC3], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]] as [[UInt8]])
    func bytesThatAreNotUTF8AreRefusedAlike(bad: [UInt8]) throws {
        let text = Array(#"{"name":"ok "#.utf8) + bad + Array(#" end"}"#.utf8)
        #expect(throws: DecodingError.self) { try CoderPair.ours([String: String].self, text).get() }
        #expect(throws: DecodingError.self) { try CoderPair.foundation([String: String].self, text).get() }
        let name = Array(#"{"n"#.utf8) + bad + Array(#"":"x"}"#.utf8)
        #expect(throws: DecodingError.self) { try CoderPair.ours([String: String].self, name).get() }
        #expect(throws: DecodingError.self) { try CoderPair.foundation([String: String].self, name).get() }
    }
}
