import LambdaPlugin

/// Why an outbound request through the host failed.
///
/// ``Kind/notSent`` means nothing reached the server, so sending again is safe;
/// ``Kind/failed`` means the server may have acted on the request. Thrown out of a handler,
/// it is reported with the error type `Outbound.NotSent`, `Outbound.Failed`,
/// `Outbound.InvalidRequest`, `Outbound.Unsupported` or `Outbound.InvalidResponse`.
public struct LambdaHTTPError: LambdaPluginError, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Not sent: not allowed, the name did not resolve, the connection or TLS
        /// verification failed, or the time was up (`LAMBDA_E_HTTP_NOT_SENT`).
        case notSent = "Outbound.NotSent"
        /// Sent, then it failed: reset, timeout, a malformed or too large reply
        /// (`LAMBDA_E_HTTP_FAILED`).
        case failed = "Outbound.Failed"
        /// The host refused the request as malformed (`LAMBDA_E_INVALID`).
        case invalidRequest = "Outbound.InvalidRequest"
        /// The host predates outbound HTTP (ABI 1.2).
        case unsupported = "Outbound.Unsupported"
        /// The response arrived but is not what the plugin asked to decode.
        case invalidResponse = "Outbound.InvalidResponse"
    }

    public var kind: Kind
    /// The host's reason, naming the request and what went wrong.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var errorType: String { kind.rawValue }
    public var errorMessage: String { message }
    public var description: String { "\(kind.rawValue): \(message)" }
}
