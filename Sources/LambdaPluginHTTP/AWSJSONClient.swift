import LambdaPlugin

/// Calls the operations of an AWS service that speaks the JSON protocol (DynamoDB, SQS,
/// Kinesis, CloudWatch Logs, ...) with Codable values, signed by the host (ABI 1.3).
///
/// ```swift
/// let dynamodb = AWSJSONClient.dynamoDB(context.http)
/// let found = try dynamodb.call("GetItem", GetItem(TableName: "notes", Key: key), as: GetItemOutput.self)
/// ```
///
/// Each call is one signed POST to the service's endpoint with `X-Amz-Target:
/// <targetPrefix>.<operation>` and the input encoded as JSON; the model of an operation's
/// input and output is AWS's API reference for it (member names as written there). The
/// host picks the endpoint (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, else the
/// region's) and the credentials; the plugin links no AWS SDK.
///
/// Cost per call: one JSON encode and decode (``LambdaJSONEncoder``, ``LambdaJSONDecoder``), the host's
/// signing (a few HMACs) and the request over a pooled connection.
public struct AWSJSONClient {
    /// The client the calls go through (an invocation's, or the init hook's).
    public var http: LambdaHTTPClient
    /// The service's signing name: `dynamodb`, `sqs`.
    public var service: String
    /// The target prefix of the service's API version: `DynamoDB_20120810`, `AmazonSQS`.
    public var targetPrefix: String
    /// The region; nil: the function's own (`AWS_REGION`).
    public var region: String?
    /// The protocol's Content-Type: `application/x-amz-json-1.0` (DynamoDB, SQS) or
    /// `application/x-amz-json-1.1` (Kinesis, CloudWatch Logs, ...).
    public var contentType: String

    public init(
        _ http: LambdaHTTPClient, service: String, targetPrefix: String, region: String? = nil,
        contentType: String = "application/x-amz-json-1.0"
    ) {
        self.http = http
        self.service = service
        self.targetPrefix = targetPrefix
        self.region = region
        self.contentType = contentType
    }

    /// DynamoDB (API version 2012-08-10).
    public static func dynamoDB(_ http: LambdaHTTPClient, region: String? = nil) -> AWSJSONClient {
        AWSJSONClient(http, service: "dynamodb", targetPrefix: "DynamoDB_20120810", region: region)
    }

    /// SQS, through its JSON protocol.
    public static func sqs(_ http: LambdaHTTPClient, region: String? = nil) -> AWSJSONClient {
        AWSJSONClient(http, service: "sqs", targetPrefix: "AmazonSQS", region: region)
    }

    /// Calls `operation` (e.g. `GetItem`) with `input` encoded as JSON and decodes the
    /// answer into `Output`. An output of no interest decodes into a struct with no fields.
    ///
    /// - Throws: ``AWSCallError``: AWS's refusal (its code, such as
    ///   `ResourceNotFoundException`, and message), or with ``AWSCallError/httpError`` set a
    ///   call that was not sent or failed, an input that does not encode, an answer that is
    ///   not a valid `Output` (`Outbound.InvalidResponse`).
    public func call<Input: Encodable, Output: Decodable>(
        _ operation: String, _ input: Input, as output: Output.Type = Output.self
    ) throws(AWSCallError) -> Output {
        let json: [UInt8]
        do {
            json = try LambdaJSONEncoder().encode(input)
        } catch {
            throw AWSCallError(LambdaHTTPError(.invalidRequest, "the input of \(operation) does not encode as JSON: \(error)"))
        }
        let answer = try exchange(operation, json)
        do {
            return try LambdaJSONDecoder().decode(Output.self, from: answer.body.isEmpty ? Array("{}".utf8) : answer.body)
        } catch {
            throw AWSCallError(
                LambdaHTTPError(.invalidResponse, "the answer to \(targetPrefix).\(operation) is not a valid \(Output.self): \(error)"),
                status: answer.status)
        }
    }

    /// Calls `operation` with a JSON body as it is, and returns the JSON body of AWS's
    /// answer (any 2xx status) as it is: for a plugin that builds or reads the JSON itself.
    ///
    /// - Throws: ``AWSCallError``, as ``call(_:_:as:)`` does.
    public func callJSON(_ operation: String, _ json: [UInt8]) throws(AWSCallError) -> [UInt8] {
        try exchange(operation, json).body
    }

    /// The signed POST and its 2xx answer; any other status is AWS's refusal.
    private func exchange(_ operation: String, _ json: [UInt8]) throws(AWSCallError) -> LambdaHTTPResponse {
        let request = LambdaHTTPRequest(
            method: "POST", url: "/", headers: [("Content-Type", contentType), ("X-Amz-Target", "\(targetPrefix).\(operation)")],
            body: json, aws: AWSSigning(service: service, region: region))
        let response = try http.sendToAWS(request)
        guard (200..<300).contains(response.status) else { throw AWSCallError(jsonResponse: response) }
        return response
    }
}
