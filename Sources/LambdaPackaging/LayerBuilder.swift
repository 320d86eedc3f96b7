import CLambdaPluginHeader

/// Builds the layer's files from a `LayerPlan`:
///
/// - `bootstrap`: the stripped host binary, whose search path becomes
///   `$ORIGIN/lib:$ORIGIN/../lib` (as DT_RPATH), so that it finds `lib/` from wherever the
///   layer is unpacked, and so do the plugins it loads;
/// - `bin/lambda-host`: a symbolic link to `../bootstrap`, the binary by its own name
///   without a second copy of it (Lambda unpacks links; ld.so takes `$ORIGIN` from the
///   resolved path, so the link finds `lib/` too);
/// - `lib/`: the planned libraries, stripped; a symbol that needs a glibc newer than the
///   base image's is bound to an older version of itself when glibc has one (the Swift
///   toolchain's `libswiftGlibc.so` needs `hypotf@GLIBC_2.35`, and glibc has had
///   `hypotf@GLIBC_2.2.5` all along);
/// - `include/lambda_plugin.h`, the C ABI, and `include/lambda_plugin.hpp`, its C++ wrapper.
///
/// Every ELF file is then audited; any problem fails the build.
public struct LayerBuilder {
    /// The layer's search path for its own libraries, from `bootstrap` and from `bin/`.
    public static let searchPath = "$ORIGIN/lib:$ORIGIN/../lib"

    /// What was built.
    public struct Layer {
        /// The zip's entries.
        public var entries: [ZipEntry]
        /// The ELF objects in `lib/`, by file name.
        public var libraries: [String: ELFFile]
        /// What was changed to make the files load on the base image, one line each.
        public var rebindings: [String]
    }

    private let plan: LayerPlan
    private let stripper: Stripper

    /// A builder for `plan` that strips with `stripper`.
    public init(plan: LayerPlan, stripper: Stripper) {
        self.plan = plan
        self.stripper = stripper
    }

    /// Builds and audits the layer.
    public func build() throws(PackagingError) -> Layer {
        var host = try ELFFile(name: "bootstrap", bytes: stripper.strip(plan.host.bytes, name: plan.host.name))
        try host.setSearchPath(Self.searchPath)
        let resolver = LibraryResolver(machine: plan.architecture)
        var libraries: [String: ELFFile] = [:]
        var rebindings: [String] = []
        for library in plan.libraries {
            var file = try ELFFile(
                name: "lib/" + library.name, bytes: stripper.strip(library.file.bytes, name: library.file.name))
            rebindings += try bindToBase(&file, resolver: resolver)
            libraries[library.name] = file
        }

        let audit = ELFAudit(
            base: plan.base, architecture: plan.architecture, libraries: ELFAudit.providedLibraries(libraries, host: host))
        let objects = [host] + libraries.keys.sorted().compactMap { libraries[$0] }
        try audit.require(objects)

        var entries: [ZipEntry] = [
            .file("bootstrap", mode: 0o755, contents: host.bytes),
            .directory("bin"),
            .symlink("bin/lambda-host", target: "../bootstrap"),
            .directory("include"),
            .file("include/lambda_plugin.h", mode: 0o644, contents: Self.headers[0].bytes),
            .file("include/lambda_plugin.hpp", mode: 0o644, contents: Self.headers[1].bytes),
            .directory("lib"),
        ]
        entries += libraries.keys.sorted().compactMap { name in
            libraries[name].map { .file("lib/" + name, mode: 0o755, contents: $0.bytes) }
        }
        return Layer(entries: entries, libraries: libraries, rebindings: rebindings)
    }

    /// The plugin headers embedded in the tools when they were built: the C ABI and its
    /// C++ wrapper, by file name.
    public static let headers: [(name: String, bytes: [UInt8])] = [
        ("lambda_plugin.h", embedded(lh_plugin_header)), ("lambda_plugin.hpp", embedded(lh_plugin_cxx_header)),
    ]

    /// The bytes of a header embedded in the tools when they were built.
    private static func embedded(_ text: (UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>?) -> [UInt8] {
        var length = 0
        let start = text(&length)
        return (0..<length).map { UInt8(bitPattern: start?[$0] ?? 0) }
    }

    /// Binds each requirement of `file` that the base image lacks to the newest older
    /// version of the same symbols that the build machine's library defines, when there
    /// is one for every symbol concerned. Returns a line per change.
    private func bindToBase(_ file: inout ELFFile, resolver: LibraryResolver) throws(PackagingError) -> [String] {
        var changes: [String] = []
        for requirement in file.requirements
        where plan.base.libraries.contains(requirement.library) && plan.base.refusal(of: requirement.version) != nil
            && !requirement.symbols.isEmpty
        {
            guard let provider = resolver.system(requirement.library, machine: file.machine) else { continue }
            let targets = Set(
                requirement.symbols.map { symbol in
                    provider.definitions[symbol, default: []]
                        .filter { $0.family == requirement.version.family && plan.base.refusal(of: $0) == nil }
                        .max()?.name
                })
            guard targets.count == 1, let only = targets.first, let target = only else { continue }
            try file.rebind(requirement, to: SymbolVersion(target))
            changes.append(
                "\(file.name): \(requirement.symbols.joined(separator: ", ")) bound to \(target) instead of \(requirement.version)")
        }
        return changes
    }
}
