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
/// is reported, not fatal to the command. A library built for another architecture than
/// this machine cannot be loaded here: only what its ELF tables show is checked (the
/// entry point's name), and the verdict says the rest needs a matching machine.
/// Costs one process and one copy of the file per library.
struct PluginInitCheck {
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

    /// Runs the checks on `file`, as `_HANDLER` = `handler` would load it; `shown` names
    /// the file in messages (the path the user gave, or `zip: path`).
    ///
    /// - Throws: ``PluginLoadError`` as the host would report it at INIT, or ``Abort``.
    static func run(_ file: ELFFile, handler: String, shown: String) throws -> Verdict {
        let spec = try HandlerSpec(handler)
        guard file.machine == thisMachine else {
            if file.exports.contains(EntryPoint.symbol) {
                return Verdict(
                    isPlugin: true,
                    summary: "INIT checks not run: built for \(file.machine) and this machine is \(thisMachine); "
                        + "run `lambda-host package check` on an \(file.machine) machine to load it (its ELF tables show \(EntryPoint.symbol))")
            }
            let mangled = EntryPoint.mangledNames(in: file.exports)
            guard mangled.isEmpty else { throw EntryPoint.missing(path: shown, mangled: mangled) }
            return Verdict(isPlugin: false, summary: plainLibrary)
        }
        let folder = try FileSystem.temporaryDirectory("lambda-host-init-check")
        defer { FileSystem.removeTree(folder) }
        let path = folder + "/" + FileSystem.baseName(of: file.name)
        let result = folder + "/result"
        try FileSystem.write(file.bytes, to: path, mode: 0o755)
        let ending = ChildProcess.run(
            [ownExecutable, "package", "init-check", "--handler", handler, "--result", result, path])
        let answer = String(decoding: (try? FileSystem.read(result)) ?? [], as: UTF8.self)
        let lines = answer.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch lines.first {
        case "plugin":
            let name = lines.count > 1 ? lines[1] : "?"
            return Verdict(isPlugin: true, summary: "INIT checks passed: plugin '\(name)', handler '\(spec.symbol)'")
        case "library":
            return Verdict(isPlugin: false, summary: plainLibrary)
        case "error" where lines.count == 3:
            let code = PluginLoadError.Code.allCases.first { $0.errorType == lines[1] } ?? .loadFailed
            throw PluginLoadError(code, lines[2].replacing(path, with: shown))
        default:
            throw Abort(
                description: "\(shown): loading it ended the check process with \(ending) before INIT's checks were done: "
                    + "its constructors or \(EntryPoint.symbol)() crash or exit, and would end the host the same way at INIT")
        }
    }

    static let plainLibrary =
        "a plain C library (no \(EntryPoint.symbol)): its Handler names a function and its signature (docs/dynamic-handlers.md)"

    /// This executable, which runs the checks in a child (`/proc/self/exe`).
    static let ownExecutable = "/proc/self/exe"
}
