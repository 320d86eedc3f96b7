/// Builds a function's zip: the plugin, stripped, at the root, and nothing else.
///
/// A plugin built by SwiftPM has a RUNPATH naming the toolchain on the build machine.
/// It becomes DT_RPATH `$ORIGIN`: the plugin's own folder first, then (because it has no
/// RUNPATH any more) the host's RPATH, which is the layer's `lib/`.
public struct FunctionPackager {
    /// The exported symbol that marks a plugin of the C ABI (`LAMBDA_PLUGIN_ENTRY_SYMBOL`).
    public static let entrySymbol = "lambda_plugin_v1"

    /// What was built.
    public struct Function {
        /// The zip's single entry.
        public var entry: ZipEntry
        /// The plugin as packaged.
        public var file: ELFFile
        /// The `Handler` value to set, or a pattern for one when the library is plain C.
        public var handler: String
        /// True when the library exports the plugin entry point; false for a plain C
        /// library meant for a dynamic handler (a signature in `_HANDLER`).
        public var isPlugin: Bool
    }

    private let stripper: Stripper

    /// A packager that strips with `stripper`.
    public init(stripper: Stripper) { self.stripper = stripper }

    /// Packages the plugin at `path` and audits it against `audit` (the layer's libraries
    /// and the base image).
    public func build(plugin path: String, audit: ELFAudit) throws(PackagingError) -> Function {
        let name = FileSystem.baseName(of: path)
        guard name.hasSuffix(".so"), name.count > 3 else {
            throw PackagingError(
                .input, "\(path): the file name must end in .so, so that _HANDLER can name it (libhello.so or hello.handler)")
        }
        var file = try ELFFile(name: name, bytes: stripper.strip(FileSystem.read(path), name: path))
        if file.searchPath != nil { try file.setSearchPath("$ORIGIN") }
        try audit.require([file])
        let isPlugin = file.exports.contains(Self.entrySymbol)
        return Function(
            entry: .file(name, mode: 0o755, contents: file.bytes),
            file: file,
            handler: isPlugin ? name : "\(name):<function>(<name>:<type>,...)-><type>",
            isPlugin: isPlugin)
    }
}
