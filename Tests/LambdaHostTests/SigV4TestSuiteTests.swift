import Foundation
import Testing

@testable import LambdaOutbound

/// SigV4 header signing against AWS's own test suite (Tests/Fixtures/sigv4-test-suite, from
/// awslabs/aws-c-auth): for every case, the canonical request, the string to sign and the
/// signature byte for byte, and the added headers against the signed request. Failure
/// messages show the non-secret steps only, never the secret key or the session token.
@Suite struct SigV4TestSuiteTests {
    /// Cases the signer does not pass, with the reason. Empty: every case passes. A listed
    /// case that passes fails the test too, so this list cannot go stale.
    static let knownFailures: [String: String] = [:]

    static let suite = BuildProducts.fixture("sigv4-test-suite")

    /// The case folders (every directory of the suite).
    static func caseNames() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: suite)
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: suite + "/" + name, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    static func read(_ name: String, _ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: suite + "/" + name + "/" + file) else {
            throw TestFailure("cannot read \(name)/\(file)")
        }
        return [UInt8](data)
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A request of `request.txt`: `METHOD target HTTP/1.1`, header lines (a line that
    /// starts with a space or tab continues the previous value: obs-fold, joined with one
    /// space), an empty line, the body. The target may itself hold spaces (`get-space-*`).
    static func parseRequest(_ bytes: [UInt8]) throws -> SigV4Signer.Request {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> [UInt8] in
            line.last == 0x0D ? Array(line.dropLast()) : Array(line)
        }
        guard !lines.isEmpty else { throw TestFailure("empty request") }
        let first = lines.removeFirst()
        guard let methodEnd = first.firstIndex(of: 0x20), let versionStart = first.lastIndex(of: 0x20),
            methodEnd < versionStart
        else { throw TestFailure("bad request line") }
        let method = String(decoding: first[..<methodEnd], as: UTF8.self)
        let target = Array(first[(methodEnd + 1)..<versionStart])
        let question = target.firstIndex(of: 0x3F)
        let path = Array(target[..<(question ?? target.endIndex)])
        let query = question.map { Array(target[($0 + 1)...]) } ?? []

        var headers: [(name: [UInt8], value: [UInt8])] = []
        var bodyStart: Int? = nil
        for (index, line) in lines.enumerated() {
            if line.isEmpty {
                bodyStart = index + 1
                break
            }
            if line.first == 0x20 || line.first == 0x09, let last = headers.popLast() {
                headers.append((last.name, last.value + [0x20] + line.drop { $0 == 0x20 || $0 == 0x09 }))
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A) else { throw TestFailure("header line without ':'") }
            headers.append((Array(line[..<colon]), Array(line[(colon + 1)...])))
        }
        var body: [UInt8] = []
        if let bodyStart, bodyStart < lines.count {
            body = Array(lines[bodyStart...].joined(separator: [0x0A]))
        }
        return SigV4Signer.Request(method: method, path: path, query: query, headers: headers, payload: .body(body))
    }

    /// Signs one case as its context.json says, or throws what differs.
    static func check(_ name: String) throws {
        let context = try JSONSerialization.jsonObject(with: Data(try read(name, "context.json"))) as? [String: Any] ?? [:]
        let credentials = context["credentials"] as? [String: Any] ?? [:]
        guard let accessKey = credentials["access_key_id"] as? String,
            let secret = credentials["secret_access_key"] as? String,
            let region = context["region"] as? String, let service = context["service"] as? String,
            let timestamp = context["timestamp"] as? String
        else { throw TestFailure("context.json lacks a field") }
        let date = timestamp.filter { $0 != "-" && $0 != ":" }
        let options = SigV4Signer.Options(
            normalizePath: context["normalize"] as? Bool ?? true, encodePath: true,
            addContentSHA256: context["sign_body"] as? Bool ?? false,
            signSessionToken: !(context["omit_session_token"] as? Bool ?? false))
        let signer = SigV4Signer(region: region, service: service, options: options)
        let request = try parseRequest(try read(name, "request.txt"))
        let signed = try signer.sign(
            request, date: date,
            credentials: AWSCredentials(
                accessKeyId: accessKey, secretAccessKey: secret, sessionToken: credentials["token"] as? String))

        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        let expectedCanonical = try read(name, "header-canonical-request.txt")
        guard signed.canonicalRequest == expectedCanonical else {
            throw TestFailure("canonical request:\n\(text(signed.canonicalRequest))\n--- expected:\n\(text(expectedCanonical))")
        }
        let expectedStringToSign = try read(name, "header-string-to-sign.txt")
        guard signed.stringToSign == expectedStringToSign else {
            throw TestFailure("string to sign:\n\(text(signed.stringToSign))\n--- expected:\n\(text(expectedStringToSign))")
        }
        let expectedSignature = text(try read(name, "header-signature.txt"))
        guard signed.signature == expectedSignature else {
            throw TestFailure("signature \(signed.signature), expected \(expectedSignature)")
        }
        // Every header the signer adds is in the signed request with the same value.
        let signedRequest = try parseRequest(try read(name, "header-signed-request.txt"))
        for header in signed.headers {
            let found = signedRequest.headers.first { text($0.name).lowercased() == header.name.lowercased() }
            guard let found, text(found.value) == header.value else {
                throw TestFailure("added header \(header.name) is not in header-signed-request.txt with the same value")
            }
        }
    }

    @Test func everyHeaderCase() throws {
        let names = try Self.caseNames()
        #expect(names.count == 38, "the suite has 38 v4 cases")
        var passed = 0
        for name in names {
            do {
                try Self.check(name)
                passed += 1
                if let reason = Self.knownFailures[name] {
                    Issue.record("\(name) passes but is listed as failing (\(reason)): remove it from the list")
                }
            } catch {
                if Self.knownFailures[name] == nil { Issue.record("\(name): \(error)") }
            }
        }
        #expect(passed == names.count - Self.knownFailures.count)
    }

    // MARK: Beyond the suite

    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "TOKEN")

    static func request(_ path: String, headers: [(String, String)] = [("Host", "example.amazonaws.com")])
        -> SigV4Signer.Request
    {
        SigV4Signer.Request(
            method: "GET", path: Array(path.utf8), query: [],
            headers: headers.map { (Array($0.0.utf8), Array($0.1.utf8)) }, payload: .hash("UNSIGNED-PAYLOAD"))
    }

    /// S3: the path as written (no normalisation, no second encoding), the payload hash in a
    /// signed `X-Amz-Content-Sha256`, the session token signed.
    @Test func s3Options() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "s3", options: .s3)
        let signed = try signer.sign(Self.request("/bucket//a/../b%20c"), date: "20150830T123600Z", credentials: Self.credentials)
        let lines = String(decoding: signed.canonicalRequest, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/bucket//a/../b%20c")
        #expect(lines.contains("x-amz-content-sha256:UNSIGNED-PAYLOAD"))
        #expect(lines.contains("x-amz-security-token:TOKEN"))
        #expect(signed.headers.map(\.name) == ["X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token", "Authorization"])
        #expect(signed.headers.last?.value.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=") == true)
    }

    /// Other services encode the path as sent once more; User-Agent and X-Amzn-Trace-Id
    /// are not signed.
    @Test func doubleEncodingAndSkippedHeaders() throws {
        let signer = SigV4Signer(region: "eu-west-1", service: "dynamodb")
        let signed = try signer.sign(
            Self.request("/a%20b", headers: [("Host", "h"), ("User-Agent", "x"), ("X-Amzn-Trace-Id", "Root=1")]),
            date: "20150830T123600Z", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s"))
        let lines = String(decoding: signed.canonicalRequest, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/a%2520b")
        #expect(String(decoding: SigV4CanonicalRequest.canonicalPath([], normalize: true, encode: true), as: UTF8.self) == "/")
        #expect(lines.contains("host;x-amz-date"))
    }

    @Test func refusals() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "service")
        for date in ["2015-08-30T12:36:00Z", "20150830T123600", "2015083XT123600Z", ""] {
            #expect(throws: SigV4Error.self) { try signer.sign(Self.request("/"), date: date, credentials: Self.credentials) }
        }
        do {
            _ = try signer.sign(
                Self.request("/", headers: [("Host", "h"), ("Authorization", "x")]), date: "20150830T123600Z",
                credentials: Self.credentials)
            Issue.record("a request with its own Authorization was signed")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(!error.description.contains(Self.credentials.secretAccessKey))
        }
        var badQuery = Self.request("/")
        badQuery.query = Array("a=%zz".utf8)
        #expect(throws: SigV4Error.self) { try signer.sign(badQuery, date: "20150830T123600Z", credentials: Self.credentials) }
        #expect(!"\(Self.credentials)".contains("wJal"))
        #expect(!"\(Self.credentials)".contains("TOKEN"))
    }
}
