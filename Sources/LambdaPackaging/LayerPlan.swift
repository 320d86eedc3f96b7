/// What goes into the layer, worked out from the build: the host binary, and every
/// shared library that it and the Swift plugins need and that the base image lacks,
/// found the way ld.so would find it on the build machine.
public struct LayerPlan: Sendable {
    /// The lambda-host binary.
    public let host: String
    /// The architecture of the host, which every file must share.
    public let architecture: ELFMachine
    /// Each library for `lib/`: its file name and where it comes from, by name.
    public let libraries: [(name: String, source: String)]
    /// The image the layer targets.
    public let base: BaseImage

    /// Plans a layer for `host` and the Swift runtime of `plugins` (Swift plugins built
    /// with the same toolchain; their own code does not go in the layer).
    public init(host: String, plugins: [String], base: BaseImage = .providedAL2023) throws(PackagingError) {
        let hostFile = try ELFFile(name: host, bytes: FileSystem.read(host))
        guard hostFile.machine == .x86_64 || hostFile.machine == .arm64 else {
            throw PackagingError(.input, "\(host): built for \(hostFile.machine); Lambda runs x86_64 and arm64")
        }
        let resolver = LibraryResolver(machine: hostFile.machine)
        var found: [String: String] = [:]
        var queue: [(file: ELFFile, path: String)] = [(hostFile, host)]
        for plugin in plugins { queue.append((try ELFFile(name: plugin, bytes: FileSystem.read(plugin)), plugin)) }
        while let (file, path) = queue.popLast() {
            for library in file.needed where found[library] == nil && !base.libraries.contains(library) {
                guard let source = resolver.resolve(library, neededBy: file, at: path) else {
                    throw PackagingError(
                        .input,
                        "\(path) needs \(library), which \(base.name) lacks and which is not on this machine either (searched \(file.searchPath?.value ?? "no RUNPATH") and \(resolver.systemFolders.joined(separator: ", ")))"
                    )
                }
                found[library] = source
                queue.append((try ELFFile(name: source, bytes: FileSystem.read(source)), source))
            }
        }
        self.host = host
        self.base = base
        architecture = hostFile.machine
        libraries = found.keys.sorted().compactMap { name in found[name].map { (name, $0) } }
    }

    /// The libraries as the layer will hold them, by file name, read from their sources
    /// (stripping changes none of what an audit reads). For auditing a function without
    /// building the layer.
    public func libraryFiles() throws(PackagingError) -> [String: ELFFile] {
        var files: [String: ELFFile] = [:]
        for library in libraries {
            files[library.name] = try ELFFile(name: "lib/" + library.name, bytes: FileSystem.read(library.source))
        }
        return files
    }
}
