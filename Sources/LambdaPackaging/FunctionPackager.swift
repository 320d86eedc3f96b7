/// Builds a function's zip: the plugin, stripped, at the root, and nothing else.
///
/// A plugin built by SwiftPM has a RUNPATH naming the toolchain on the build machine.
/// It becomes DT_RPATH `$ORIGIN`: the plugin's own folder first, then (because it has no
/// RUNPATH any more) the host's RPATH, which is the layer's `lib/`.
///
/// A library of the layer that the plugin names in DT_NEEDED but takes no symbol from is
/// dropped from its DT_NEEDED, as `ld --as-needed` would have done: the Swift driver links
/// every module against Concurrency, StringProcessing and RegexParser (they are imported
/// implicitly), and loading them and libstdc++, which they need, cost a Swift plugin more
/// than a millisecond of its start for nothing. Libraries of the base image stay. A symbol
/// the plugin looks up with `dlsym` is not a DT_NEEDED reference: such a plugin must use
/// one symbol of the library directly, or load the library itself.
public struct FunctionPackager {
    /// What was built.
    public struct Function {
        /// The zip's single entry.
        public var entry: ZipEntry
        /// The plugin as packaged.
        public var file: ELFFile
        /// The layer's libraries the plugin named but takes no symbol from, dropped from
        /// its DT_NEEDED.
        public var dropped: [String]
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
        let unused = file.needed.filter { library in
            guard let provider = audit.libraries[library], !file.requirements.contains(where: { $0.library == library })
            else { return false }
            return provider.exports.isDisjoint(with: file.imports)
        }
        for library in unused { try file.dropNeeded(library) }
        return Function(entry: .file(name, mode: 0o755, contents: file.bytes), file: file, dropped: unused)
    }
}
