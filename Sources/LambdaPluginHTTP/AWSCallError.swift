import LambdaPlugin

/// Why a call to an AWS service failed: AWS refused it (its error code and message, read
/// from its error document), or the call failed before AWS's answer could be used (the
/// SDK's `Outbound.*` error, in ``httpError``).
///
/// Thrown out of a handler, it is reported with ``code`` as the error type and
/// ``message`` as the message, so that the caller of the function sees what AWS said
/// (`ResourceNotFoundException`: `Requested resource not found`), as the AWS SDKs' own
/// errors read. Catch a particular refusal by its code:
///
/// ```swift
/// do {
///     _ = try dynamodb.call("PutItem", put, as: PutItemOutput.self)
/// } catch let error as AWSCallError where error.code == "ConditionalCheckFailedException" {
///     // the item was there already
/// }
/// ```
public struct AWSCallError: LambdaPluginError, CustomStringConvertible {
    /// AWS's error code (`ResourceNotFoundException`, `NoSuchKey`, `AccessDenied`); the
    /// HTTP status as text (`"503"`) when AWS's answer had no error document, as boto3
    /// has it; or, with ``httpError`` set, its type (`Outbound.NotSent`).
    public var code: String
    /// AWS's message, or the SDK's reason.
    public var message: String
    /// The HTTP status of AWS's answer; 0 when no answer came.
    public var status: Int
    /// AWS's id for the request (`x-amzn-RequestId`; `x-amz-request-id` for S3), which
    /// AWS support asks for; nil when there was none.
    public var requestID: String?
    /// The SDK's error when the call failed before or after AWS answered (not sent,
    /// failed, unsupported by this host, an answer that is not what was asked for); nil
    /// when AWS refused the call.
    public var httpError: LambdaHTTPError?

    /// AWS's refusal.
    public init(code: String, message: String, status: Int, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.requestID = requestID
        httpError = nil
    }

    /// A failure of the call itself; `status` is that of the answer, if one came.
    public init(_ error: LambdaHTTPError, status: Int = 0) {
        code = error.kind.rawValue
        message = error.message
        self.status = status
        requestID = nil
        httpError = error
    }

    public var errorType: String { code }
    public var errorMessage: String { message }

    public var description: String {
        var text = "\(code): \(message)"
        if status != 0 { text += " (status \(status)" + (requestID.map { ", request id \($0))" } ?? ")") }
        return text
    }
}
