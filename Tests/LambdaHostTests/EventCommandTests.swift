import Foundation
import Testing

/// `lambda-host event`: every sample is JSON of the shape AWS documents for its source
/// (decoded with the shapes the JSON tests use), the list names them all, and a sample
/// pipes into `invoke --event-file -`.
@Suite struct EventCommandTests {
    /// Each kind, and the event shape its sample must decode as.
    nonisolated(unsafe) static let kinds: [(String, any Decodable.Type)] = [
        ("apigateway-v1", APIGatewayRESTEvent.self), ("apigateway-v2", APIGatewayHTTPEvent.self),
        ("function-url", APIGatewayHTTPEvent.self), ("sqs", SQSEvent.self), ("sns", SNSEvent.self), ("s3", S3Event.self),
        ("dynamodb-stream", DynamoDBStreamEvent.self), ("eventbridge", EventBridgeEvent.self), ("kinesis", KinesisEvent.self),
    ]

    static func sample(_ kind: String) throws -> Data {
        let outcome = try runCommand(BuildProducts.host, ["event", kind])
        #expect(outcome.status == 0, "\(kind): \(outcome.stderr)")
        return Data(outcome.stdout.utf8)
    }

    @Test(arguments: kinds.map(\.0))
    func everySampleHasItsSourcesDocumentedShape(kind: String) throws {
        let data = try Self.sample(kind)
        let shape = try #require(Self.kinds.first { $0.0 == kind }?.1)
        _ = try JSONDecoder().decode(shape, from: data)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let record = (object["Records"] as? [[String: Any]])?.first
        switch kind {
        case "sqs":
            #expect(record?["eventSource"] as? String == "aws:sqs")
            #expect(record?["body"] is String)
        case "sns":
            #expect(record?["EventSource"] as? String == "aws:sns")
        case "s3":
            #expect(record?["eventSource"] as? String == "aws:s3")
            #expect((record?["eventName"] as? String)?.hasPrefix("ObjectCreated:") == true)
        case "dynamodb-stream":
            #expect(record?["eventSource"] as? String == "aws:dynamodb")
        case "kinesis":
            #expect(record?["eventSource"] as? String == "aws:kinesis")
            let payload = try #require((record?["kinesis"] as? [String: Any])?["data"] as? String)
            let decoded = try #require(Data(base64Encoded: payload))
            #expect(try JSONSerialization.jsonObject(with: decoded) is [String: Any])
        case "eventbridge":
            #expect(object["detail-type"] is String && object["detail"] is [String: Any])
        case "apigateway-v1":
            #expect(object["httpMethod"] as? String == "POST" && object["resource"] is String)
        case "apigateway-v2":
            #expect(object["version"] as? String == "2.0" && object["routeKey"] as? String != "$default")
        case "function-url":
            #expect(object["routeKey"] as? String == "$default")
            #expect(object["isBase64Encoded"] as? Bool == true)
            let body = try #require(Data(base64Encoded: object["body"] as? String ?? ""))
            #expect(try JSONSerialization.jsonObject(with: body) is [String: Any])
        default:
            Issue.record("no check for \(kind)")
        }
    }

    @Test func theListNamesEveryKindOneALine() throws {
        let outcome = try runCommand(BuildProducts.host, ["event", "--list"])
        #expect(outcome.status == 0)
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.map { String($0.prefix { $0 != " " }) } == Self.kinds.map(\.0))
        #expect(lines.allSatisfy { $0.split(separator: " ", omittingEmptySubsequences: true).count > 2 })
    }

    @Test(arguments: [["sqs-fifo"], []])
    func anUnknownOrMissingKindNamesTheKinds(arguments: [String]) throws {
        let outcome = try runCommand(BuildProducts.host, ["event"] + arguments)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        for (kind, _) in Self.kinds { #expect(outcome.stderr.contains(kind), "\(kind): \(outcome.stderr)") }
    }

    @Test func aSamplePipesIntoInvoke() throws {
        let host = BuildProducts.host
        let outcome = try runCommand(
            "/bin/sh", ["-c", #""$0" event sqs | "$0" invoke --handler libEcho.so --task-root "$1" --event-file -"#, host, BuildProducts.folder.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let echoed = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? NSDictionary
        let sample = try JSONSerialization.jsonObject(with: try Self.sample("sqs")) as? NSDictionary
        #expect(echoed != nil && echoed == sample)
    }
}
