import CLambdaSystem

/// A shared object opened with `dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)`.
///
/// NOW makes a missing symbol fail here, at INIT, where it can be reported; LOCAL keeps
/// two plugins from seeing each other's symbols; NODELETE keeps the image mapped for the
/// life of the process, because a Swift image can never be unloaded safely. There is
/// therefore no close.
public struct SharedLibrary: @unchecked Sendable {
    /// The path it was opened from.
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// Opens the library at `path`.
    ///
    /// - Throws: ``PluginLoadError`` `.loadFailed` with `dlerror()`'s text.
    public init(path: String) throws(PluginLoadError) {
        self.path = path
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLoadError(.loadFailed, "cannot load \(path): \(reason)")
        }
        self.handle = handle
    }

    /// The address of an exported symbol, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        return dlsym(handle, name)
    }

    /// The address of an exported function, for a handler. Nil when the library does not
    /// export `name`; throws when it exports `name` as data, which would crash if called.
    /// Costs one dlsym and one dladdr1.
    public func function(_ name: String, in path: String) throws(PluginLoadError) -> UnsafeMutableRawPointer? {
        guard let address = symbol(name) else { return nil }
        guard lh_symbol_is_code(address) != 0 else {
            throw PluginLoadError(
                .handlerNotFound, "\(path) exports '\(name)' as data, not as a function, so it cannot be the handler")
        }
        return address
    }
}
