/// The Lambda error types the host itself reports for an invocation, in one place.
/// (Init failures take theirs from ``PluginLoadError/Code/errorType``.)
public enum ErrorTypes {
    /// The handler returned an error status without calling `host->fail()`.
    public static let handlerFailed = "Runtime.HandlerFailed"
    /// `host->fail()` was called with no error type.
    public static let unnamedHandlerError = "HandlerError"
    /// The response is over 6 MiB (the name Lambda itself uses).
    public static let responseTooLarge = "Function.ResponseSizeTooLarge"
    /// The event is over Lambda's 6 MiB request limit.
    public static let eventTooLarge = "Runtime.EventTooLarge"
    /// `respond()` was handed a buffer the host cannot read.
    public static let unreadableResponse = "Runtime.InvalidResponseBuffer"
    /// An environment variable of the host's (LAMBDA_HOST_*) holds a value it cannot use.
    public static let invalidConfiguration = "Runtime.InvalidConfiguration"
    /// The invocation lacks a header the host needs (its deadline).
    public static let malformedInvocation = "Runtime.MalformedInvocation"
}
