import Testing

@testable import LambdaDynamicCall

/// Dynamic handlers refuse what they cannot represent exactly (issue 10, point 7): a
/// repeated member, text that is not UTF-8, a lone surrogate escape, and names that are
/// only canonically equivalent to a parameter's. Each was once read as a silent guess.
@Suite struct ExactEventTests {
    func failure(_ event: [UInt8], _ signature: String) -> MarshallingError? {
        do {
            let parsed = try Signature(parsing: signature)
            _ = try event.withUnsafeBytes { try Marshalling.arguments(from: $0, for: parsed) }
            return nil
        } catch let error as MarshallingError {
            return error
        } catch {
            return nil
        }
    }

    func failure(_ event: String, _ signature: String) -> MarshallingError? { failure(Array(event.utf8), signature) }

    @Test func aRepeatedMemberIsRefusedNotResolved() throws {
        for event in [#"{"a":1,"a":2}"#, #"{"a":1,"b":2,"a":1}"#, #"{"a":1,"\u0061":2}"#] {
            let error = try #require(failure(event, "f(a:i32,b:i32)->void"), "\(event)")
            #expect(error.code.errorType == "InvalidEvent.DuplicateName", "\(event): \(error)")
            #expect(error.message.contains("'a' twice"), "\(error.message)")
        }
        // Nested objects are held to the same rule, and many members stay cheap.
        #expect(failure(#"[{"x":1,"x":1}]"#, "f(i32)->void")?.code.errorType == "InvalidEvent.DuplicateName")
        let many = "{" + (0..<20_000).map { "\"m\($0)\":0" }.joined(separator: ",") + ",\"m7\":1}"
        #expect(failure(many, "f(m7:i32)->void")?.code.errorType == "InvalidEvent.DuplicateName")
    }

    @Test(arguments: [
        [0xFF], [0xC3], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80],
        [0x61, 0xE2, 0x82],
    ] as [[UInt8]])
    func bytesThatAreNotUTF8AreRefusedNotReplaced(bad: [UInt8]) throws {
        let event = Array(#"{"name":"ok "#.utf8) + bad + Array(#" end"}"#.utf8)
        let error = try #require(failure(event, "greet(name:str)->str"))
        #expect(error.code.errorType == "InvalidEvent.NotUTF8", "\(bad): \(error)")
        #expect(error.message.contains("not UTF-8"), "\(error.message)")
        let at = 12 + (bad.first == 0x61 ? 1 : 0)
        #expect(error.message.contains("at byte \(at)"), "\(error.message)")
        // In a member name as well.
        let name = Array(#"{"n"#.utf8) + bad + Array(#"":1}"#.utf8)
        #expect(failure(name, "f(n:i32)->void")?.code.errorType == "InvalidEvent.NotUTF8")
    }

    @Test(arguments: [#"\ud800"#, #"\udbff"#, #"\udc00"#, #"\udfff"#, #"\ud800\u0041"#, #"\ud800x"#, #"\ud800\ud800"#])
    func aLoneSurrogateEscapeIsRefusedAsNotUTF8(escape: String) throws {
        let error = try #require(failure("[\"a\(escape)\"]", "greet(str)->str"))
        #expect(error.code.errorType == "InvalidEvent.NotUTF8", "\(escape): \(error)")
        #expect(error.message.contains("surrogate"), "\(error.message)")
        #expect(error.message.contains(String(escape.prefix(6))), "\(error.message)")
    }

    @Test func validTextStillReadsExactly() throws {
        let parsed = try Signature(parsing: "greet(name:str)->str")
        for (event, text) in [
            (#"{"name":"\ud83d\ude00 é 日本"}"#, "😀 é 日本"), (#"{"name":"e\u0301"}"#, "e\u{301}"),
            (#"{"name":"\u00e9"}"#, "\u{e9}"),
        ] {
            let arguments = try Array(event.utf8).withUnsafeBytes { try Marshalling.arguments(from: $0, for: parsed) }
            guard case .string(let value?) = arguments.first else { Issue.record("\(event): \(arguments)"); continue }
            #expect(Array(value.utf8) == Array(text.utf8), "\(event)")
        }
    }

    /// Swift's String == compares by canonical equivalence, under which U+212A KELVIN SIGN
    /// equals "K": a member must name its parameter byte for byte.
    @Test func aNameIsMatchedByItsBytesNotByCanonicalEquivalence() throws {
        #expect(failure(#"{"\u212a":1}"#, "f(K:i32)->void")?.code == .missingArgument)
        let error = try #require(failure(#"{"K":1,"\u212a":2}"#, "f(K:i32)->void"))
        #expect(error.code == .unknownArgument, "\(error)")
        #expect(error.message.contains(#"'\u212a' is not a parameter"#), "\(error.message)")
    }
}
