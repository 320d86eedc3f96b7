/// What goes into the layer, worked out from the build: the host binary, and every
/// shared library that it and the Swift plugins need and that the base image lacks,
/// found the way ld.so would find it on the build machine. Each file is read once, here.
public struct LayerPlan: Sendable {
    /// The lambda-host binary, as read (its name is its path).
    public let host: ELFFile
    /// The architecture of the host, which every file must share.
    public let architecture: ELFMachine
    /// Each library for `lib/`, by file name, as read from where it comes from (each
    /// file's name is its source path).
    public let libraries: [(name: String, file: ELFFile)]
    /// The image the layer targets.
    public let base: BaseImage

    /// Libraries the host loads with `dlopen` rather than through `DT_NEEDED`, which the
    /// layer must carry all the same: libffi, for handlers given by a signature.
    public static let loadedAtRunTime = ["libffi.so.8"]

    /// Plans a layer for `host` and the Swift runtime of `plugins` (Swift plugins built
    /// with the same toolchain; their own code does not go in the layer).
    public init(host: String, plugins: [String], base: BaseImage = .providedAL2023) throws(PackagingError) {
        let hostFile = try ELFFile(name: host, bytes: FileSystem.read(host))
        guard hostFile.machine == .x86_64 || hostFile.machine == .arm64 else {
            throw PackagingError(.input, "\(host): built for \(hostFile.machine); Lambda runs x86_64 and arm64")
        }
        let resolver = LibraryResolver(machine: hostFile.machine)
        var found: [String: ELFFile] = [:]
        var queue = [hostFile]
        for plugin in plugins { queue.append(try ELFFile(name: plugin, bytes: FileSystem.read(plugin))) }
        while let file = queue.popLast() {
            let path = file.name
            let needed = file.name == hostFile.name ? file.needed + Self.loadedAtRunTime : file.needed
            // The host is libswiftCore.so itself (its DT_SONAME): what names it is served by
            // the host, never by a copy in lib/.
            for library in needed
            where found[library] == nil && library != hostFile.soname && !base.libraries.contains(library) {
                guard let source = resolver.resolve(library, neededBy: file, at: path) else {
                    throw PackagingError(
                        .input,
                        "\(path) needs \(library), which \(base.name) lacks and which is not on this machine either (searched \(file.searchPath?.value ?? "no RUNPATH") and \(resolver.systemFolders.joined(separator: ", ")))"
                    )
                }
                found[library] = source
                queue.append(source)
            }
        }
        self.host = hostFile
        self.base = base
        architecture = hostFile.machine
        libraries = found.keys.sorted().compactMap { name in found[name].map { (name, $0) } }
    }

    /// The libraries by file name, as read from their sources, and the host under its
    /// DT_SONAME: what an audit of a function needs of the layer without building it
    /// (stripping changes none of it).
    public var libraryFiles: [String: ELFFile] {
        ELFAudit.providedLibraries(Dictionary(uniqueKeysWithValues: libraries.map { ($0.name, $0.file) }), host: host)
    }
}
