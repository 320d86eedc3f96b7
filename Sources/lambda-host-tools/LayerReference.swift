import ArgumentParser
import LambdaPackaging

/// The layer a function is checked against: a built layer (zip or unpacked folder), or
/// the layer `package layer` would build from this build.
struct LayerReference: ParsableArguments {
    @Option(help: "The layer to check against: a zip or an unpacked folder (default: the layer `package layer` would build). Example: --layer lambda-host-layer.zip")
    var layer: String?

    @OptionGroup var inputs: LayerInputs

    /// What an audit needs to know of the layer.
    struct Target {
        /// An audit with the layer's libraries and architecture.
        var audit: ELFAudit
        /// The layer, in words.
        var description: String
    }

    /// Reads the layer (or plans the default one).
    func resolve() throws -> Target { try Self.target(layer: layer, inputs: inputs) }

    /// Reads the layer at `layer`, or plans the default one from `inputs`.
    static func target(layer: String?, inputs: LayerInputs) throws -> Target {
        guard let layer else {
            let plan = try inputs.plan()
            return Target(
                audit: ELFAudit(architecture: plan.architecture, libraries: plan.libraryFiles),
                description: "the layer's \(plan.libraries.count) libraries (as `package layer` would build it)")
        }
        let files = try PackageContents.read(layer)
        let libraries = files.filter { $0.path.hasPrefix("lib/") && !$0.path.dropFirst(4).contains("/") }
        var byName: [String: ELFFile] = [:]
        for library in libraries { byName[String(library.path.dropFirst(4))] = library.file }
        guard let bootstrap = files.first(where: { $0.path == "bootstrap" }) else {
            throw ValidationError("\(layer): no bootstrap at its root, so it is not a layer built by `package layer`")
        }
        return Target(
            audit: ELFAudit(
                architecture: bootstrap.file.machine, libraries: ELFAudit.providedLibraries(byName, host: bootstrap.file)),
            description: "\(layer)'s \(byName.count) libraries")
    }
}

/// The ELF files in a zip, an unpacked folder, or a single file, by path inside it.
/// Symbolic links (the layer's `bin/lambda-host`) are skipped: what one points at inside
/// the package is read as itself, and a link is never followed out of the folder.
enum PackageContents {
    static func read(_ path: String) throws -> [(path: String, file: ELFFile)] {
        if FileSystem.isDirectory(path) { return try readFolder(path, prefix: "") }
        let bytes = try FileSystem.read(path)
        if bytes.starts(with: [0x50, 0x4b]) {
            return try ZipArchive.read(bytes, name: path).compactMap { entry in
                guard entry.kind == .file, entry.contents.starts(with: elfMagic) else { return nil }
                return (entry.path, try ELFFile(name: entry.path, bytes: entry.contents))
            }
        }
        return [(path, try ELFFile(name: path, bytes: bytes))]
    }

    private static let elfMagic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]

    private static func readFolder(_ folder: String, prefix: String) throws -> [(path: String, file: ELFFile)] {
        var found: [(path: String, file: ELFFile)] = []
        for name in try FileSystem.list(folder) {
            let path = folder + "/" + name
            if FileSystem.isSymbolicLink(path) { continue }
            if FileSystem.isDirectory(path) {
                found += try readFolder(path, prefix: prefix + name + "/")
                continue
            }
            let bytes = try FileSystem.read(path)
            if bytes.starts(with: elfMagic) { found.append((prefix + name, try ELFFile(name: prefix + name, bytes: bytes))) }
        }
        return found
    }
}
