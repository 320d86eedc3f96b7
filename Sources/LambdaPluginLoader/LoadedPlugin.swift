import CLambdaPlugin

/// A plugin that passed every check: its descriptor matches this host's ABI and its
/// handler symbol exists. Nothing of the plugin has run yet but its entry point.
public struct LoadedPlugin: @unchecked Sendable {
    /// The library.
    public let library: SharedLibrary
    /// The plugin's descriptor as this host knows it: the plugin's `struct_size` bytes,
    /// and zeros for the fields it is too old to have. Its strings point into the plugin.
    public let descriptor: lambda_plugin_descriptor
    /// The handler to call for each invocation.
    public let handler: lambda_handler_fn
    /// The handler's name for messages: its symbol, or ``descriptorHandlerName``.
    public let handlerName: String

    /// ``handlerName`` when the handler is the descriptor's `handler` field (ABI 1.4).
    public static let descriptorHandlerName = "lambda_plugin_v1().handler"

    /// The plugin's name from its descriptor.
    public var name: String { descriptor.name.map { String(cString: $0) } ?? "?" }

    /// The init hook, if the plugin has one.
    public var initHook: lambda_init_fn? { descriptor.`init` }

    /// The shutdown hook, if the plugin has one.
    public var shutdownHook: lambda_shutdown_fn? { descriptor.shutdown }

    /// Whether the descriptor declares `LAMBDA_PLUGIN_THREAD_SAFE`: the handler may run
    /// on several threads at once.
    public var isThreadSafe: Bool { descriptor.flags & UInt32(LAMBDA_PLUGIN_THREAD_SAFE) != 0 }

    /// Loads the plugin a parsed `_HANDLER` names: locate, open, check the descriptor, find
    /// the handler.
    ///
    /// - Throws: ``PluginLoadError`` naming what was looked for and where.
    public static func load(spec: HandlerSpec, locator: PluginLocator) throws(PluginLoadError) -> LoadedPlugin {
        let path = try locator.locate(spec)
        guard let plugin = try open(path: path, spec: spec) else {
            throw EntryPoint.missing(path: path, mangled: [])
        }
        return plugin
    }

    /// INIT's checks on the library at `path`, in INIT's order: open it, call its entry
    /// point, check the descriptor (magic, ABI version, size, name, Swift toolchain), and
    /// find the handler as a function the library defines: the descriptor's `handler`
    /// when `spec` names the library alone and the plugin sets one (ABI 1.4), else the
    /// symbol `spec` names (an explicit one always wins). Runs the
    /// library's constructors and its entry point, nothing else of it. Nil for a library
    /// with no entry point at all (a plain C library, for a dynamic handler). The host
    /// and `lambda-host package` both check plugins with it.
    ///
    /// - Throws: ``PluginLoadError``, exactly what the host reports at INIT.
    public static func open(path: String, spec: HandlerSpec) throws(PluginLoadError) -> LoadedPlugin? {
        let library = try SharedLibrary(path: path)
        guard let entry = try DescriptorCheck.entryDescriptor(of: library) else { return nil }
        let descriptor = try DescriptorCheck.verify(entry, path: path)
        if spec.symbolIsDefault, let handler = descriptor.handler {
            try library.checkOwnFunction(
                unsafeBitCast(handler, to: UnsafeRawPointer.self), field: "the descriptor's 'handler'", as: "the handler",
                code: .handlerNotFound)
            return LoadedPlugin(library: library, descriptor: descriptor, handler: handler, handlerName: Self.descriptorHandlerName)
        }
        guard let symbol = try library.function(spec.symbol, as: "the handler", code: .handlerNotFound) else {
            let mangled = EntryPoint.mangledNames(of: spec.symbol, in: library.definedSymbols())
            let cxx = mangled.first.map { "; it exports the C++-mangled \($0): declare the handler extern \"C\"" } ?? ""
            throw PluginLoadError(
                .handlerNotFound,
                "\(path) does not export the handler symbol '\(spec.symbol)' named by _HANDLER '\(spec.text)'\(cxx); "
                    + "export it (C: LAMBDA_EXPORT, C++: extern \"C\" LAMBDA_EXPORT, Swift: @c public func) or fix _HANDLER"
                    + (spec.symbolIsDefault
                        ? "; or set the descriptor's 'handler' (ABI 1.4; Swift: pass the handler to LambdaPluginDescriptor.register)"
                        : descriptor.handler != nil
                            ? "; the plugin's descriptor has a handler of its own: name the library alone in _HANDLER to call it"
                            : ""))
        }
        let handler = unsafeBitCast(symbol, to: lambda_handler_fn.self)
        return LoadedPlugin(library: library, descriptor: descriptor, handler: handler, handlerName: spec.symbol)
    }
}
