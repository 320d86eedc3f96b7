import Foundation
import Testing

/// The Swift SDK's AWS helpers (`S3Client`, `AWSJSONClient`) through the real host, with
/// the Notes example: nginx stands in for S3 and DynamoDB (`AWS_ENDPOINT_URL_S3`,
/// `AWS_ENDPOINT_URL_DYNAMODB` point at its locations), echoes what the host signed and
/// sent, and answers with AWS's error documents. Against a real AWS API (moto) the
/// project's end-to-end tests run Notes too.
@Suite(.serialized) struct AWSSwiftSDKTests {
    /// AWS's documented example secret: a test value, never printed by an expectation.
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    /// Notes with credentials and region set and each service pointed at an nginx location.
    private func notes(_ nginx: NginxServer, s3: String = "/echo", dynamodb: String = "/aws/dynamodb", credentials: Bool = true)
        throws -> OutboundHTTPTests.Runtime
    {
        var environment = [
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": nginx.url(s3), "AWS_ENDPOINT_URL_DYNAMODB": nginx.url(dynamodb),
            "NOTES_BUCKET": "notes-bucket", "NOTES_TABLE": "notes",
        ]
        if credentials {
            environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
            environment["AWS_SECRET_ACCESS_KEY"] = Self.secret
        }
        return try OutboundHTTPTests.Runtime("libNotes.so", environment: environment)
    }

    /// Invokes once; stops the test, without printing either, when the answer or the host's
    /// log holds the secret, so that no later failure message can show it.
    private func invoke(_ runtime: OutboundHTTPTests.Runtime, _ event: String) throws -> TestRuntimeAPI.Request {
        let answer = try runtime.invoke(event)
        try #require(!answer.text.contains(Self.secret) && !runtime.host.stderr.contains(Self.secret), "the secret was printed")
        return answer
    }

    /// `Name: value` lines of an echoed request head, by lower-cased name.
    private func headers(_ head: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The credential scope's date, when `authorization` is a SigV4 header for `service`
    /// signed with the test key over at least `signed`.
    private func signatureDate(_ authorization: String?, service: String, signed: [String]) throws -> String? {
        let pattern = try Regex(
            #"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/(\d{8})/us-east-1/"# + service
                + #"/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}"#)
        guard let authorization, let match = try pattern.wholeMatch(in: authorization),
            let date = match.output[1].substring, let list = match.output[2].substring
        else { return nil }
        let names = list.split(separator: ";").map(String.init)
        return signed.allSatisfy(names.contains) ? String(date) : nil
    }

    @Test func notesSignsItsS3AndDynamoDBCallsAndAnswersWithWhatCameBack() throws {
        let nginx = try NginxServer()
        let runtime = try notes(nginx)
        let answer = try invoke(runtime, #"{"id": "n 1+é", "text": "hello"}"#)
        #expect(answer.path.hasSuffix("/response"), "\(answer.text)")
        let fields = try #require(jsonObject(answer), "\(answer.text)")
        #expect(fields["id"] as? String == "n 1+é")

        // The object "read back" is nginx's echo of the GetObject request: the key
        // percent-encoded as S3 signs it, under the endpoint's base path, signed for s3.
        let key = "/echo/notes-bucket/notes/n%201%2B%C3%A9.txt"
        let head = try #require(fields["text"] as? String)
        #expect(head.hasPrefix("GET \(key) HTTP/1.1\r\n"), "\(head)")
        let sent = headers(head)
        let date = try signatureDate(sent["authorization"], service: "s3", signed: ["host", "x-amz-content-sha256", "x-amz-date"])
        #expect(date != nil, "\(sent["authorization"] ?? "no Authorization")")
        #expect(sent["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sent["x-amz-date"].map { $0.count == 16 && $0.hasPrefix(date ?? "-") && $0.hasSuffix("Z") } == true)

        // The title is the DynamoDB stand-in's echo of the GetItem request's headers.
        let title = try #require(fields["title"] as? String, "\(answer.text)")
        var echoed: [String: String] = [:]
        for part in title.split(separator: "|") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { echoed[pair[0]] = pair[1] }
        }
        #expect(echoed["target"] == "DynamoDB_20120810.GetItem")
        #expect(echoed["type"] == "application/x-amz-json-1.0")
        let dynamoDate = try signatureDate(
            echoed["authorization"], service: "dynamodb", signed: ["content-type", "host", "x-amz-date", "x-amz-target"])
        #expect(dynamoDate != nil, "\(echoed["authorization"] ?? "no Authorization")")
        #expect(echoed["date"]?.hasPrefix(dynamoDate ?? "-") == true)

        // Three requests, in order: the put, the get, the GetItem.
        let logged = nginx.requests().map { "\($0.method) \($0.path) \($0.status)" }
        #expect(logged == ["PUT \(key) 200", "GET \(key) 200", "POST /aws/dynamodb/ 200"])
    }

    @Test(arguments: [
        (
            "/echo", "/aws/dynamodb-error", "ResourceNotFoundException", "Requested resource not found",
            ["PUT /echo/notes-bucket/notes/n1.txt 200", "GET /echo/notes-bucket/notes/n1.txt 200", "POST /aws/dynamodb-error/ 400"]
        ),
        // A refused put ends the invocation: nothing is read, DynamoDB is not called.
        (
            "/aws/s3-error", "/aws/dynamodb", "NoSuchBucket", "The specified bucket does not exist & never did",
            ["PUT /aws/s3-error/notes-bucket/notes/n1.txt 404"]
        ),
    ])
    func anAWSRefusalIsTheHandlersErrorWithAWSsCodeAndMessage(
        s3: String, dynamodb: String, type: String, message: String, requests: [String]
    ) throws {
        let nginx = try NginxServer()
        let runtime = try notes(nginx, s3: s3, dynamodb: dynamodb)
        let answer = try invoke(runtime, #"{"id": "n1", "text": "hello"}"#)
        #expect(answer.path.hasSuffix("/error"), "\(answer.text)")
        let fields = try #require(jsonObject(answer), "\(answer.text)")
        #expect(fields["errorType"] as? String == type)
        #expect(fields["errorMessage"] as? String == message)
        #expect(nginx.requests().map { "\($0.method) \($0.path) \($0.status)" } == requests)
    }

    @Test func withoutCredentialsNothingIsSentAndTheErrorSaysWhy() throws {
        let nginx = try NginxServer()
        let runtime = try notes(nginx, credentials: false)
        let answer = try invoke(runtime, #"{"id": "n1", "text": "hello"}"#)
        let fields = try #require(jsonObject(answer), "\(answer.text)")
        #expect(fields["errorType"] as? String == "Outbound.NotSent")
        #expect((fields["errorMessage"] as? String)?.contains("no AWS credentials") == true, "\(answer.text)")
        #expect(nginx.requests().isEmpty)
    }

    @Test(arguments: [#"{"id": 1, "text": "x"}"#, #"{"id": "", "text": "x"}"#, #"{"id": "n1"}"#, "[]", "not json"])
    func anEventOfAnotherShapeIsInvalidEventSayingTheShape(event: String) throws {
        let nginx = try NginxServer()
        let runtime = try notes(nginx)
        let answer = try invoke(runtime, event)
        let fields = try #require(jsonObject(answer), "\(answer.text)")
        #expect(fields["errorType"] as? String == "InvalidEvent")
        #expect((fields["errorMessage"] as? String)?.contains(#"{"id": "<note id>", "text": "<note text>"}"#) == true, "\(answer.text)")
        #expect(nginx.requests().isEmpty)
    }
}
