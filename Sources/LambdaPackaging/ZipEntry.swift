/// One file, folder or symbolic link in a zip archive, with the Unix permission bits it
/// unpacks with.
public struct ZipEntry: Equatable, Sendable {
    /// A regular file, a folder or a symbolic link.
    public enum Kind: Sendable {
        case file
        case directory
        case symlink
    }

    /// The path inside the archive: relative, `/`-separated; a folder's ends with `/`.
    public var path: String
    /// File, folder or link.
    public var kind: Kind
    /// The permission bits (`0o755`, `0o644`); nothing above `0o777` is written or read.
    /// A link's are `0o777`, as Linux gives every link.
    public var mode: UInt16
    /// The file's bytes; empty for a folder; a link's target, as Info-ZIP stores it.
    public var contents: [UInt8]

    /// A regular file.
    public static func file(_ path: String, mode: UInt16, contents: [UInt8]) -> ZipEntry {
        ZipEntry(path: path, kind: .file, mode: mode, contents: contents)
    }

    /// A folder; `path` gets its trailing `/`.
    public static func directory(_ path: String, mode: UInt16 = 0o755) -> ZipEntry {
        ZipEntry(path: path.utf8.last == UInt8(ascii: "/") ? path : path + "/", kind: .directory, mode: mode, contents: [])
    }

    /// A symbolic link at `path` to `target`, a path relative to the link's folder that
    /// stays inside the archive (`../bootstrap` from `bin/`).
    public static func symlink(_ path: String, target: String) -> ZipEntry {
        ZipEntry(path: path, kind: .symlink, mode: 0o777, contents: Array(target.utf8))
    }

    /// A link's target; nil for a file or folder.
    public var target: String? { kind == .symlink ? String(decoding: contents, as: UTF8.self) : nil }
}
