import CLambdaSystem

/// Finds a handler's library file inside the roots it may be loaded from: the function's
/// task root and the layer.
///
/// Folders are searched in this order: `TASK_ROOT`, `TASK_ROOT/lib`, `LAYER_ROOT/lib`,
/// `LAYER_ROOT`. A file whose real path (symbolic links resolved) leaves every root is
/// refused. Cost: a few `stat` and `realpath` calls, once, at INIT.
public struct PluginLocator: Sendable {
    /// The function's code (`LAMBDA_TASK_ROOT`, `/var/task` in Lambda).
    public var taskRoot: String
    /// Where layers are unpacked (`/opt` in Lambda).
    public var layerRoot: String

    /// Creates a locator for two roots.
    public init(taskRoot: String, layerRoot: String = "/opt") {
        self.taskRoot = taskRoot
        self.layerRoot = layerRoot
    }

    /// The folders searched, in order.
    public var searchFolders: [String] {
        [taskRoot, join(taskRoot, "lib"), join(layerRoot, "lib"), layerRoot]
    }

    /// The real path of the first candidate found.
    ///
    /// - Throws: ``PluginLoadError`` `.pluginNotFound` listing every path tried, or
    ///   `.pathEscapesRoot` for a file that resolves outside both roots.
    public func locate(_ spec: HandlerSpec) throws(PluginLoadError) -> String {
        let roots = [taskRoot, layerRoot].compactMap(Self.realPath)
        var tried: [String] = []
        var notFiles: [String] = []
        for candidate in spec.candidates {
            let paths = candidate.hasPrefix("/") ? [candidate] : searchFolders.map { join($0, candidate) }
            for path in paths {
                tried.append(path)
                // Only a regular file: dlopen on a FIFO would block INIT for good.
                if let kind = Self.nonFileKind(path) { notFiles.append("\(path) is \(kind), not a library file") }
                guard Self.isFile(path), let real = Self.realPath(path) else { continue }
                guard roots.contains(where: { real == $0 || real.hasPrefix($0 == "/" ? "/" : $0 + "/") }) else {
                    throw PluginLoadError(
                        .pathEscapesRoot,
                        "_HANDLER '\(spec.text)' resolves to \(real), outside LAMBDA_TASK_ROOT (\(taskRoot)) and the layer (\(layerRoot))"
                    )
                }
                return real
            }
        }
        throw PluginLoadError(
            .pluginNotFound,
            "no library for _HANDLER '\(spec.text)': looked for \(tried.joined(separator: ", ")); "
                + notFiles.map { $0 + "; " }.joined()
                + "put the .so at the root of the function's zip, or set LAMBDA_TASK_ROOT")
    }

    private func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (Int32(bitPattern: info.st_mode) & S_IFMT) == S_IFREG
    }

    /// What `path` is when it exists but is not a regular file ("a folder"), or nil.
    static func nonFileKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch Int32(bitPattern: info.st_mode) & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a regular file"
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
