/// Why X-Ray tracing cannot be set up. The message names the variable and says what to
/// write instead.
public struct XRayError: Error, Sendable, CustomStringConvertible {
    /// Stable codes, the text in brackets of ``description``.
    public enum Code: String, Sendable {
        /// `AWS_XRAY_DAEMON_ADDRESS` is not an address the host can send to.
        case invalidDaemonAddress
    }

    /// What kind of failure this is.
    public var code: Code
    /// What is wrong and what to fix.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "X-Ray tracing is off [\(code.rawValue)]: \(message)" }
}
