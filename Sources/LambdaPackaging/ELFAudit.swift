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
                    file: file.name, symbol: nil,
                    message: "built for \(file.machine), but the package is for \(architecture); build it on (or for) \(architecture)"))
        }
        for library in file.needed where libraries[library] == nil && !base.libraries.contains(library) {
            problems.append(
                AuditProblem(
                    file: file.name, symbol: nil,
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
                        file: file.name, symbol: symbol,
                        message: "\(symbol ?? "a symbol") needs \(requirement.version) of \(requirement.library), \(why)"))
            }
        }
        return problems
    }
}

/// One reason an ELF object would not load: the file, the symbol when there is one, and
/// what is wrong.
public struct AuditProblem: CustomStringConvertible, Sendable {
    /// The file, as named in the package (`lib/libswiftGlibc.so`).
    public let file: String
    /// The symbol concerned (`hypotf`), if the problem is about one.
    public let symbol: String?
    /// What is wrong, with the symbol and version named.
    public let message: String

    /// A problem with `file` (and `symbol`, when the problem is about one).
    public init(file: String, symbol: String?, message: String) {
        self.file = file
        self.symbol = symbol
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
