/// A failure to prepare or make a dynamic call.
public struct DynamicCallError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// libffi refused the signature.
        case preparationFailed
        /// The arguments do not match the signature.
        case argumentMismatch
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
