/// A function configuration that cannot be used: a config file, an env file or a
/// `KEY=VALUE` that is malformed, unreadable or names what Lambda reserves. The message
/// says where (file and line, or the flag) and what to write instead; it never holds a
/// variable's value, which may be a secret.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, stable for callers and tests.
    public enum Code: String, Sendable {
        /// The file cannot be opened or read, or is not UTF-8.
        case unreadableFile
        /// An env file's line, or a `--env` value, is not `KEY=VALUE`.
        case malformedVariable
        /// A variable's name is not a shell variable name (`[A-Za-z_][A-Za-z0-9_]*`).
        case invalidName
        /// A variable that Lambda sets itself, which a flag controls.
        case reservedVariable
        /// The config file is not JSON of the documented shape.
        case invalidConfiguration
        /// `--function` names no function of the config file, or the file has several and
        /// none was named.
        case unknownFunction
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong and how to fix it, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
