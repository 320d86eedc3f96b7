import Foundation
import LambdaJSON
import Testing

/// The SDK's Codable coders (LambdaJSON) against FoundationEssentials' on realistic AWS
/// events (Tests/Fixtures/events, written from AWS's documented shapes): both decode each
/// event into the same value, typed and untyped, and encode it into the same bytes with
/// sorted keys (FoundationEssentials' unsorted order changes from run to run); LambdaJSON's
/// default output reads back as the same value through FoundationEssentials.
@Suite struct JSONDifferentialTests {
    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("events/\(name).json"))))
    }

    /// The whole comparison for one event as `T`.
    func check<T: Codable & Equatable>(_ type: T.Type, _ name: String) throws {
        let bytes = try fixture(name)
        let ours = try CoderPair.ours(T.self, bytes).get()
        let theirs = try CoderPair.foundation(T.self, bytes).get()
        #expect(ours == theirs, "\(name): the decoded values differ")

        let untyped = try CoderPair.ours(AnyJSON.self, bytes).get()
        #expect(untyped == (try CoderPair.foundation(AnyJSON.self, bytes).get()), "\(name): the untyped values differ")

        for formatting: LambdaJSONEncoder.OutputFormatting in [
            [.sortedKeys], [.sortedKeys, .prettyPrinted], [.sortedKeys, .withoutEscapingSlashes],
        ] {
            let typed = CoderPair.encode(ours, formatting)
            #expect(CoderPair.agree(typed.ours, typed.foundation), "\(name) \(formatting): \(CoderPair.text(typed.ours)) | \(CoderPair.text(typed.foundation))")
            let any = CoderPair.encode(untyped, formatting)
            #expect(CoderPair.agree(any.ours, any.foundation), "\(name) \(formatting): \(CoderPair.text(any.ours)) | \(CoderPair.text(any.foundation))")
        }

        let written = try LambdaJSONEncoder().encode(ours)
        #expect(try CoderPair.foundation(T.self, written).get() == ours, "\(name): the default output reads back differently")
        #expect(try CoderPair.ours(T.self, written).get() == ours)
    }

    @Test func apiGatewayRESTEvent() throws { try check(APIGatewayRESTEvent.self, "apigateway-rest") }
    @Test func apiGatewayHTTPEvent() throws { try check(APIGatewayHTTPEvent.self, "apigateway-http") }
    @Test func functionURLEvent() throws { try check(APIGatewayHTTPEvent.self, "function-url") }
    @Test func sqsEvent() throws { try check(SQSEvent.self, "sqs") }
    @Test func snsEvent() throws { try check(SNSEvent.self, "sns") }
    @Test func s3Event() throws { try check(S3Event.self, "s3") }
    @Test func dynamoDBStreamEvent() throws { try check(DynamoDBStreamEvent.self, "dynamodb-stream") }
    @Test func eventBridgeEvent() throws { try check(EventBridgeEvent.self, "eventbridge") }
    @Test func kinesisEvent() throws { try check(KinesisEvent.self, "kinesis") }

    /// The event decodes into what its JSON says, not just into what both coders agree on.
    @Test func theDecodedEventsHoldWhatTheJSONSays() throws {
        let dynamo = try LambdaJSONDecoder().decode(DynamoDBStreamEvent.self, from: try fixture("dynamodb-stream"))
        let image = try #require(dynamo.Records.first?.dynamodb.NewImage)
        #expect(image["name"] == .string("Zoë \"Z\" O'Neil"))
        #expect(image["tags"] == .strings(["vip", "beta", "日本"]))
        #expect(image["history"] == .list([.string("created"), .map(["at": .number("1705055700"), "by": .string("admin")]), .bool(false)]))
        #expect(dynamo.Records[1].dynamodb.ApproximateCreationDateTime == 1_705_055_760.5)
        let kinesis = try LambdaJSONDecoder().decode(KinesisEvent.self, from: try fixture("kinesis"))
        #expect(String(decoding: kinesis.Records[0].kinesis.data, as: UTF8.self) == #"{"temp": 21.5, "humidity": 44}"#)
        #expect(kinesis.Records[1].kinesis.data.isEmpty)
        let bus = try LambdaJSONDecoder().decode(EventBridgeEvent.self, from: try fixture("eventbridge"))
        guard case .object(let detail) = bus.detail, case .array(let quantities)? = detail["quantities"] else {
            Issue.record("detail: \(bus.detail)")
            return
        }
        #expect(quantities == [.int(1), .int(2), .int(3), .int(9_007_199_254_740_991), .int(.min)])
        #expect(detail["note"] == .string("Merci — à bientôt! 🎁 Line1\nLine2\r\n\u{07}bell \u{1F} unit"))
    }

    /// What a function answers: the same bytes from both.
    @Test func responsesEncodeAlike() throws {
        let responses: [any Encodable] = [
            APIGatewayResponse(
                statusCode: 201, headers: ["Content-Type": "application/json", "Location": "/orders/o-1"],
                multiValueHeaders: nil, cookies: ["a=b; Path=/; Secure"], body: #"{"ok":true,"path":"/a/b"}"#, isBase64Encoded: false),
            APIGatewayResponse(statusCode: 204, headers: nil, multiValueHeaders: nil, cookies: nil, body: nil, isBase64Encoded: nil),
            SQSBatchResponse(batchItemFailures: [.init(itemIdentifier: "5f1d3c2b"), .init(itemIdentifier: "a0b1")]),
        ]
        for response in responses {
            for formatting: LambdaJSONEncoder.OutputFormatting in [[.sortedKeys], [.sortedKeys, .withoutEscapingSlashes]] {
                let encoded = CoderPair.encode(response, formatting)
                #expect(CoderPair.agree(encoded.ours, encoded.foundation), "\(CoderPair.text(encoded.ours)) | \(CoderPair.text(encoded.foundation))")
            }
        }
        // Without sorting, members come in declaration order (nil members left out).
        let plain = try LambdaJSONEncoder().encode(APIGatewayResponse(statusCode: 200, headers: ["A": "b"], body: "hi"))
        #expect(String(decoding: plain, as: UTF8.self) == #"{"statusCode":200,"headers":{"A":"b"},"body":"hi"}"#)
    }
}
