/// A packaging failure: a stable code for scripts and tests, and a message that names the
/// file and says what to do.
public struct PackagingError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is. The raw values are stable.
    public enum Code: String, Sendable {
        /// A file could not be read, written or found.
        case io = "IO"
        /// A file is not an ELF object, or not one Lambda can run (32-bit, big-endian).
        case notELF = "NotELF"
        /// An ELF object's tables are cut or point outside the file.
        case damagedELF = "DamagedELF"
        /// An ELF object would not load on provided.al2023 (the audit's findings).
        case audit = "Audit"
        /// A zip archive is malformed, or holds something unsafe to unpack.
        case zip = "Zip"
        /// A helper program (llvm-objcopy or objcopy) is missing or failed.
        case tool = "Tool"
        /// The inputs do not make a package: a missing plugin, a plugin that is not one.
        case input = "Input"
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
