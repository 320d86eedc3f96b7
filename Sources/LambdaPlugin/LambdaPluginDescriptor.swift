@_exported import CLambdaPlugin

/// Builds the descriptor a Swift plugin returns from its entry point:
///
/// ```swift
/// @c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
///     LambdaPluginDescriptor.register(name: "hello", version: "1.0.0")
/// }
/// ```
///
/// It fills in the magic, the ABI version and the Swift toolchain the plugin was built
/// with, so that the host can refuse a plugin built with another toolchain. The
/// descriptor is built on the first call and returned as it is after that.
public enum LambdaPluginDescriptor {
    nonisolated(unsafe) private static var descriptor: UnsafeMutablePointer<lambda_plugin_descriptor>?

    /// Whether the host may call the plugin's handler on several threads at once.
    public enum Concurrency: Sendable {
        /// One invocation at a time (the default).
        case oneAtATime
        /// The handler, and everything it touches, may run on several threads at once:
        /// under Lambda Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY` above 1) the
        /// host then runs several invocations in one process. Declare it only for a
        /// handler whose closure could be `@Sendable`: no unsynchronised shared state.
        case threadSafe

        var flags: UInt32 { self == .threadSafe ? UInt32(LAMBDA_PLUGIN_THREAD_SAFE) : 0 }
    }

    /// Returns the plugin's descriptor, building it on the first call.
    ///
    /// ```swift
    /// LambdaPluginDescriptor.register(name: "hello", version: "1.0.0", concurrency: .threadSafe)
    /// ```
    ///
    /// - Parameters:
    ///   - name: a short name for logs and errors.
    ///   - version: the plugin's version.
    ///   - concurrency: whether the handler may run on several threads at once.
    ///   - flags: further `LAMBDA_PLUGIN_*` flags, or'ed with `concurrency`'s.
    ///   - initialize: the init hook (see `lambda_init_fn`), or nil.
    ///   - shutdown: the shutdown hook (see `lambda_shutdown_fn`), or nil.
    public static func register(
        name: StaticString,
        version: StaticString,
        concurrency: Concurrency = .oneAtATime,
        flags: UInt32 = 0,
        initialize: lambda_init_fn? = nil,
        shutdown: lambda_shutdown_fn? = nil
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        if let descriptor { return UnsafePointer(descriptor) }
        let made = UnsafeMutablePointer<lambda_plugin_descriptor>.allocate(capacity: 1)
        made.initialize(
            to: lambda_plugin_descriptor(
                magic: LAMBDA_PLUGIN_MAGIC,
                abi_major: UInt16(LAMBDA_PLUGIN_ABI_MAJOR),
                // The least host minor the plugin needs: 0, as the SDK checks the host's
                // table before every call of a function appended after 1.0 (HostTable).
                abi_minor: 0,
                struct_size: UInt32(MemoryLayout<lambda_plugin_descriptor>.size),
                flags: flags | concurrency.flags,
                name: UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self),
                version: UnsafeRawPointer(version.utf8Start).assumingMemoryBound(to: CChar.self),
                swift_toolchain: lambda_plugin_swift_toolchain(),
                init: initialize,
                shutdown: shutdown))
        descriptor = made
        return UnsafePointer(made)
    }
}
