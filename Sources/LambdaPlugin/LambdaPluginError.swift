/// An error a handler throws to choose the `errorType` Lambda reports.
///
/// Any other error is reported with its Swift type name as the type and its description
/// as the message, as AWS's Swift runtime does.
public protocol LambdaPluginError: Error {
    /// The error type, e.g. "InvalidInput".
    var errorType: String { get }
    /// The message.
    var errorMessage: String { get }
}

/// The error types the SDK itself reports.
public enum LambdaPluginErrorTypes {
    /// The event is not valid JSON for the handler's input type.
    public static let invalidEvent = "Runtime.InvalidEvent"
    /// The handler's output could not be encoded as JSON.
    public static let invalidResponse = "Runtime.InvalidResponse"
}
