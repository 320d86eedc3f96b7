import Foundation
import LambdaOutbound
import Testing

/// The host's per-attempt signing (``AWSRequestSigning``) and where a path-only request
/// goes (``AWSEndpoint/url(path:service:pathStyle:)``).
@Suite struct AWSRequestSigningTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    /// The suite's get-vanilla case, signed the way the host signs a request: from the
    /// parsed URL and the plugin's headers, with the date added by the signer.
    @Test func theHostsSigningMatchesAWSsVanillaCase() throws {
        let expected = try String(
            contentsOfFile: BuildProducts.fixture("sigv4-test-suite/get-vanilla/header-signed-request.txt"), encoding: .utf8)
        let signing = AWSRequestSigning(
            signer: SigV4Signer(region: "us-east-1", service: "service"),
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret),
            payloadHash: try AWSRequestSigning.payloadHash(UnsafeRawBufferPointer(start: nil, count: 0)))
        let url = try OutboundURL.parse("https://example.amazonaws.com/")
        let added = try "GET".utf8CString.withUnsafeBytes { method in
            try signing.headers(
                method: UnsafeRawBufferPointer(rebasing: method.dropLast()), url: url, headers: [OutboundHeader](),
                date: "20150830T123600Z")
        }
        #expect(added.map(\.name) == ["X-Amz-Date", "Authorization"])
        let authorization = try #require(added.last?.value)
        #expect(expected.contains("Authorization:" + authorization))
    }

    @Test func s3AddsThePayloadHashAndATokenIsSigned() throws {
        let body = Array("hello".utf8)
        let hash = try body.withUnsafeBytes { try AWSRequestSigning.payloadHash($0) }
        #expect(hash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        let signing = AWSRequestSigning(
            signer: SigV4Signer(region: "eu-west-1", service: "s3", options: AWSRequestSigning.options(service: "s3")),
            credentials: AWSCredentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: Self.secret, sessionToken: "the-token"),
            payloadHash: hash)
        let url = try OutboundURL.parse("https://notes.s3.eu-west-1.amazonaws.com/a%20b/c.txt")
        let added = try "PUT".utf8CString.withUnsafeBytes { method in
            try signing.headers(
                method: UnsafeRawBufferPointer(rebasing: method.dropLast()), url: url, headers: [OutboundHeader](),
                date: "20261203T040000Z")
        }
        #expect(added.map(\.name) == ["X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token", "Authorization"])
        let authorization = try #require(added.last?.value)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261203/eu-west-1/s3/aws4_request, "))
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(!authorization.contains(Self.secret))
    }

    @Test func aHeaderTheSignerAddsIsRefusedIfThePluginSetsIt() throws {
        let signing = AWSRequestSigning(
            signer: SigV4Signer(region: "us-east-1", service: "dynamodb"),
            credentials: AWSCredentials(accessKeyId: "AKIA", secretAccessKey: Self.secret), payloadHash: String(repeating: "0", count: 64))
        let url = try OutboundURL.parse("https://dynamodb.us-east-1.amazonaws.com/")
        let name = Array("Authorization".utf8), value = Array("mine".utf8)
        #expect {
            try name.withUnsafeBytes { n in
                try value.withUnsafeBytes { v in
                    try "POST".utf8CString.withUnsafeBytes { method in
                        _ = try signing.headers(
                            method: UnsafeRawBufferPointer(rebasing: method.dropLast()), url: url,
                            headers: [OutboundHeader(name: n, value: v)], date: "20261203T040000Z")
                    }
                }
            }
        } throws: { error in
            (error as? OutboundError)?.code == .invalidRequest && "\(error)".contains("'authorization'")
        }
    }

    @Test(arguments: [
        ("s3", "/notes/a/b.txt?versionId=1", false, false, "https://notes.s3.us-east-1.amazonaws.com/a/b.txt?versionId=1"),
        ("s3", "/notes", false, false, "https://notes.s3.us-east-1.amazonaws.com/"),
        ("s3", "/notes?list-type=2", false, false, "https://notes.s3.us-east-1.amazonaws.com/?list-type=2"),
        ("s3", "/notes/a.txt", true, false, "https://s3.us-east-1.amazonaws.com/notes/a.txt"),
        ("s3", "/my.dotted.bucket/a.txt", false, false, "https://s3.us-east-1.amazonaws.com/my.dotted.bucket/a.txt"),
        ("s3", "/Upper/a.txt", false, false, "https://s3.us-east-1.amazonaws.com/Upper/a.txt"),
        ("s3", "/", false, false, "https://s3.us-east-1.amazonaws.com/"),
        ("s3", "/notes/a.txt", false, true, "http://127.0.0.1:5000/notes/a.txt"),
        ("dynamodb", "/", false, false, "https://dynamodb.us-east-1.amazonaws.com/"),
    ])
    func whereAPathGoes(service: String, path: String, pathStyle: Bool, overridden: Bool, expected: String) throws {
        let environment = overridden ? ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"] : [:]
        let endpoint = try AWSEndpoint.resolve(service: service, region: "us-east-1") { environment[$0] }
        #expect(endpoint.url(path: path, service: service, pathStyle: pathStyle) == expected)
    }
}
