/// Builds a function's zip: the plugin, stripped, at the root, and nothing else.
///
/// A plugin built by SwiftPM has a RUNPATH naming the toolchain on the build machine.
/// It becomes DT_RPATH `$ORIGIN`: the plugin's own folder first, then (because it has no
/// RUNPATH any more) the host's RPATH, which is the layer's `lib/`.
public struct FunctionPackager {
    /// What was built.
    public struct Function {
        /// The zip's single entry.
        public var entry: ZipEntry
        /// The plugin as packaged.
        public var file: ELFFile
    }

    private let stripper: Stripper

    /// A packager that strips with `stripper`.
    public init(stripper: Stripper) { self.stripper = stripper }

    /// Packages the plugin at `path` and audits it against `audit` (the layer's libraries
    /// and the base image). Whether it is a plugin, and loads as one, is for the host's
    /// INIT checks (`lambda-host package` runs them on `file`).
    public func build(plugin path: String, audit: ELFAudit) throws(PackagingError) -> Function {
        let name = FileSystem.baseName(of: path)
        guard name.hasSuffix(".so"), name.count > 3 else {
            throw PackagingError(
                .input, "\(path): the file name must end in .so, so that _HANDLER can name it (libhello.so or hello.handler)")
        }
        var file = try ELFFile(name: name, bytes: stripper.strip(FileSystem.read(path), name: path))
        if file.searchPath != nil { try file.setSearchPath("$ORIGIN") }
        try audit.require([file])
        return Function(entry: .file(name, mode: 0o755, contents: file.bytes), file: file)
    }
}
