/// A failure of `lambda-host new` or `lambda-host build`: a stable code for scripts and
/// tests, and a message that names the file or program and says what to do.
struct ScaffoldError: Error, CustomStringConvertible {
    /// What kind of failure this is. The raw values are stable.
    enum Code: String {
        /// `new` was given a folder that exists and holds something.
        case folderNotEmpty = "FolderNotEmpty"
        /// The function's name cannot name a library, a module and a crate.
        case badName = "BadName"
        /// The Swift template has no SDK to depend on (no --sdk, no repository on disk).
        case noSDK = "NoSDK"
        /// `build` was given a folder that does not exist.
        case noFolder = "NoFolder"
        /// The folder holds none of Package.swift, Cargo.toml, Makefile.
        case noBuildFile = "NoBuildFile"
        /// The build program is not on PATH.
        case toolMissing = "ToolMissing"
        /// The build program ran and failed.
        case buildFailed = "BuildFailed"
        /// The build succeeded but no plugin `.so` can be found.
        case noPlugin = "NoPlugin"
        /// A file could not be written or read.
        case io = "IO"
    }

    /// The kind of failure.
    let code: Code
    /// What went wrong and what to do about it.
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
