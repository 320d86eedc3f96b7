import Foundation
import Glibc
import LambdaOutbound
import Testing

/// The moto fixture the AWS end-to-end tests run against: checking is really on (unsigned,
/// unknown-key and wrong-secret requests are refused, a call the policy does not allow is
/// denied), the project's SigV4 signer gets through with the user's key and with STS
/// session credentials, and what a test writes can be read back. If these fail, a failure
/// of a plugin against moto says nothing about the host.
///
/// Messages never show a credential: replies go through ``MotoServer/redact(_:)``, and
/// comparisons with a key, secret or token are made before `#expect`, which would print
/// both sides.
@Suite struct MotoFixtureTests {
    let moto: MotoServer

    init() throws { moto = try MotoServer.shared() }

    static let describeVisits = #"{"TableName":"\#(MotoServer.table)"}"#

    @Test func signedWithTheUsersKeyDescribeTableSucceeds() throws {
        let reply = try moto.dynamoDB("DescribeTable", Self.describeVisits)
        #expect(reply.status == 200, "\(moto.redact(reply.text))")
        #expect(reply.text.contains(#""TableName": "Visits""#) && reply.text.contains(#""TableStatus": "ACTIVE""#))
    }

    /// moto's server picks the service from the signature's scope: without `Authorization`
    /// the request goes to S3, whose check reads the missing header and fails with a 500
    /// (werkzeug logs the traceback after the reply is sent).
    @Test func unsignedRequestIsRefused() throws {
        let reply = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: MotoServer.Signing.none)
        #expect(reply.status == 500, "\(moto.redact(reply.text))")
        #expect(!reply.text.contains("Visits"))
        #expect(ProcessWatch.until(10) { moto.log.contains("KeyError: 'HTTP_AUTHORIZATION'") }, "\(moto.log.suffix(3000))")
    }

    @Test func unknownKeyGetsInvalidClientTokenId() throws {
        let reply = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: .scopeOnly)
        #expect(reply.status == 403)
        #expect(reply.text.contains("<Code>InvalidClientTokenId</Code>"), "\(moto.redact(reply.text))")
    }

    /// DynamoDB's refusal comes as IAM's XML `ErrorResponse` (moto's, not AWS's JSON
    /// `InvalidSignatureException`); S3's as S3's XML `Error`.
    @Test func wrongSecretGetsSignatureDoesNotMatch() throws {
        let wrong = AWSCredentials(accessKeyId: moto.accessKeyId, secretAccessKey: "not-the-secret-of-this-key")
        let table = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: .signed(wrong))
        #expect(table.status == 403)
        #expect(table.text.contains("<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"), "\(moto.redact(table.text))")
        let object = try moto.send("s3", method: "GET", path: "/\(MotoServer.bucket)/any", signing: .signed(wrong))
        #expect(object.status == 403)
        #expect(object.text.contains("<Code>SignatureDoesNotMatch</Code>"), "\(moto.redact(object.text))")
        let leaked = [table.text, object.text].contains { $0.contains(moto.secretAccessKey) }
        #expect(!leaked, "a refusal holds the secret")
    }

    /// The same key and secret, another body than the one signed: moto checks the payload.
    @Test func alteredBodyGetsSignatureDoesNotMatch() throws {
        let signed = try signedHeaders(body: Self.describeVisits)
        let other = Array(#"{"TableName":"Other"}"#.utf8)
        var head = "POST / HTTP/1.1\r\n"
        for (name, value) in signed { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(other.count)\r\nConnection: close\r\n\r\n"
        let connection = try #require(RawHTTP(port: moto.port, timeout: 30))
        connection.send(Array(head.utf8) + other)
        let reply = try #require(connection.reply())
        #expect(reply.status == 403)
        #expect(reply.text.contains("<Code>SignatureDoesNotMatch</Code>"), "\(moto.redact(reply.text))")
    }

    /// The key is allowed DynamoDB, S3 and SQS only: IAM's ListUsers is denied.
    @Test func callOutsideThePolicyIsDenied() throws {
        let form = Array("Action=ListUsers&Version=2010-05-08".utf8)
        let reply = try moto.send(
            "iam", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form, signing: .signed(moto.credentials))
        #expect(reply.status == 403)
        #expect(reply.text.contains("<Code>AccessDenied</Code>") && reply.text.contains("iam:ListUsers"), "\(moto.redact(reply.text))")
    }

    @Test func sessionCredentialsWorkWithTheirTokenOnly() throws {
        let session = moto.sessionCredentials
        let temporary = session.accessKeyId.hasPrefix("ASIA") && session.sessionToken != nil
        #expect(temporary, "STS credentials have an ASIA key id and a token")
        let reply = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: .signed(session))
        #expect(reply.status == 200, "\(moto.redact(reply.text))")
        let object = try moto.send("s3", method: "GET", path: "/\(MotoServer.bucket)", signing: .signed(session))
        #expect(object.status == 200, "\(moto.redact(object.text))")

        var otherToken = session
        otherToken.sessionToken = "AQoDYXdzEJr-not-the-token"
        let refused = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: .signed(otherToken))
        #expect(refused.status == 403)
        #expect(refused.text.contains("<Code>InvalidClientTokenId</Code>"), "\(moto.redact(refused.text))")
        var noToken = session
        noToken.sessionToken = nil
        let tokenless = try moto.dynamoDB("DescribeTable", Self.describeVisits, signing: .signed(noToken))
        #expect(tokenless.status == 403)
        #expect(tokenless.text.contains("<Code>InvalidClientTokenId</Code>"), "\(moto.redact(tokenless.text))")
    }

    @Test func writesAreReadBack() throws {
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        #expect(try moto.itemCount(table: table) == 0)
        #expect(try moto.item(table: table, id: "home") == nil)
        for _ in 0..<2 {
            let update = try moto.dynamoDB(
                "UpdateItem",
                ##"{"TableName":"\##(table)","Key":{"id":{"S":"home"}},"UpdateExpression":"ADD #c :one","##
                    + ##""ExpressionAttributeNames":{"#c":"count"},"ExpressionAttributeValues":{":one":{"N":"1"}}}"##)
            #expect(update.status == 200, "\(moto.redact(update.text))")
        }
        #expect(try moto.number(table: table, id: "home", attribute: "count") == 2)
        #expect(try moto.itemCount(table: table) == 1)

        let bucket = MotoServer.uniqueName("notes")
        try moto.createBucket(bucket)
        #expect(try moto.object(bucket: bucket, key: "a note.txt") == nil)
        try moto.putObject(bucket: bucket, key: "a note.txt", Array("hello, moto".utf8))
        #expect(try moto.object(bucket: bucket, key: "a note.txt") == Array("hello, moto".utf8))
    }

    @Test func environmentNamesTheEndpointAndCredentials() {
        let variables = moto.environment(moto.sessionCredentials)
        #expect(variables["AWS_ENDPOINT_URL"] == "http://127.0.0.1:\(moto.port)")
        #expect(variables["AWS_REGION"] == "us-east-1")
        let credentialsSet =
            variables["AWS_ACCESS_KEY_ID"] == moto.sessionCredentials.accessKeyId
            && variables["AWS_SECRET_ACCESS_KEY"] == moto.sessionCredentials.secretAccessKey
            && variables["AWS_SESSION_TOKEN"] == moto.sessionCredentials.sessionToken
        #expect(credentialsSet)
        #expect(moto.environment()["AWS_SESSION_TOKEN"] == nil)
        let shown = "\(moto) \(moto.redact("key \(moto.secretAccessKey) token \(moto.sessionCredentials.sessionToken ?? "")"))"
        let leaked = shown.contains(moto.secretAccessKey) || shown.contains(moto.sessionCredentials.secretAccessKey)
        #expect(!leaked && shown.contains("<redacted>"))
    }

    /// A server of its own starts, serves with checking on, and is gone once released.
    @Test func ownServerStopsWhenReleased() throws {
        let (pid, port, folder) = try {
            let server = try MotoServer()
            #expect(server.port != moto.port)
            let reply = try server.dynamoDB("DescribeTable", Self.describeVisits)
            #expect(reply.status == 200, "\(server.redact(reply.text))")
            #expect(server.secondsToListen < server.secondsToReady)
            return (server.processIdentifier, server.port, server.folder)
        }()
        // Released here: stopped, reaped and its folder removed.
        #expect(ProcessWatch.isGone(pid))
        #expect(RawHTTP(port: port, timeout: 1) == nil)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    /// Without moto (python3 -S hides site-packages) the fixture fails, saying what to install.
    @Test func missingMotoFailsSayingWhatToInstall() {
        #expect {
            _ = try MotoServer(pythonArguments: ["-S"])
        } throws: { error in
            "\(error)".contains("python3 -m pip install 'moto[server]'") && "\(error)".contains("No module named 'moto'")
        }
    }

    /// The headers the signer adds for a DescribeTable of `body`, with Host and the target.
    func signedHeaders(body: String) throws -> [(String, String)] {
        let headers = [
            ("Host", "127.0.0.1:\(moto.port)"), ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "DynamoDB_20120810.DescribeTable"),
        ]
        let request = SigV4Signer.Request(
            method: "POST", path: Array("/".utf8), query: [], headers: headers.map { (Array($0.0.utf8), Array($0.1.utf8)) },
            payload: .body(Array(body.utf8)))
        let signature = try SigV4Signer(region: moto.region, service: "dynamodb")
            .sign(request, date: MotoServer.amzDate(), credentials: moto.credentials)
        return headers + signature.headers.map { ($0.name, $0.value) }
    }
}
