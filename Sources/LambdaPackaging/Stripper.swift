import Glibc

/// Removes symbol tables and debug information from ELF objects with `llvm-objcopy
/// --strip-all` (the Swift toolchain ships it) or binutils' `objcopy`. The dynamic
/// symbols a loader needs stay. Costs one process per file.
public struct Stripper: Sendable {
    /// The objcopy program used.
    public let program: String
    private let folder: String

    /// Finds objcopy: in `preferredFolders` (the Swift toolchain's bin/), then on PATH.
    public init(preferredFolders: [String]) throws(PackagingError) {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        let folders = preferredFolders + path.split(separator: ":").map(String.init)
        let candidates = ["llvm-objcopy", "objcopy"].flatMap { tool in folders.map { "\($0)/\(tool)" } }
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw PackagingError(
                .tool, "neither llvm-objcopy nor objcopy was found (the Swift toolchain's usr/bin has llvm-objcopy; or apt-get install binutils)")
        }
        program = found
        folder = try FileSystem.temporaryDirectory("lambda-host-strip")
    }

    /// `bytes` without symbol tables or debug information.
    public func strip(_ bytes: [UInt8], name: String) throws(PackagingError) -> [UInt8] {
        let input = folder + "/input"
        let output = folder + "/output"
        try FileSystem.write(bytes, to: input)
        defer {
            unlink(input)
            unlink(output)
        }
        let ending = ChildProcess.run([program, "--strip-all", input, output])
        guard ending == .exited(0) else {
            throw PackagingError(.tool, "\(program) --strip-all failed on \(name) (\(ending))")
        }
        return try FileSystem.read(output)
    }

    /// Removes the working folder.
    public func close() { FileSystem.removeTree(folder) }
}
