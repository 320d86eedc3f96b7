import LambdaPlugin

/// What a unit test hands a handler through ``LambdaTestHost``: the event and every field
/// of the `lambda_invocation` a real host would fill in, each settable.
///
/// ```swift
/// var invocation = LambdaTestInvocation(event: #"{"name": "World"}"#)
/// invocation.requestID = "request-1"
/// invocation.expire(inMilliseconds: 5_000)
/// ```
public struct LambdaTestInvocation {
    /// The event's bytes, as Lambda would send them (usually JSON).
    public var event: [UInt8]
    /// The AWS request id.
    public var requestID = "00000000-0000-4000-8000-000000000000"
    /// The deadline in milliseconds since the Unix epoch; nil: 3 seconds (Lambda's default
    /// timeout) after the run starts.
    public var deadlineMilliseconds: Int64?
    /// The ARN the function was invoked with.
    public var invokedFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:test"
    /// The X-Ray trace header, or nil.
    public var traceID: String?
    /// The client context of a mobile SDK caller (JSON text), or nil.
    public var clientContext: String?
    /// The caller's Amazon Cognito identity (JSON text), or nil.
    public var cognitoIdentity: String?
    /// The tenant id of a tenant-isolated function, or nil.
    public var tenantID: String?
    /// What the plugin's init hook would have stored (the invocation's `state`), or nil.
    /// ``LambdaTestHost`` runs no init hook: call it yourself and pass its state here.
    public var state: UnsafeMutableRawPointer?

    /// An invocation of the event's bytes.
    public init(event: [UInt8]) {
        self.event = event
    }

    /// An invocation of the event's text (UTF-8), such as a JSON document.
    public init(event: String) {
        self.init(event: Array(event.utf8))
    }

    /// An invocation of `event` encoded as JSON with ``LambdaJSONEncoder``.
    public init<Event: Encodable>(json event: Event) throws {
        self.init(event: try LambdaJSONEncoder().encode(event))
    }

    /// Sets the deadline `milliseconds` from now.
    public mutating func expire(inMilliseconds milliseconds: Int64) {
        deadlineMilliseconds = LambdaTestHost.nowMilliseconds + milliseconds
    }
}
