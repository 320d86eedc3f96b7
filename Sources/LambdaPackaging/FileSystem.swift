import Glibc

/// The few file operations packaging needs, with errors that name the path.
public enum FileSystem {
    /// The whole file at `path`.
    public static func read(_ path: String) throws(PackagingError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure(path) }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw PackagingError(.io, "\(path): is a folder, not a file") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var done = 0
        while done < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + done }, $0.count - done) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw failure(path) }
            done += got
        }
        return bytes
    }

    /// Writes `bytes` to `path` with `mode`, through a temporary file and a rename, so
    /// that a reader never sees half a file.
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt16 = 0o644) throws(PackagingError) {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw failure(temporary) }
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + done }, $0.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else {
                close(fd)
                unlink(temporary)
                throw failure(path)
            }
            done += wrote
        }
        fchmod(fd, mode_t(mode))
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure(path)
        }
    }

    /// True when `path` exists.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// True when `path` is a folder.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// True when `path` is itself a symbolic link (it is not followed).
    public static func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    /// Creates `path` and its missing parents with `mode` (whatever the umask). Folders
    /// that already exist keep theirs.
    public static func makeDirectories(_ path: String, mode: UInt16 = 0o755) throws(PackagingError) {
        // Split at the byte '/', as the kernel does, not at Characters ("/́" is one).
        var prefix = path.utf8.first == UInt8(ascii: "/") ? "/" : ""
        for part in path.utf8.split(separator: UInt8(ascii: "/")) {
            prefix += String(decoding: part, as: UTF8.self)
            if mkdir(prefix, mode_t(mode)) == 0 {
                chmod(prefix, mode_t(mode))
            } else if errno != EEXIST {
                throw failure(prefix)
            }
            prefix += "/"
        }
    }

    /// The names in folder `path`, sorted, without `.` and `..`.
    public static func list(_ path: String) throws(PackagingError) -> [String] {
        guard let folder = opendir(path) else { throw failure(path) }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// A new empty folder under $TMPDIR (or /tmp) whose name starts with `prefix`.
    public static func temporaryDirectory(_ prefix: String) throws(PackagingError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) != nil
        else {
            throw failure(base)
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Deletes `path` and everything under it; symbolic links are removed, not followed.
    public static func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR {
            for name in (try? list(path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The canonical absolute path of an existing `path`.
    public static func realPath(_ path: String) throws(PackagingError) -> String {
        guard let resolved = realpath(path, nil) else { throw failure(path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The folder part of `path` (`.` when there is none).
    public static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    public static func baseName(of path: String) -> String {
        path.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? path
    }

    /// Writes `entries` under `folder`, with their permission bits; symbolic links are made
    /// last, with symlink(2), once `ZipArchive.checkEntries` has found that nothing leads out.
    public static func unpack(_ entries: [ZipEntry], into folder: String) throws(PackagingError) {
        try ZipArchive.checkEntries(entries, archive: folder)
        try makeDirectories(folder)
        for entry in entries {
            let path = folder + "/" + entry.path
            switch entry.kind {
            case .directory:
                try makeDirectories(path, mode: entry.mode)
                chmod(path, mode_t(entry.mode))
            case .file:
                try makeDirectories(Self.folder(of: path))
                try write(entry.contents, to: path, mode: entry.mode)
            case .symlink:
                break
            }
        }
        for entry in entries where entry.kind == .symlink {
            let path = folder + "/" + entry.path
            try makeDirectories(Self.folder(of: path))
            guard symlink(entry.target ?? "", path) == 0 else { throw failure(path) }
        }
    }

    static func failure(_ path: String) -> PackagingError {
        PackagingError(.io, "\(path): \(String(cString: strerror(errno)))")
    }
}
