import Foundation
import LambdaJSON
import Testing

/// LambdaJSON's coders against FoundationEssentials' on hand-written Codable: nested
/// containers, `superEncoder()`/`superDecoder()` of a class hierarchy, optionals, values
/// that encode nothing, and Foundation's `Data` and `Date`.
@Suite struct JSONContainerTests {
    class Animal: Codable, Equatable {
        var name: String
        init(name: String) { self.name = name }
        static func == (a: Animal, b: Animal) -> Bool { a.name == b.name && type(of: a) == type(of: b) }
    }

    final class Dog: Animal {
        var tricks: [String]
        var owner: String?
        private enum CodingKeys: String, CodingKey { case tricks, owner, details }
        private enum DetailKeys: String, CodingKey { case age, weights }

        init(name: String, tricks: [String], owner: String?) {
            self.tricks = tricks
            self.owner = owner
            super.init(name: name)
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tricks = try container.decode([String].self, forKey: .tricks)
            owner = try container.decodeIfPresent(String.self, forKey: .owner)
            let details = try container.nestedContainer(keyedBy: DetailKeys.self, forKey: .details)
            _ = try details.decode(Int.self, forKey: .age)
            var weights = try details.nestedUnkeyedContainer(forKey: .weights)
            while !weights.isAtEnd { _ = try weights.decode(Double.self) }
            try super.init(from: container.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tricks, forKey: .tricks)
            try container.encodeIfPresent(owner, forKey: .owner)
            var details = container.nestedContainer(keyedBy: DetailKeys.self, forKey: .details)
            try details.encode(7, forKey: .age)
            var weights = details.nestedUnkeyedContainer(forKey: .weights)
            try weights.encode(12.5)
            try weights.encode(13)
            try super.encode(to: container.superEncoder())
        }

        static func == (a: Dog, b: Dog) -> Bool { a.name == b.name && a.tricks == b.tricks && a.owner == b.owner }
    }

    /// Elements written through an unkeyed container's `superEncoder()` and nested containers.
    struct Mixed: Codable, Equatable {
        var values: [Int]

        init(values: [Int]) { self.values = values }

        init(from decoder: any Decoder) throws {
            var outer = try decoder.unkeyedContainer()
            var inner = try outer.nestedUnkeyedContainer()
            var values: [Int] = []
            while !inner.isAtEnd { values.append(try inner.decode(Int.self)) }
            let keyed = try outer.nestedContainer(keyedBy: JSONContainerTests.Key.self)
            values.append(try keyed.decode(Int.self, forKey: .init(stringValue: "last")))
            values.append(try Int(from: try outer.superDecoder()))
            #expect(try outer.decodeNil())
            #expect(outer.isAtEnd)
            self.values = values
        }

        func encode(to encoder: any Encoder) throws {
            var outer = encoder.unkeyedContainer()
            var inner = outer.nestedUnkeyedContainer()
            for value in values.dropLast(2) { try inner.encode(value) }
            var keyed = outer.nestedContainer(keyedBy: JSONContainerTests.Key.self)
            try keyed.encode(values[values.count - 2], forKey: .init(stringValue: "last"))
            try values[values.count - 1].encode(to: outer.superEncoder())
            try outer.encodeNil()
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func aClassHierarchyWithSuperEncoderCodesAlike() throws {
        let dog = Dog(name: "Rex / \"Good boy\"", tricks: ["sit", "roll"], owner: nil)
        let encoded = CoderPair.encode(dog)
        #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        let bytes = try encoded.ours.get()
        #expect(CoderPair.agree(CoderPair.ours(Dog.self, bytes), CoderPair.foundation(Dog.self, bytes)))
        #expect(try LambdaJSONDecoder().decode(Dog.self, from: bytes) == dog)
        // Members in the order the type encodes them; super's last.
        let plain = try LambdaJSONEncoder().encode(dog)
        #expect(String(decoding: plain, as: UTF8.self) == #"{"tricks":["sit","roll"],"details":{"age":7,"weights":[12.5,13]},"super":{"name":"Rex \/ \"Good boy\""}}"#)
    }

    @Test func unkeyedNestingAndSuperEncoderCodeAlike() throws {
        let mixed = Mixed(values: [1, 2, 3, 4, 5])
        let encoded = CoderPair.encode(mixed)
        #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        #expect(CoderPair.text(encoded.ours) == #"[[1,2,3],{"last":4},5,null]"#)
        let bytes = try encoded.ours.get()
        #expect(try LambdaJSONDecoder().decode(Mixed.self, from: bytes) == mixed)
        #expect(CoderPair.agree(CoderPair.ours(Mixed.self, bytes), CoderPair.foundation(Mixed.self, bytes)))
    }

    @Test func optionalsAndValuesThatEncodeNothingCodeAlike() throws {
        struct Nothing: Codable, Equatable {
            init() {}
            init(from decoder: any Decoder) throws {}
            func encode(to encoder: any Encoder) throws {}
        }
        struct Holder: Codable, Equatable {
            var nothing = Nothing()
            var maybe: Int? = nil
            var list: [Int?] = [1, nil, 3]
            var nested: [[String: Bool?]] = [["a": nil, "b": true], [:]]
        }
        let encoded = CoderPair.encode(Holder())
        #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        #expect(CoderPair.text(encoded.ours) == #"{"list":[1,null,3],"nested":[{"a":null,"b":true},{}],"nothing":{}}"#)
        #expect(try LambdaJSONDecoder().decode(Holder.self, from: try encoded.ours.get()) == Holder())
        let top = CoderPair.encode(Nothing())
        #expect(throws: EncodingError.self) { try top.ours.get() }
        #expect(throws: EncodingError.self) { try top.foundation.get() }
        for text in [#"{"list":[],"nested":[],"nothing":{},"maybe":null}"#, #"{"list":[null],"nested":[{"x":null}],"nothing":1}"#, #"{"list":null}"#] {
            #expect(CoderPair.agree(CoderPair.ours(Holder.self, Array(text.utf8)), CoderPair.foundation(Holder.self, Array(text.utf8))), "\(text)")
        }
    }

    /// Foundation's `Data` is base64 and `Date` its own Double, as in FoundationEssentials'
    /// default settings.
    @Test func foundationDataAndDateCodeAlike() throws {
        struct Stamped: Codable, Equatable {
            var data: Data
            var empty: Data
            var dates: [Date]
            var maybe: Data?
            var bytes: [UInt8]
        }
        let value = Stamped(
            data: Data((0..<40).map { UInt8($0 * 7 & 0xFF) }), empty: Data(), dates: [Date(timeIntervalSinceReferenceDate: 726_000_000.25)],
            maybe: Data([0xFF]), bytes: [1, 2])
        let encoded = CoderPair.encode(value)
        #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
        let bytes = try encoded.ours.get()
        #expect(try LambdaJSONDecoder().decode(Stamped.self, from: bytes) == value)
        #expect(CoderPair.agree(CoderPair.ours(Stamped.self, bytes), CoderPair.foundation(Stamped.self, bytes)))
        let top = CoderPair.encode(Data([1, 2, 3, 4]))
        #expect(CoderPair.text(top.ours) == #""AQIDBA==""#)
        #expect(CoderPair.agree(top.ours, top.foundation))
        for text in [#""AQID""#, #""AQI=""#, #""AQ==""#, #""""#, #""AQI""#, #"" AQID""#, #""A===""#, #"[1,2]"#, "null", #""AR==""#] {
            #expect(CoderPair.agree(CoderPair.ours(Data.self, Array(text.utf8)), CoderPair.foundation(Data.self, Array(text.utf8))), "\(text)")
        }
    }

    /// A decoder kept past `decode` still reads: the bytes were copied for it.
    @Test func aDecoderKeptPastTheCallStillReads() throws {
        final class Keeper: Decodable {
            let container: KeyedDecodingContainer<Key>
            init(from decoder: any Decoder) throws { container = try decoder.container(keyedBy: Key.self) }
        }
        var text = Array(#"{"late":"read after the call"}"#.utf8)
        let kept = try LambdaJSONDecoder().decode(Keeper.self, from: text)
        for index in text.indices { text[index] = 0 }
        #expect(try kept.container.decode(String.self, forKey: Key(stringValue: "late")) == "read after the call")
    }
}
