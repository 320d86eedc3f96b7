/// One file or folder in a zip archive, with the Unix permission bits it unpacks with.
public struct ZipEntry: Equatable, Sendable {
    /// A regular file or a folder.
    public enum Kind: Sendable {
        case file
        case directory
    }

    /// The path inside the archive: relative, `/`-separated; a folder's ends with `/`.
    public var path: String
    /// File or folder.
    public var kind: Kind
    /// The permission bits (`0o755`, `0o644`); nothing above `0o777` is written or read.
    public var mode: UInt16
    /// The file's bytes; empty for a folder.
    public var contents: [UInt8]

    /// A regular file.
    public static func file(_ path: String, mode: UInt16, contents: [UInt8]) -> ZipEntry {
        ZipEntry(path: path, kind: .file, mode: mode, contents: contents)
    }

    /// A folder; `path` gets its trailing `/`.
    public static func directory(_ path: String, mode: UInt16 = 0o755) -> ZipEntry {
        ZipEntry(path: path.utf8.last == UInt8(ascii: "/") ? path : path + "/", kind: .directory, mode: mode, contents: [])
    }
}
