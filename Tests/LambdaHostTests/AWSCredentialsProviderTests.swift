import LambdaOutbound
import Testing

/// Where the host's AWS credentials come from, and when they are fetched again: the
/// provider's logic with a fetch function standing in for the network (the end-to-end
/// tests run it against a real credentials server).
@Suite struct AWSCredentialsProviderTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let now: Int64 = 1_796_270_400  // 2026-12-03T04:00:00Z

    static func answer(key: String, expires: String) -> [UInt8] {
        Array(#"{"AccessKeyId":"\#(key)","SecretAccessKey":"\#(secret)","Token":"tok-\#(key)","Expiration":"\#(expires)"}"#.utf8)
    }

    @Test func theEnvironmentComesFirstAndIsNeverFetched() throws {
        let provider = AWSCredentialsProvider(environment: AWSEnvironment([
            ("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", Self.secret),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"),
        ]))
        let credentials = try provider.credentials(now: Self.now) { (_, _) throws(OutboundError) in
            Issue.record("fetched although the environment has credentials")
            return (500, [])
        }
        #expect(credentials.accessKeyId == "AKIAENV")
        #expect(credentials.sessionToken == nil)
    }

    @Test func containerCredentialsAreCachedUntilFiveMinutesBeforeExpiration() throws {
        let provider = AWSCredentialsProvider(environment: AWSEnvironment([
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "auth-token"),
        ]))
        var fetches: [(String, String?)] = []
        let fetch: AWSCredentialsProvider.Fetch = { (url, authorization) throws(OutboundError) in
            fetches.append((url, authorization))
            // First answer: expires at 04:10; second: at 10:00.
            return (200, Self.answer(key: "ASIA\(fetches.count)", expires: fetches.count == 1 ? "2026-12-03T04:10:00Z" : "2026-12-03T10:00:00.000Z"))
        }
        #expect(try provider.credentials(now: Self.now, fetch: fetch).accessKeyId == "ASIA1")
        #expect(try provider.credentials(now: Self.now + 299, fetch: fetch).accessKeyId == "ASIA1")
        #expect(fetches.count == 1)
        // 04:05:00 is five minutes before the expiration: fetched again.
        let fresh = try provider.credentials(now: Self.now + 300, fetch: fetch)
        #expect(fresh.accessKeyId == "ASIA2" && fresh.sessionToken == "tok-ASIA2" && fresh.secretAccessKey == Self.secret)
        #expect(fetches.count == 2)
        #expect(fetches.allSatisfy { $0.0 == "http://127.0.0.1:9/creds" && $0.1 == "auth-token" })
    }

    @Test func aFailedRefreshKeepsCredentialsThatAreStillGoodForAMinute() throws {
        let provider = AWSCredentialsProvider(environment: AWSEnvironment([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://localhost:9/c")]))
        var fail = false
        let fetch: AWSCredentialsProvider.Fetch = { (_, authorization) throws(OutboundError) in
            #expect(authorization == nil)
            if fail { throw OutboundError(.refused, sent: false, "not sent: connection refused") }
            return (200, Self.answer(key: "ASIA1", expires: "2026-12-03T04:10:00Z"))
        }
        _ = try provider.credentials(now: Self.now, fetch: fetch)
        fail = true
        #expect(try provider.credentials(now: Self.now + 400, fetch: fetch).accessKeyId == "ASIA1")
        #expect {
            _ = try provider.credentials(now: Self.now + 541, fetch: fetch)
        } throws: { error in
            guard let error = error as? OutboundError else { return false }
            return error.code == .signing && !error.sent && error.message.contains("container-credentials endpoint failed")
        }
    }

    @Test(arguments: [
        (403, Array(#"{"message":"no"}"#.utf8), "answered 403 instead of 200 credentials; check AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        (200, Array("<html>".utf8), "not JSON"),
        (200, Array(#"{"AccessKeyId":"A","Token":"t"}"#.utf8), "has no SecretAccessKey"),
        (200, Array(#"{"AccessKeyId":"A","SecretAccessKey":"s\r\nX-Evil: 1"}"#.utf8), "SecretAccessKey is not a non-empty printable string"),
        (200, Array(#"{"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"tomorrow"}"#.utf8), "Expiration is not an ISO 8601"),
    ])
    func aBadAnswerIsANotSentErrorThatShowsNoValue(status: Int, body: [UInt8], message: String) {
        let provider = AWSCredentialsProvider(environment: AWSEnvironment([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example/")]))
        #expect {
            _ = try provider.credentials(now: Self.now) { (_, _) throws(OutboundError) in (status, body) }
        } throws: { error in
            guard let error = error as? OutboundError else { return false }
            return error.code == .signing && error.message.contains(message) && !error.message.contains("X-Evil")
        }
    }

    @Test(arguments: [
        ([(String, String)](), "no AWS credentials to sign with"),
        ([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.7/creds")], "must be https, or http to a loopback address"),
        ([("AWS_ACCESS_KEY_ID", "AKIA"), ("AWS_SECRET_ACCESS_KEY", "two words")], "AWS_SECRET_ACCESS_KEY has spaces"),
        ([("AWS_ACCESS_KEY_ID", "AKIA")], "AWS_SECRET_ACCESS_KEY is not set"),
    ])
    func noUsableSourceSaysWhatWasLookedAt(variables: [(String, String)], message: String) {
        let provider = AWSCredentialsProvider(environment: AWSEnvironment(variables))
        #expect {
            _ = try provider.credentials(now: Self.now) { (_, _) throws(OutboundError) in (200, []) }
        } throws: { error in
            guard let error = error as? OutboundError else { return false }
            return error.code == .signing && !error.sent && error.message.contains(message) && !error.message.contains("two words")
        }
    }

    @Test func theRelativeURIGoesToTheContainerAgent() throws {
        let endpoint = try #require(try ContainerCredentials.fromEnvironment(AWSEnvironment([
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"), ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/tmp/t"),
        ])))
        #expect(endpoint.url == "http://169.254.170.2/v2/credentials/abc")
        #expect(endpoint.tokenFile == "/tmp/t")
        #expect(try ContainerCredentials.fromEnvironment(AWSEnvironment()) == nil)
    }

    @Test func theEnvironmentCopyNeverPrintsAValue() {
        let environment = AWSEnvironment([("AWS_SECRET_ACCESS_KEY", Self.secret), ("HOME", "/root"), ("AWS_REGION", "eu-west-1")])
        #expect("\(environment)" == "AWSEnvironment(AWS_REGION, AWS_SECRET_ACCESS_KEY)")
        #expect(environment["HOME"] == nil)
        #expect(environment.region == "eu-west-1")
    }
}
