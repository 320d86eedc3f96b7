import CLambdaOutbound
import Testing

/// The host's own SHA-256 and HMAC-SHA-256 (CLambdaOutbound/sha256.c), against NIST's
/// FIPS 180-4 examples, the system's `sha256sum` at the padding boundaries, and RFC 4231.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) ?? 0
        }
    }

    static func sha256(_ data: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        lh_sha256(data, data.count, &out)
        return hex(out)
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        lh_hmac_sha256(key, key.count, data, data.count, &out)
        return hex(out)
    }

    @Test func nistExamples() {
        #expect(Self.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Self.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            Self.sha256([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Self.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// Lengths around the padding's boundaries (55 fits the length in one block, 56 does
    /// not), each against the system's sha256sum; and the same bytes fed in uneven pieces.
    @Test(arguments: [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000])
    func boundaries(length: Int) throws {
        let text = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x21 + $0 % 90))) })
        let data = Array(text.utf8)
        let outcome = try runCommand("/usr/bin/sha256sum", ["-"], stdin: text)
        #expect(outcome.status == 0)
        let expected = String(outcome.stdout.prefix(64))
        #expect(Self.sha256(data) == expected)

        var context = lh_sha256_context()
        lh_sha256_init(&context)
        var offset = 0
        var piece = 1
        while offset < data.count {
            let end = min(data.count, offset + piece)
            data[offset..<end].withUnsafeBytes { lh_sha256_update(&context, $0.baseAddress, $0.count) }
            offset = end
            piece = piece * 3 % 71 + 1
        }
        var out = [UInt8](repeating: 0, count: 32)
        lh_sha256_final(&context, &out)
        #expect(Self.hex(out) == expected)
    }

    /// RFC 4231, section 4: test cases 1-7 (case 5's output is truncated to 128 bits there).
    @Test func rfc4231() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Self.bytes(hex: "0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
                "a3b6167473100ee06e0c796c2955552b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    ("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (number, test) in cases.enumerated() {
            let mac = Self.hmac(key: test.key, test.data)
            #expect(mac.hasPrefix(test.mac), "RFC 4231 test case \(number + 1)")
        }
    }
}
