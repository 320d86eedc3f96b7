/// Finds the file behind a DT_NEEDED name on the build machine, the way ld.so would:
/// the needing object's RUNPATH or RPATH (with `$ORIGIN`), then the system's library
/// folders. LD_LIBRARY_PATH is ignored on purpose, so a package does not depend on the
/// shell it was built from.
public struct LibraryResolver: Sendable {
    /// The system folders searched after an object's own search path.
    public let systemFolders: [String]

    /// A resolver for objects of `machine`.
    public init(machine: ELFMachine) {
        let triple = machine == .arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu"
        systemFolders = ["/lib/\(triple)", "/usr/lib/\(triple)", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    }

    /// The file behind `library` as needed by the object at `path`, read and parsed (its
    /// name is its path), or nil when ld.so would not find it either. A candidate of
    /// another architecture is skipped, as ld.so skips it.
    public func resolve(_ library: String, neededBy object: ELFFile, at path: String) -> ELFFile? {
        let origin = FileSystem.folder(of: (try? FileSystem.realPath(path)) ?? path)
        let own = (object.searchPath?.value ?? "").split(separator: ":").map {
            String($0.replacing("${ORIGIN}", with: origin).replacing("$ORIGIN", with: origin))
        }
        return find(library, in: own + systemFolders, machine: object.machine)
    }

    /// The system's own copy of `library` (for example the build machine's libm.so.6).
    public func system(_ library: String, machine: ELFMachine) -> ELFFile? {
        find(library, in: systemFolders, machine: machine)
    }

    private func find(_ library: String, in folders: [String], machine: ELFMachine) -> ELFFile? {
        for folder in folders where !folder.isEmpty {
            let candidate = folder + "/" + library
            guard FileSystem.exists(candidate), let bytes = try? FileSystem.read(candidate),
                let file = try? ELFFile(name: candidate, bytes: bytes), file.machine == machine
            else { continue }
            return file
        }
        return nil
    }
}
