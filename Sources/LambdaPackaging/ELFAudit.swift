/// Checks that ELF objects would load on a Lambda base image, the way ld.so would judge
/// them there: right architecture, every DT_NEEDED found in the package or the image, and
/// every required symbol version defined by whichever provides the library.
public struct ELFAudit: Sendable {
    /// The image the package runs on.
    public let base: BaseImage
    /// The architecture every object must have.
    public let architecture: ELFMachine
    /// The libraries the package itself carries (the layer's `lib/`), by file name.
    public let libraries: [String: ELFFile]

    /// An audit against `base` for `architecture`, with `libraries` in the package.
    public init(base: BaseImage = .providedAL2023, architecture: ELFMachine, libraries: [String: ELFFile]) {
        self.base = base
        self.architecture = architecture
        self.libraries = libraries
    }

    /// What would stop `file` from loading; empty when nothing would.
    public func problems(in file: ELFFile) -> [AuditProblem] {
        var problems: [AuditProblem] = []
        if file.machine != architecture {
            problems.append(
                AuditProblem(
                    file: file.name, symbol: nil, kind: .architecture,
                    message: "built for \(file.machine), but the package is for \(architecture); build it on (or for) \(architecture)"))
        }
        for library in file.needed where libraries[library] == nil && !base.libraries.contains(library) {
            problems.append(
                AuditProblem(
                    file: file.name, symbol: nil, kind: .library,
                    message: "needs \(library), which is neither in the layer's lib/ nor in \(base.name)"))
        }
        for requirement in file.requirements where !requirement.isWeak {
            let why: String?
            if let provider = libraries[requirement.library] {
                why = provider.versions.contains(requirement.version)
                    ? nil : "not defined by the layer's \(requirement.library)"
            } else if base.libraries.contains(requirement.library) {
                why = base.refusal(of: requirement.version)
            } else {
                why = nil  // The missing library is reported above.
            }
            guard let why else { continue }
            let symbols = requirement.symbols.isEmpty ? [nil] : requirement.symbols.map(Optional.some)
            for symbol in symbols {
                problems.append(
                    AuditProblem(
                        file: file.name, symbol: symbol, kind: .version,
                        message: "\(symbol ?? "a symbol") needs \(requirement.version) of \(requirement.library), \(why)"))
            }
        }
        return problems
    }

    /// `libraries` and the host under its DT_SONAME, if it has one: the host links the Swift
    /// runtime into itself and is named libswiftCore.so, so ld.so takes it for that library.
    public static func providedLibraries(_ libraries: [String: ELFFile], host: ELFFile) -> [String: ELFFile] {
        guard let soname = host.soname else { return libraries }
        // ld.so matches a DT_NEEDED against what is loaded before it searches: the host wins.
        return libraries.merging([soname: host]) { _, host in host }
    }

    /// Throws one error listing every problem of `files`; returns when there is none.
    public func require(_ files: [ELFFile]) throws(PackagingError) {
        let found = files.flatMap { self.problems(in: $0) }
        guard found.isEmpty else { throw failure(found) }
    }

    /// One error listing every problem (each line `  file: what`), then what to do.
    public func failure(_ problems: [AuditProblem]) -> PackagingError {
        var kinds: [AuditProblem.Kind] = []
        for problem in problems where !kinds.contains(problem.kind) { kinds.append(problem.kind) }
        return PackagingError(
            .audit,
            "would not load on \(base.name):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
                + "\nTo fix: " + kinds.map { AuditProblem.advice(for: $0, base: base) }.joined(separator: "; ")
                + " (docs/deploy.md)")
    }
}

/// One reason an ELF object would not load: the file, the symbol when there is one, and
/// what is wrong.
public struct AuditProblem: CustomStringConvertible, Sendable {
    /// The file, as named in the package (`lib/libswiftGlibc.so`).
    public let file: String
    /// The symbol concerned (`hypotf`), if the problem is about one.
    public let symbol: String?
    /// Which check failed.
    public let kind: Kind
    /// What is wrong, with the symbol and version named.
    public let message: String

    /// The three checks.
    public enum Kind: Sendable {
        /// Built for another architecture than the package.
        case architecture
        /// A DT_NEEDED library that neither the package nor the base image has.
        case library
        /// A symbol version that the library's provider does not define.
        case version
    }

    /// A problem of `kind` with `file` (and `symbol`, when the problem is about one).
    public init(file: String, symbol: String?, kind: Kind, message: String) {
        self.file = file
        self.symbol = symbol
        self.kind = kind
        self.message = message
    }

    /// What to do about problems of `kind`.
    public static func advice(for kind: Kind, base: BaseImage) -> String {
        switch kind {
        case .architecture:
            "build every file for one architecture, and package a layer per architecture"
        case .library:
            "link a library that the layer lacks statically into the plugin (Swift runtime libraries: --swift-runtime-for)"
        case .version:
            "build on the system \(base.name) runs (Amazon Linux 2023) or one with an older glibc and GCC, or avoid the symbols named"
        }
    }

    public var description: String { "\(file): \(message)" }
}
