import Foundation
import LambdaOutbound
import Testing

/// AWS calls signed by the host (ABI 1.3), end to end: the real host running the `Visits`
/// example (C: DynamoDB UpdateItem) against a real moto server that checks every
/// signature, with credentials from the environment (an IAM user's key, or STS session
/// credentials with their token) or from a container-credentials endpoint of the test.
/// Every output of the host is checked for credential values.
@Suite(.serialized) struct AWSCallTests {
    /// The host running libVisits.so for `table`, with `environment` on top of moto's.
    static func visits(
        _ moto: MotoServer, table: String, credentials: AWSCredentials? = nil, environment: [String: String] = [:]
    ) throws -> OutboundHTTPTests.Runtime {
        var settings = moto.environment(credentials)
        settings["VISITS_TABLE"] = table
        settings.merge(environment) { $1 }
        return try OutboundHTTPTests.Runtime("libVisits.so", environment: settings)
    }

    /// Whether `text` holds any credential value `moto` handed out, or `extra`'s; a Bool,
    /// so that a failed expectation prints no secret.
    static func leaks(_ text: String, _ moto: MotoServer, _ extra: [String] = []) -> Bool {
        let values = [moto.credentials.secretAccessKey, moto.sessionCredentials.secretAccessKey, moto.sessionCredentials.sessionToken ?? ""] + extra
        return values.contains { !$0.isEmpty && text.contains($0) }
    }

    @Test func visitsCountsInDynamoDBWithTheHostsSignature() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        let runtime = try Self.visits(moto, table: table)
        for expected in 1...3 {
            let answer = try runtime.invoke(#"{"id": "home"}"#)
            #expect(answer.path.hasSuffix("/response"), "\(moto.redact(answer.text))")
            #expect(answer.text == #"{"id": "home", "count": \#(expected)}"#, "\(moto.redact(answer.text))")
        }
        let other = try runtime.invoke(#"{"id": "caf\u00e9 \"quoted\""}"#)
        #expect(other.text == #"{"id": "café \"quoted\"", "count": 1}"#, "\(moto.redact(other.text))")
        #expect(try moto.number(table: table, id: "home", attribute: "count") == 3)
        #expect(try moto.number(table: table, id: "café \"quoted\"", attribute: "count") == 1)
        #expect(!Self.leaks(runtime.host.stderr, moto))
    }

    @Test func notesWritesAndReadsS3AndReadsDynamoDBWithTheHostsSignature() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("notes"), bucket = MotoServer.uniqueName("notes")
        try moto.createTable(table)
        try moto.createBucket(bucket)
        try moto.expectOK(
            moto.dynamoDB("PutItem", #"{"TableName":"\#(table)","Item":{"id":{"S":"n1"},"title":{"S":"First note"}}}"#), "PutItem")
        var settings = moto.environment(moto.sessionCredentials)
        settings["NOTES_BUCKET"] = bucket
        settings["NOTES_TABLE"] = table
        let runtime = try OutboundHTTPTests.Runtime("libNotes.so", environment: settings)
        let answer = try runtime.invoke(#"{"id": "n1", "text": "hello, moto"}"#)
        let note = try #require(jsonObject(answer), "\(moto.redact(answer.text))")
        #expect(note["id"] as? String == "n1" && note["text"] as? String == "hello, moto", "\(moto.redact(answer.text))")
        #expect(note["title"] as? String == "First note")
        #expect(try moto.object(bucket: bucket, key: "notes/n1.txt") == Array("hello, moto".utf8))
        // No item: the title is null. (A key that needs percent-encoding is checked against
        // nginx in AWSSwiftSDKTests: moto 5.2.1 verifies S3 signatures over the decoded
        // path, so it refuses boto3's own requests for such keys too.)
        let second = try runtime.invoke(#"{"id": "n-2_x.y", "text": "second"}"#)
        let other = try #require(jsonObject(second))
        #expect(other["title"] is NSNull && other["text"] as? String == "second", "\(moto.redact(second.text))")
        #expect(try moto.object(bucket: bucket, key: "notes/n-2_x.y.txt") == Array("second".utf8))
        // A bucket that does not exist: S3's code is the handler's error type.
        settings["NOTES_BUCKET"] = MotoServer.uniqueName("absent")
        let missing = try OutboundHTTPTests.Runtime("libNotes.so", environment: settings).invoke(#"{"id": "n1", "text": "x"}"#)
        #expect((jsonObject(missing)?["errorType"] as? String) == "NoSuchBucket", "\(moto.redact(missing.text))")
        #expect(!Self.leaks(runtime.host.stderr + answer.text, moto))
    }

    @Test func sessionCredentialsSignWithTheirToken() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        let runtime = try Self.visits(moto, table: table, credentials: moto.sessionCredentials)
        let answer = try runtime.invoke(#"{"id": "home"}"#)
        #expect(answer.text == #"{"id": "home", "count": 1}"#, "\(moto.redact(answer.text))")
        // Without the token the same key is refused: the token was sent and signed.
        var tokenless = moto.sessionCredentials
        tokenless.sessionToken = nil
        let refused = try Self.visits(moto, table: table, credentials: tokenless).invoke(#"{"id": "home"}"#)
        #expect(refused.path.hasSuffix("/error") && refused.text.contains("InvalidClientTokenId"), "\(moto.redact(refused.text))")
        #expect(!Self.leaks(runtime.host.stderr + refused.text, moto))
    }

    @Test func aWrongSecretIsMotosRefusalAsAHandlerErrorThatNamesIt() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        let wrong = "Wr0ngSecretWr0ngSecretWr0ngSecretWr0ngSe"
        let runtime = try Self.visits(
            moto, table: table, credentials: AWSCredentials(accessKeyId: moto.credentials.accessKeyId, secretAccessKey: wrong))
        let answer = try runtime.invoke(#"{"id": "home"}"#)
        #expect(answer.path.hasSuffix("/error"))
        let error = try #require(jsonObject(answer))
        #expect(error["errorType"] as? String == "SignatureDoesNotMatch", "\(moto.redact(answer.text))")
        #expect((error["errorMessage"] as? String)?.isEmpty == false)
        #expect(try moto.number(table: table, id: "home", attribute: "count") == nil)
        #expect(!Self.leaks(runtime.host.stderr + answer.text, moto, [wrong]))
    }

    @Test func noCredentialsIsANotSentErrorNamingTheVariables() throws {
        let moto = try MotoServer.shared()
        var settings = moto.environment()
        settings["AWS_ACCESS_KEY_ID"] = ""
        settings["AWS_SECRET_ACCESS_KEY"] = ""
        settings["VISITS_TABLE"] = "any"
        let runtime = try OutboundHTTPTests.Runtime("libVisits.so", environment: settings)
        let answer = try runtime.invoke(#"{"id": "home"}"#)
        let error = try #require(jsonObject(answer))
        #expect(error["errorType"] as? String == "Visits.NotSent")
        let message = error["errorMessage"] as? String ?? ""
        #expect(message.contains("no AWS credentials") && message.contains("AWS_ACCESS_KEY_ID") && message.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "\(message)")
    }

    @Test func containerCredentialsAreFetchedWithTheTokenAndRefreshedBeforeTheyExpire() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        // Temporary credentials, as Lambda's endpoint serves: STS's key, secret and token.
        let key = moto.sessionCredentials
        func served(expiresIn seconds: TimeInterval) -> CredentialsServer.Answer {
            .credentials(.init(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, token: key.sessionToken ?? "",
                               expiration: Date().addingTimeInterval(seconds)))
        }
        // The first answer expires within the host's 5-minute margin: the next call fetches again.
        let endpoint = try CredentialsServer(token: "auth-token-value", answers: [served(expiresIn: 240), served(expiresIn: 3600)])
        var environment = endpoint.environment
        environment["AWS_ACCESS_KEY_ID"] = ""
        environment["AWS_SECRET_ACCESS_KEY"] = ""
        let runtime = try Self.visits(moto, table: table, credentials: AWSCredentials(accessKeyId: "", secretAccessKey: ""), environment: environment)
        for expected in 1...3 {
            let answer = try runtime.invoke(#"{"id": "home"}"#)
            #expect(answer.text == #"{"id": "home", "count": \#(expected)}"#, "\(moto.redact(answer.text))")
        }
        // Fetched for the first call, again for the second (the first expired within 5
        // minutes), then kept.
        #expect(endpoint.authorisedCount == 2)
        #expect(endpoint.requests.allSatisfy { $0.authorization == "auth-token-value" })
        #expect(!Self.leaks(runtime.host.stderr, moto, ["auth-token-value"]))

        // The wrong token: the endpoint's 403 is a not-sent error that says what to check.
        var wrongToken = endpoint.environment
        wrongToken["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "not-the-token"
        wrongToken["AWS_ACCESS_KEY_ID"] = ""
        wrongToken["AWS_SECRET_ACCESS_KEY"] = ""
        let refused = try Self.visits(moto, table: table, credentials: AWSCredentials(accessKeyId: "", secretAccessKey: ""), environment: wrongToken)
            .invoke(#"{"id": "home"}"#)
        let error = try #require(jsonObject(refused))
        #expect(error["errorType"] as? String == "Visits.NotSent")
        #expect((error["errorMessage"] as? String)?.contains("answered 403") == true, "\(refused.text)")
        #expect(!refused.text.contains("not-the-token"))
    }

    @Test func aSampledInvocationsAWSCallIsAnAWSSubsegment() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits")
        try moto.createTable(table)
        let daemon = try #require(UDPListener())
        let runtime = try Self.visits(moto, table: table, environment: ["AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:\(daemon.port)"])
        let answer = try runtime.invoke(#"{"id": "home"}"#, headers: OutboundXRayTests.trace(sampled: true))
        #expect(answer.text == #"{"id": "home", "count": 1}"#, "\(moto.redact(answer.text))")
        let document = try OutboundXRayTests.document(try #require(daemon.receive(withinMs: 10_000), "no subsegment arrived"))
        #expect(document["name"] as? String == "DynamoDB")
        #expect(document["namespace"] as? String == "aws")
        #expect(document["trace_id"] as? String == OutboundXRayTests.root)
        let aws = try #require(document["aws"] as? [String: Any])
        #expect(aws["operation"] as? String == "UpdateItem")
        #expect(aws["region"] as? String == moto.region)
        #expect((aws["request_id"] as? String)?.isEmpty == false)
        let http = try #require(document["http"] as? [String: Any])
        #expect((http["response"] as? [String: Any])?["status"] as? Int == 200)
        #expect(!Self.leaks(String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self), moto))
    }

    @Test func theExamplesRunUnderTheNeutralSimulatorAndThroughInvoke() throws {
        let moto = try MotoServer.shared()
        let table = MotoServer.uniqueName("visits"), bucket = MotoServer.uniqueName("notes")
        try moto.createTable(table)
        try moto.createBucket(bucket)
        var environment = moto.environment()
        environment["VISITS_TABLE"] = table
        environment["NOTES_TABLE"] = table
        environment["NOTES_BUCKET"] = bucket
        environment["LAMBDA_TASK_ROOT"] = BuildProducts.folder.path
        let sim = try NeutralSimulator.path.get()
        var outputs = ""
        let events = try TemporaryFolder()
        defer { withExtendedLifetime(events) {} }
        for (plugin, event) in [("Visits", #"{"id": "home"}"#), ("Notes", #"{"id": "home", "text": "from the simulator"}"#)] {
            let file = events.path + "/\(plugin).json"
            try event.write(toFile: file, atomically: true, encoding: .utf8)
            environment["_HANDLER"] = "lib\(plugin).so"
            let run = try runCommand(sim, ["--count", "20", "--event-file", file, "--", BuildProducts.host], environment: environment)
            #expect(run.stdout.contains("invocations=20") && run.stdout.contains("status=ok"), "\(plugin): \(moto.redact(run.stdout + run.stderr.suffix(2000)))")
            outputs += run.stdout + run.stderr
        }
        #expect(try moto.number(table: table, id: "home", attribute: "count") == 20)
        #expect(try moto.object(bucket: bucket, key: "notes/home.txt") == Array("from the simulator".utf8))

        for (plugin, event, expected) in [
            ("Visits", #"{"id": "home"}"#, #"{"id": "home", "count": 21}"#),
            ("Notes", #"{"id": "home", "text": "through invoke"}"#, #""text":"through invoke""#),
        ] {
            let invoked = try runCommand(
                // The shell's moto endpoint, credentials and tables, as a developer's shell holds them.
                "/usr/bin/timeout", ["60", BuildProducts.host, "invoke", "--handler", BuildProducts.plugin(plugin), "--event", event, "--inherit-env"],
                environment: environment)
            #expect(invoked.stdout.contains(expected), "\(plugin): \(moto.redact(invoked.stdout + invoked.stderr))")
            outputs += invoked.stdout + invoked.stderr
        }
        #expect(!Self.leaks(outputs, moto))
    }
}
