/// Why an outbound HTTP request failed, and whether it reached the server.
///
/// `sent == false` means no byte of the request can have reached the server (refused by
/// validation or the allow-list, or the connection never opened), so the plugin may try
/// again freely; `sent == true` means the server may have acted on it.
public struct OutboundError: Error, CustomStringConvertible {
    /// Stable codes: the text after `[` in ``description`` and what the host's C error
    /// codes are derived from.
    public enum Code: String, Sendable {
        /// The request itself is wrong (URL, method, a header, a size); nothing was sent.
        case invalidRequest
        /// The allow-list does not name the request's origin; nothing was sent.
        case notAllowed
        /// An AWS request could not be signed: no credentials, no region, or the
        /// container-credentials endpoint failed; nothing was sent.
        case signing
        /// The host name did not resolve.
        case dns
        /// Every address refused the connection.
        case refused
        /// Connecting failed for another reason (unreachable, ...).
        case connect
        /// TLS could not be loaded (no libssl, no CA bundle).
        case tlsUnavailable
        /// The server's certificate or host name did not verify.
        case tlsVerify
        /// The TLS handshake failed for another reason.
        case tls
        /// The deadline passed.
        case timeout
        /// The connection was reset while writing or reading.
        case reset
        /// The server closed the connection before the response was complete.
        case closed
        /// Another I/O error after connecting.
        case io
        /// The response breaks HTTP/1.1 framing or exceeds the head cap.
        case malformedResponse
        /// The response body is larger than the configured cap.
        case responseTooLarge
    }

    /// What kind of failure this is.
    public var code: Code
    /// Whether any byte of the request may have reached the server.
    public var sent: Bool
    /// A message that says what went wrong and what to fix. Never carries a URL's
    /// credentials or query (see ``OutboundURL/redacted(_:)``).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, sent: Bool, _ message: String) {
        self.code = code
        self.sent = sent
        self.message = message
    }

    /// A request refused before sending (`.invalidRequest`).
    static func invalid(_ message: String) -> OutboundError {
        OutboundError(.invalidRequest, sent: false, message)
    }

    /// A response that breaks the protocol (`.malformedResponse`; the request was sent).
    static func malformed(_ message: String) -> OutboundError {
        OutboundError(.malformedResponse, sent: true, "malformed response: " + message)
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
