/// A failure to talk to the Lambda Runtime API.
///
/// Every code but ``Code/unreadableBuffer`` means the same thing to the host: the service
/// cannot be trusted to go on, so the host logs ``description`` and exits. The message says what happened and, where
/// it can, what to check.
public struct RuntimeAPIError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; stable across releases.
    public enum Code: String, Sendable {
        /// `AWS_LAMBDA_RUNTIME_API` is missing or is not `host:port`.
        case badEndpoint
        /// The TCP connection could not be opened.
        case connectFailed
        /// The service closed the connection or a read or write failed.
        case connectionLost
        /// The service answered with something that is not a valid HTTP/1.1 reply, or
        /// with a reply that breaks a size bound.
        case malformedReply
        /// The service answered 500: "Container error. Non-recoverable state. Runtime
        /// should exit promptly."
        case containerError
        /// The service answered with a status the Runtime API does not allow here.
        case unexpectedStatus
        /// The bytes to send lie at an address this process cannot read (EFAULT): a
        /// plugin's mistake, not the service's. The connection was closed, since part of
        /// the request may have gone; the next request opens a new one.
        case unreadableBuffer
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human message naming the request and what went wrong.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
