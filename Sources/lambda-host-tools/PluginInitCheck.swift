import Glibc
import LambdaPackaging
import LambdaPluginLoader

/// The host's own INIT checks on a library about to be packaged or checked: open it, call
/// its entry point, check the descriptor (magic, ABI version, size, name, Swift
/// toolchain) and find the handler as a function. They are `LoadedPlugin.open`, the code
/// the host runs at INIT, so a refusal carries the host's `Runtime.*` type and message.
///
/// Loading runs the library's constructors, so it happens in a child process (this
/// executable's hidden `package init-check`): a plugin that crashes or exits while loading
/// is reported, not fatal to the command. A file on disk is loaded where it is, so its
/// libraries resolve as they do in development; one inside a zip is written to a
/// temporary folder beside the layer's libraries, which its `$ORIGIN` search path then
/// finds as the layer's `lib/` is found in Lambda. A library built for another
/// architecture than this machine cannot be loaded here: only what its ELF tables show is
/// checked (the entry point's name), and the verdict says the rest needs a matching
/// machine. Costs one process per library, and one copy of the layer's libraries per
/// command when a zip holds a library.
final class PluginInitCheck {
    /// What the checks found.
    struct Verdict {
        /// True for a plugin (it exports `lambda_plugin_v1`); false for a plain C library,
        /// which serves a dynamic handler.
        var isPlugin: Bool
        /// One line for the output.
        var summary: String
    }

    /// A load that ended the check process instead of answering.
    struct Abort: Error, CustomStringConvertible {
        var description: String
    }

    /// The architecture of this machine, the only one `dlopen` can load.
    static var thisMachine: ELFMachine {
        #if arch(x86_64)
        .x86_64
        #elseif arch(arm64)
        .arm64
        #else
        ELFMachine(rawValue: 0)
        #endif
    }

    /// The layer's libraries, by file name: written beside a library that is not on disk.
    private let layerLibraries: [String: ELFFile]
    /// The temporary folder for libraries from zips, once one was needed.
    private var folder: String?
    /// Whether the layer's libraries are in `folder` yet.
    private var librariesWritten = false

    /// Checks that load a library from a zip beside `layerLibraries`.
    init(layerLibraries: [String: ELFFile]) { self.layerLibraries = layerLibraries }

    deinit { folder.map(FileSystem.removeTree) }

    /// Runs the checks on `file`, as `_HANDLER` = `handler` would load it, from `path` when
    /// it is a file on disk (nil: it came from a zip); `shown` names it in messages, in
    /// place of the path it was loaded from.
    ///
    /// - Throws: ``PluginLoadError`` as the host would report it at INIT, or ``Abort``.
    func run(_ file: ELFFile, at path: String?, handler: String, shown: String) throws -> Verdict {
        let spec = try HandlerSpec(handler)
        guard file.machine == Self.thisMachine else {
            if file.exports.contains(EntryPoint.symbol) {
                return Verdict(
                    isPlugin: true,
                    summary: "INIT checks not run: built for \(file.machine) and this machine is \(Self.thisMachine); "
                        + "run `lambda-host package check` on an \(file.machine) machine to load it (its ELF tables show \(EntryPoint.symbol))")
            }
            let mangled = EntryPoint.mangledNames(in: file.exports)
            guard mangled.isEmpty else { throw EntryPoint.missing(path: shown, mangled: mangled) }
            return Verdict(isPlugin: false, summary: Self.plainLibrary)
        }
        let work = try workFolder()
        let result = work + "/result"
        unlink(result)
        let library = try path.map(FileSystem.realPath) ?? extract(file, into: work)
        let ending = ChildProcess.run(
            [Self.ownExecutable, "package", "init-check", "--handler", handler, "--result", result, library])
        let answer = String(decoding: (try? FileSystem.read(result)) ?? [], as: UTF8.self)
        let lines = answer.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch lines.first {
        case "plugin":
            let handler = lines.count > 1 ? lines[1] : spec.symbol
            let name = lines.count > 2 ? lines[2] : "?"
            return Verdict(isPlugin: true, summary: "INIT checks passed: plugin '\(name)', handler '\(handler)'")
        case "library":
            return Verdict(isPlugin: false, summary: Self.plainLibrary)
        case "error" where lines.count == 3:
            let code = PluginLoadError.Code.allCases.first { $0.errorType == lines[1] } ?? .loadFailed
            throw PluginLoadError(code, lines[2].replacing(library, with: shown))
        default:
            throw Abort(
                description: "\(shown): loading it ended the check process with \(ending) before INIT's checks were done: "
                    + "its constructors or \(EntryPoint.symbol)() crash or exit, and would end the host the same way at INIT")
        }
    }

    static let plainLibrary =
        "a plain C library (no \(EntryPoint.symbol)): its Handler names a function and its signature (docs/dynamic-handlers.md)"

    /// The temporary folder, made on first use.
    private func workFolder() throws -> String {
        if let folder { return folder }
        let made = try FileSystem.temporaryDirectory("lambda-host-init-check")
        folder = made
        return made
    }

    /// Writes `file` into `work`, and the layer's libraries beside it the first time.
    private func extract(_ file: ELFFile, into work: String) throws -> String {
        if !librariesWritten {
            for (name, library) in layerLibraries { try FileSystem.write(library.bytes, to: work + "/" + name, mode: 0o755) }
            librariesWritten = true
        }
        let path = work + "/" + FileSystem.baseName(of: file.name)
        try FileSystem.write(file.bytes, to: path, mode: 0o755)
        return path
    }

    /// This executable, which runs the checks in a child (`/proc/self/exe`).
    static let ownExecutable = "/proc/self/exe"
}
