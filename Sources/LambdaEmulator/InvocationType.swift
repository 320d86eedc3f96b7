import LambdaRuntimeAPI

/// `X-Amz-Invocation-Type`, as Lambda's Invoke API takes it (case and all).
///
/// - `RequestResponse` (the default): the caller waits for the function's answer.
/// - `Event`: the caller gets 202 with an empty body at once; the invocation is queued
///   and runs after, and its result goes only to the log, as Lambda's asynchronous
///   invocation keeps it from the caller.
/// - `DryRun`: the caller gets 204; nothing runs (Lambda only checks the request).
enum InvocationType: String {
    case requestResponse = "RequestResponse"
    case event = "Event"
    case dryRun = "DryRun"

    /// Lambda refuses any other value before the function is looked at: 400 with
    /// `X-Amzn-ErrorType: ValidationException` and a `message` that names the values it
    /// takes. The body has Lambda's shape (a lower-case `message`), so that an SDK's
    /// error decoding reads it.
    static func refusal(_ value: String) -> InvokeHeaders.Refusal {
        InvokeHeaders.Refusal(
            header: "X-Amz-Invocation-Type",
            reason: "1 validation error detected: Value '\(value)' at 'invocationType' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            errorType: "ValidationException")
    }
}
