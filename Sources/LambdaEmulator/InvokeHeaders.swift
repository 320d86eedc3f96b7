import FoundationEssentials
import LambdaRuntimeAPI
import NIOHTTP1

/// The optional headers of an invoke request, checked as Lambda's Invoke API checks them,
/// before anything is queued. Each becomes a `Lambda-Runtime-*` header of the runtime's
/// `/next`: a value that could break that header (a control character in decoded base64),
/// or that Lambda would refuse, gets 400 `InvalidRequestContentException` instead of
/// reaching the runtime.
struct InvokeHeaders {
    /// Lambda's limit for `X-Amz-Client-Context`: "up to 3,583 bytes of base64-encoded data".
    static let maxClientContext = 3_583
    /// The limit for `X-Amz-Cognito-Identity`, an emulator header (Lambda takes the identity
    /// from the signed request): the client context's.
    static let maxCognitoIdentity = maxClientContext
    /// Lambda's limit for `X-Amz-Tenant-Id`, and the characters it takes.
    static let maxTenantID = 256
    static let tenantIDCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/=+-@ ".utf8)

    /// `X-Amz-Client-Context`, decoded: a JSON object.
    var clientContext: String?
    var cognitoIdentity: String?
    var tenantID: String?
    /// `X-Amz-Invocation-Type`, checked apart (``InvocationType``): Lambda refuses an
    /// unknown one with its own error shape.
    var invocationType = InvocationType.requestResponse

    /// A header refused, with what the caller should fix.
    struct Refusal: Error, Sendable {
        var header: String
        var reason: String
        /// `X-Amzn-ErrorType` of the 400.
        var errorType = "InvalidRequestContentException"
        var message: String { "\(header): \(reason)" }

        /// The 400's body: Lambda's `{"message"}` for a validation error, the emulator's
        /// error document otherwise.
        var body: String {
            if errorType == "ValidationException" { return #"{"message":"\#(JSONText.escaped(reason))"}"# }
            return #"{"errorMessage":"\#(JSONText.escaped(message))","errorType":"InvalidRequestContent"}"#
        }
    }

    /// Reads and checks the headers of `request`.
    init(_ request: HTTPHeaders) throws(Refusal) {
        if let value = request.first(name: "X-Amz-Invocation-Type") {
            guard let type = InvocationType(rawValue: value) else { throw InvocationType.refusal(value) }
            invocationType = type
        }
        if let value = request.first(name: "X-Amz-Client-Context") {
            clientContext = try Self.clientContext(value)
        }
        if let value = request.first(name: "X-Amz-Cognito-Identity") {
            guard value.utf8.count <= Self.maxCognitoIdentity, !Self.hasControl(value.utf8) else {
                throw Refusal(
                    header: "X-Amz-Cognito-Identity",
                    reason: "must be at most \(Self.maxCognitoIdentity) bytes of text with no control characters")
            }
            cognitoIdentity = value
        }
        if let value = request.first(name: "X-Amz-Tenant-Id") {
            guard (1...Self.maxTenantID).contains(value.utf8.count), value.utf8.allSatisfy(Self.tenantIDCharacters.contains) else {
                throw Refusal(
                    header: "X-Amz-Tenant-Id",
                    reason: "must be 1 to \(Self.maxTenantID) of the characters a-z A-Z 0-9 . _ : / = + - @ and space, as Lambda requires")
            }
            tenantID = value
        }
    }

    private static func clientContext(_ value: String) throws(Refusal) -> String {
        func refuse(_ why: String) -> Refusal {
            Refusal(header: "X-Amz-Client-Context", reason: "Client context must be a valid Base64-encoded JSON object (\(why))")
        }
        guard value.utf8.count <= maxClientContext else {
            throw refuse("it is \(value.utf8.count) bytes of base64; Lambda takes up to \(maxClientContext)")
        }
        guard let bytes = Base64.decode(value) else { throw refuse("it is not base64") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw refuse("it is not UTF-8") }
        // The runtime gets it as a header line: a line break would end that header.
        guard !hasControl(text.utf8) else { throw refuse("it has control characters; write the JSON on one line") }
        guard (try? JSONDecoder().decode(JSONObject.self, from: Data(bytes))) != nil else {
            throw refuse("it is not a JSON object")
        }
        return text
    }

    private static func hasControl(_ bytes: String.UTF8View) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// Decodes only from a JSON object.
    private struct JSONObject: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: AnyKey.self)
        }
    }
}
