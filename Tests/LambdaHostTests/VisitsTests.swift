import Foundation
import Testing

/// The Visits example (`Plugins/Visits/visits.c`) in the real `lambda-host`, with a test
/// server standing in for DynamoDB (`AWS_ENDPOINT_URL_DYNAMODB` names it): the UpdateItem
/// request Visits makes, signed by the host, and what Visits answers for DynamoDB's
/// answer, AWS's error documents, bad events and a missing table. No moto needed (the
/// end-to-end tests against moto with signature checks are elsewhere).
@Suite struct VisitsTests {
    static let keyID = "AKIDVISITSTEST000001"
    static let secret = "visits-secret-that-must-never-be-printed"
    static let token = "visits-session-token-that-must-never-be-printed"

    /// A host running libVisits.so whose DynamoDB is `api` itself, answering `reply`.
    struct Function {
        let api: TestRuntimeAPI
        let host: HostProcess
        private var next = 0

        init(
            environment: [String: String] = [:],
            reply: @escaping @Sendable (TestRuntimeAPI.Request) -> (status: Int, body: String) = { _ in
                (200, #"{"Attributes":{"count":{"N":"42"}}}"#)
            }
        ) throws {
            api = try TestRuntimeAPI()
            api.otherRequests = reply
            var settings = [
                "VISITS_TABLE": "Visits", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": VisitsTests.keyID,
                "AWS_SECRET_ACCESS_KEY": VisitsTests.secret, "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:\(api.port)",
            ]
            settings.merge(environment) { $1 }
            host = try HostProcess(handler: "libVisits.so", api: api, environment: settings.filter { !$0.value.isEmpty })
        }

        /// Invokes once with `event`; returns the answer (a response or an error).
        mutating func invoke(_ event: String) throws -> TestRuntimeAPI.Request {
            next += 1
            let id = "visits-\(next)"
            api.enqueue(id, event)
            return try #require(api.answer(to: id, timeout: 30), "no answer to \(id); stderr: \(host.stderr)")
        }

        /// The requests that reached "DynamoDB".
        var calls: [TestRuntimeAPI.Request] { api.received.filter { !$0.path.hasPrefix("/20") } }
    }

    /// An error answer's type and message.
    func failure(_ answer: TestRuntimeAPI.Request) throws -> (type: String, message: String) {
        #expect(answer.path.hasSuffix("/error"), "\(answer.path): \(answer.text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        return (object["errorType"] as? String ?? "", object["errorMessage"] as? String ?? "")
    }

    @Test func anUpdateItemIsSignedForDynamoDBAndTheIDIsEscapedBothWays() throws {
        var function = try Function(environment: ["AWS_SESSION_TOKEN": Self.token])
        // Quote, backslash, newline, \u escapes (a surrogate pair among them), a control
        // character and raw UTF-8.
        let event = #"{"other": {"id": 1}, "id": "a\"b\\c\nd\u00e9\ud83d\ude00\u0001 é"}"#
        let id = "a\"b\\c\nd\u{e9}😀\u{1} é"
        let answer = try function.invoke(event)
        #expect(answer.path.hasSuffix("/response"), "\(answer.text)")
        #expect(answer.text == #"{"id": "a\"b\\c\nd"# + "é😀" + #"\u0001 é", "count": 42}"#)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(decoded["id"] as? String == id && decoded["count"] as? Int == 42)

        let call = try #require(function.calls.first, "no request reached DynamoDB; stderr: \(function.host.stderr)")
        #expect(function.calls.count == 1)
        #expect(call.method == "POST" && call.path == "/")
        #expect(call.headers["x-amz-target"] == "DynamoDB_20120810.UpdateItem")
        #expect(call.headers["content-type"] == "application/x-amz-json-1.0")
        #expect(call.headers["x-amz-security-token"] == Self.token)
        let date = try #require(call.headers["x-amz-date"])
        #expect(date.count == 16 && date.dropFirst(8).hasPrefix("T") && date.hasSuffix("Z"), "\(date)")
        let authorization = try #require(call.headers["authorization"])
        let scope = "AWS4-HMAC-SHA256 Credential=\(Self.keyID)/\(date.prefix(8))/us-east-1/dynamodb/aws4_request, "
        #expect(authorization.hasPrefix(scope), "\(authorization)")
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"))
        let signature = try #require(authorization.components(separatedBy: "Signature=").last)
        #expect(signature.count == 64 && signature.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(signature)")

        let body = try #require(try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any])
        #expect(body["TableName"] as? String == "Visits")
        #expect(((body["Key"] as? [String: Any])?["id"] as? [String: String])?["S"] == id)
        #expect(body["UpdateExpression"] as? String == "ADD #c :one")
        #expect(body["ExpressionAttributeNames"] as? [String: String] == ["#c": "count"])
        #expect((body["ExpressionAttributeValues"] as? [String: [String: String]])?[":one"] == ["N": "1"])
        #expect(body["ReturnValues"] as? String == "UPDATED_NEW")
        // The id as Visits wrote it: escaped where JSON requires, UTF-8 as it is.
        #expect(call.text.contains(#""S":"a\"b\\c\nd"# + "é😀" + #"\u0001 é""#), "\(call.text)")

        // Nothing secret reached the log.
        for secret in [Self.secret, Self.token] { #expect(!function.host.stderr.contains(secret)) }
    }

    @Test func awsErrorDocumentsBecomeTheHandlersErrorWithAWSsCodeAndMessage() throws {
        let documents: [(status: Int, body: String, type: String, message: String)] = [
            (400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
             "ResourceNotFoundException", "Requested resource not found"),
            (400, #"{"__type":"com.amazon.coral.service#UnrecognizedClientException","Message":"The security token included in the request is invalid."}"#,
             "UnrecognizedClientException", "The security token included in the request is invalid."),
            // moto refuses a signature with the query protocol's XML, whatever the service.
            (403, #"<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error></Errors></ErrorResponse>"#,
             "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."),
            (502, "<html>Bad Gateway</html>", "Visits.UnexpectedResponse", "DynamoDB answered HTTP 502 without an AWS error document: <html>Bad Gateway</html>"),
            (200, #"{"Attributes":{}}"#, "Visits.UnexpectedResponse", #"DynamoDB answered 200 without a number in Attributes.count.N: {"Attributes":{}}"#),
        ]
        for document in documents {
            var function = try Function { _ in (document.status, document.body) }
            let (type, message) = try failure(try function.invoke(#"{"id": "home"}"#))
            #expect(type == document.type && message == document.message, "\(document.body)")
        }
    }

    @Test func eventsWithoutAUsableIDAreRefusedWithTheShapeAndNothingIsSent() throws {
        var function = try Function()
        let events: [(String, String)] = [
            (#"{"id": 5}"#, #"its "id" is not a string"#),
            (#"{"name": "home"}"#, #"the event has no "id""#),
            (#""home""#, "the event is not a JSON object"),
            (#"{"id": ""}"#, #"its "id" is empty"#),
            (#"{"id": "\ud800"}"#, #"its "id" is not a well-formed JSON string"#),
            (#"{"id": ""# + String(repeating: "x", count: 5 << 20) + #""}"#, #"its "id" is longer than 1024 bytes"#),
        ]
        for (event, reason) in events {
            let (type, message) = try failure(try function.invoke(event))
            #expect(type == "InvalidEvent")
            #expect(message == reason + #"; the event must be {"id": "home"}: a JSON object whose "id" is a string of 1 to 1024 bytes"#)
        }
        // The longest id taken still fits every buffer, escaped six times over.
        let longest = try function.invoke(#"{"id": ""# + String(repeating: #"\u0001"#, count: 1024) + #""}"#)
        #expect(longest.text == #"{"id": ""# + String(repeating: #"\u0001"#, count: 1024) + #"", "count": 42}"#)
        #expect(function.calls.count == 1)
    }

    @Test func aMissingTableFailsINITAndNamesTheVariable() throws {
        let function = try Function(environment: ["VISITS_TABLE": ""])
        let failure = try #require(function.api.initError(), "stderr: \(function.host.stderr)")
        #expect(failure.headers["lambda-runtime-function-error-type"] == "Visits.Configuration")
        #expect(failure.text.contains("VISITS_TABLE is not set: set it to the name of the DynamoDB table"), "\(failure.text)")
    }

    @Test func whatStopsTheCallBeforeDynamoDBIsNotSentWithTheHostsReason() throws {
        var noCredentials = try Function(environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        let (type, message) = try failure(try noCredentials.invoke(#"{"id": "home"}"#))
        #expect(type == "Visits.NotSent")
        #expect(message.contains("no AWS credentials to sign with") && message.contains("AWS_ACCESS_KEY_ID"), "\(message)")
        #expect(noCredentials.calls.isEmpty)

        // The allow-list applies to AWS endpoints as to any other.
        var fenced = try Function(environment: ["LAMBDA_HOST_ALLOWED_ORIGINS": "https://dynamodb.us-east-1.amazonaws.com"])
        let refused = try failure(try fenced.invoke(#"{"id": "home"}"#))
        #expect(refused.type == "Visits.NotSent")
        #expect(refused.message.contains("is not allowed by LAMBDA_HOST_ALLOWED_ORIGINS"), "\(refused.message)")
        #expect(fenced.calls.isEmpty)

        let closed = try #require(RawListener(backlog: nil))
        var unreachable = try Function(environment: ["AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:\(closed.port)"])
        #expect(try failure(try unreachable.invoke(#"{"id": "home"}"#)).type == "Visits.NotSent")
    }

    @Test func itPackagesIntoAFunctionZipUnder8KB() throws {
        let folder = try TemporaryFolder()
        let zip = folder.path + "/visits.zip"
        let run = try runCommand(BuildProducts.host, ["package", "function", "--plugin", BuildProducts.plugin("Visits"), "--output", zip])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("Handler: libVisits.so"), "\(run.stdout)")
        // This build's, unoptimised; the release build's zip is smaller still.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: zip)[.size] as? Int)
        #expect(size < 8 * 1024, "visits.zip is \(size) bytes")
    }

    @Test func onAHostBeforeABI13VisitsSaysTheLayerIsTooOld() throws {
        let folder = try TemporaryFolder()
        let host = folder.path + "/host_1_1"
        let build = try runCommand(
            "/usr/bin/env",
            ["cc", "-O1", "-I", BuildProducts.fixture("abi-1.1"), "-o", host, BuildProducts.fixture("abi-1.1/host_1_1.c"), "-ldl"])
        try #require(build.status == 0, "\(build.stderr)")
        let run = try runCommand(host, [BuildProducts.plugin("Visits"), "handler", #"{"id": "home"}"#], environment: ["VISITS_TABLE": "Visits"])
        #expect(run.stdout.contains("fail: Visits.Unsupported: this lambda-host layer predates AWS calls (ABI 1.3)"), "\(run.stdout)")
    }
}
