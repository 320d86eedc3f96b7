/// Why a plugin could not be loaded, with a message that says what was looked for, where,
/// and what to change.
///
/// The host posts it to `/runtime/init/error` with ``Code/errorType`` as the error type,
/// then exits.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure; stable across releases.
    public enum Code: String, Sendable, CaseIterable {
        /// `_HANDLER` is missing or does not follow the grammar.
        case malformedHandler
        /// The handler's path leaves the task root and the layer.
        case pathEscapesRoot
        /// No file matched the handler's library.
        case pluginNotFound
        /// `dlopen` refused the file (not an ELF, wrong architecture, missing symbol or
        /// library).
        case loadFailed
        /// The library does not export `lambda_plugin_v1`.
        case missingEntryPoint
        /// The plugin's descriptor does not match this host's ABI.
        case abiMismatch
        /// The library does not export the handler symbol.
        case handlerNotFound
        /// The plugin's init hook failed.
        case initFailed

        /// The Lambda error type reported for this code (`Runtime.*`).
        public var errorType: String {
            switch self {
            case .malformedHandler: "Runtime.MalformedHandlerName"
            case .pathEscapesRoot: "Runtime.InvalidHandlerPath"
            case .pluginNotFound: "Runtime.PluginNotFound"
            case .loadFailed: "Runtime.PluginLoadFailed"
            case .missingEntryPoint: "Runtime.MissingEntryPoint"
            case .abiMismatch: "Runtime.ABIMismatch"
            case .handlerNotFound: "Runtime.HandlerNotFound"
            case .initFailed: "Runtime.PluginInitFailed"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, what was looked for and where.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.errorType): \(message)" }
}
