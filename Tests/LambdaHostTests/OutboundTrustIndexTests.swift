import CLambdaOutbound
import Foundation
import Testing

/// The DER readers of CLambdaOutbound's lazy trust store (tls_trust_store.c), through their
/// test-only entry points: where a certificate's subject is, and the subject-index hash.
@Suite struct OutboundTrustIndexTests {
    /// The DER of one PEM certificate file.
    func der(_ pemFile: String) throws -> [UInt8] {
        let pem = try String(contentsOfFile: pemFile, encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](try #require(Data(base64Encoded: body)))
    }

    func subject(_ der: [UInt8]) -> [UInt8]? {
        var offset = 0
        var length = 0
        guard lh_test_certificate_subject(der, der.count, &offset, &length) == 1 else { return nil }
        return Array(der[offset..<offset + length])
    }

    /// A DER Name of one RDN per attribute: (OID's last byte under 2.5.4, string tag, value).
    func name(_ attributes: [(UInt8, UInt8, [UInt8])]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] { [tag, UInt8(body.count)] + body }
        let sets = attributes.flatMap { oid, tag, value in tlv(0x31, tlv(0x30, tlv(0x06, [0x55, 0x04, oid]) + tlv(tag, value))) }
        return tlv(0x30, sets)
    }

    func hash(_ der: [UInt8]) -> UInt32? {
        var value: UInt32 = 0
        return lh_test_name_hash(der, der.count, &value) == 1 ? value : nil
    }

    /// The walker's subject is byte for byte the Name OpenSSL prints for the certificate
    /// (openssl req writes the CN as a UTF8String).
    @Test(arguments: ["ca.crt", "server.crt"])
    func theSubjectIsTheOneOpenSSLPrints(file: String) throws {
        let ca = try TestCertificates.shared
        let path = ca.folder + "/" + file
        let printed = try runCommand("/usr/bin/env", ["openssl", "x509", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253"])
        try #require(printed.status == 0, "\(printed.stderr)")
        let text = printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(text.hasPrefix("subject=CN="), "\(text)")
        let commonName = Array(text.dropFirst("subject=CN=".count).utf8)
        let certificate = try der(path)
        #expect(subject(certificate) == name([(0x03, 0x0c, commonName)]))
    }

    @Test func aTruncatedOrPaddedCertificateHasNoSubject() throws {
        let certificate = try der(try TestCertificates.shared.caFile)
        #expect(subject(certificate) != nil)
        #expect(subject(Array(certificate.dropLast())) == nil)
        #expect(subject(certificate + [0]) == nil)
        #expect(subject(Array(certificate.prefix(40))) == nil)
    }

    /// X509_NAME_cmp compares canonical forms: case, runs of spaces and the string type
    /// do not make names different, so they must not change the hash.
    @Test func namesOpenSSLCallsEqualHashEqual() throws {
        let printable = name([(0x06, 0x13, Array("US".utf8)), (0x03, 0x13, Array("Lambda  Host CA".utf8))])
        let utf8 = name([(0x06, 0x0c, Array("us".utf8)), (0x03, 0x0c, Array(" lambda host ca".utf8))])
        let bmp = name([(0x06, 0x1e, [0, 0x55, 0, 0x53]), (0x03, 0x0c, Array("LAMBDA HOST CA".utf8))])
        let same = try #require(hash(printable))
        #expect(hash(utf8) == same)
        #expect(hash(bmp) == same)
        #expect(hash(name([(0x06, 0x13, Array("US".utf8)), (0x03, 0x13, Array("Other CA".utf8))])) != same)
        #expect(hash(name([(0x06, 0x13, Array("US".utf8)), (0x0a, 0x13, Array("Lambda Host CA".utf8))])) != same)
        #expect(hash(Array(printable.dropLast())) == nil)
    }
}
