import Foundation
import LambdaJSON
import Testing

/// Random JSON values (seeded, so that a failure replays) through LambdaJSON's coders and
/// FoundationEssentials': the same bytes written with sorted keys, the same values read
/// back; then the text cut and spliced at random, and both must accept or refuse it alike.
@Suite struct JSONRandomDifferentialTests {
    struct Generator {
        var random: SeededGenerator

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

        mutating func scalar() -> Unicode.Scalar {
            let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x2F...0x2F, 0x7F...0x7F, 0xA0...0x2FF,
                                                 0x300...0x36F, 0x2000...0x206F, 0x4E00...0x9FFF, 0xE000...0xFFFD, 0x1_0000...0x1_FFFF, 0x10_FF00...0x10_FFFF]
            let range = ranges[int(0...(ranges.count - 1))]
            return Unicode.Scalar(UInt32.random(in: range, using: &random)) ?? "?"
        }

        mutating func string() -> String {
            var text = String.UnicodeScalarView()
            for _ in 0..<int(0...12) { text.append(scalar()) }
            return String(text)
        }

        mutating func double() -> Double {
            switch int(0...3) {
            case 0: return Double(int(-1_000_000...1_000_000)) / 1000
            case 1: return Double(sign: .plus, exponent: int(-1070...1020), significand: Double.random(in: 1..<2, using: &random))
            case 2: return -Double.random(in: 0..<1e-300, using: &random)
            default:
                let bits = UInt64.random(in: 0...UInt64.max, using: &random)
                let value = Double(bitPattern: bits)
                return value.isFinite ? value : 0.5
            }
        }

        mutating func value(depth: Int = 0) -> AnyJSON {
            switch int(0...(depth > 5 ? 6 : 8)) {
            case 0: return .null
            case 1: return .bool(int(0...1) == 1)
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &random) >> UInt64(int(0...63)))
            case 3: return .uint(UInt64.random(in: UInt64(Int64.max) + 1...UInt64.max, using: &random))
            case 4: return .double(double())
            case 5, 6: return .string(string())
            case 7: return .array((0..<int(0...5)).map { _ in value(depth: depth + 1) })
            default:
                var members: [String: AnyJSON] = [:]
                for _ in 0..<int(0...5) { members[string()] = value(depth: depth + 1) }
                return .object(members)
            }
        }
    }

    @Test func randomValuesWriteAndReadAlike() throws {
        var generator = Generator(random: SeededGenerator(seed: 0x15_0A_2026))
        for round in 0..<400 {
            let value = generator.value()
            for formatting: LambdaJSONEncoder.OutputFormatting in [[.sortedKeys], [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]] {
                let encoded = CoderPair.encode(value, formatting)
                #expect(CoderPair.agree(encoded.ours, encoded.foundation), "round \(round): \(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
            }
            let ours = try LambdaJSONEncoder().encode(value)
            let read = CoderPair.ours(AnyJSON.self, ours)
            #expect(CoderPair.agree(read, CoderPair.foundation(AnyJSON.self, ours)), "round \(round): \(String(decoding: ours, as: UTF8.self))")
            #expect((try? read.get()) != nil, "round \(round): \(String(decoding: ours, as: UTF8.self))")
        }
    }

    /// Random cuts and splices of valid text: both refuse, or both read the same value.
    /// Only structural bytes are spliced in (digits could write numbers on which
    /// FoundationEssentials is lossy; see JSONStructureTests).
    @Test func randomlyDamagedTextIsJudgedAlike() throws {
        var generator = Generator(random: SeededGenerator(seed: 0xDA_3A_6E))
        let pieces: [[UInt8]] = [[0x2C], [0x5B], [0x5D], [0x7B], [0x7D], [0x3A], [0x22], [0x5C], [0x20], [0x0A], [0x01], [0xFF], [0xC3],
                                 Array("null".utf8), Array("tru".utf8), Array(#"\u"#.utf8), Array(#"\ud83d"#.utf8), [0x2F], [0x78]]
        var accepted = 0
        for round in 0..<1500 {
            var bytes = try LambdaJSONEncoder().encode(generator.value())
            for _ in 0..<generator.int(1...3) where !bytes.isEmpty {
                let at = generator.int(0...(bytes.count - 1))
                switch generator.int(0...2) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(contentsOf: pieces[generator.int(0...(pieces.count - 1))], at: at)
                default: bytes.replaceSubrange(at...at, with: pieces[generator.int(0...(pieces.count - 1))])
                }
            }
            let ours = CoderPair.ours(AnyJSON.self, bytes)
            #expect(CoderPair.agree(ours, CoderPair.foundation(AnyJSON.self, bytes)), "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            let skipped = (try? CoderPair.ours(JSONStructureTests.Skip.self, bytes).get()) != nil
            #expect(skipped == ((try? CoderPair.foundation(JSONStructureTests.Skip.self, bytes).get()) != nil), "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if case .success = ours { accepted += 1 }
        }
        // The damage leaves some documents whole, so that both sides of the judgement are tried.
        #expect(accepted > 50 && accepted < 1400, "\(accepted) accepted")
    }
}
