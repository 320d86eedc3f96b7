@_exported import CLambdaPlugin

/// Builds the descriptor a Swift plugin returns from its entry point, with its handler
/// (the one-declaration form, in LambdaPluginDescriptor+Handler.swift) or without (the
/// handler is then an exported `@c public func handler`):
///
/// ```swift
/// @c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
///     LambdaPluginDescriptor.register(name: "hello", version: "1.0.0") { (person: Person, context) in
///         Greeting(message: "Hello, \(person.name)!")
///     }
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

    /// Returns the plugin's descriptor, building it on the first call. The handler is
    /// then a second `@c` function, exported as `handler` (or the name `_HANDLER` gives);
    /// ``register(name:version:concurrency:flags:initialize:shutdown:handler:)`` makes it
    /// one declaration instead.
    ///
    /// ```swift
    /// LambdaPluginDescriptor.register(name: "hello", version: "1.0.0", concurrency: .threadSafe)
    /// ```
    ///
    /// The descriptor needs no more than a 1.0 host (abi_minor 0, a 1.0-sized struct), so
    /// every lambda-host layer loads the plugin.
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
        built(name: name, version: version, flags: flags | concurrency.flags, initialize: initialize, shutdown: shutdown)
    }

    /// The descriptor, built on the first call and returned as it is after that. With a
    /// `handler` it declares ABI 1.4 (the least host that calls a descriptor's handler) and
    /// its whole size; without, 1.0 and the size of a 1.0 descriptor, which every host
    /// accepts (a host before 1.4 refuses a descriptor larger than its own).
    static func built(
        name: StaticString, version: StaticString, flags: UInt32, initialize: lambda_init_fn?,
        shutdown: lambda_shutdown_fn?, handler: lambda_handler_fn? = nil
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        if let descriptor { return UnsafePointer(descriptor) }
        let made = UnsafeMutablePointer<lambda_plugin_descriptor>.allocate(capacity: 1)
        let full = MemoryLayout<lambda_plugin_descriptor>.size
        made.initialize(
            to: lambda_plugin_descriptor(
                magic: LAMBDA_PLUGIN_MAGIC,
                abi_major: UInt16(LAMBDA_PLUGIN_ABI_MAJOR),
                // The least host minor the plugin needs: the SDK checks the host's table
                // before every call of a function appended after 1.0 (HostTable), so only
                // the descriptor's own handler (1.4) raises it.
                abi_minor: handler == nil ? 0 : 4,
                struct_size: UInt32(handler == nil ? MemoryLayout<lambda_plugin_descriptor>.offset(of: \.handler) ?? full : full),
                flags: flags,
                name: UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self),
                version: UnsafeRawPointer(version.utf8Start).assumingMemoryBound(to: CChar.self),
                swift_toolchain: lambda_plugin_swift_toolchain(),
                init: initialize,
                shutdown: shutdown,
                handler: handler))
        descriptor = made
        return UnsafePointer(made)
    }
}
