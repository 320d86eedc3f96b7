import CLambdaPlugin

/// A whole plugin in one declaration: the entry point registers the handler with the
/// descriptor (ABI 1.4), so the plugin exports `lambda_plugin_v1` and nothing else.
///
/// ```swift
/// @c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
///     LambdaPluginDescriptor.register(name: "hello", version: "1.0.0", concurrency: .threadSafe) { (person: Person, context) in
///         Greeting(message: "Hello, \(person.name)!")
///     }
/// }
/// ```
///
/// The closure is stored once, in the plugin's own copy of this SDK, and called from a
/// fixed C function of the SDK that the descriptor's `handler` points to; `_HANDLER` then
/// names the library alone (`libhello.so`). A `_HANDLER` that names a symbol still calls
/// that symbol. The descriptor declares ABI 1.4, so a lambda-host layer older than 1.4
/// refuses the plugin at INIT ("needs a newer host") rather than looking for `handler`.
///
/// Cost over the two-function form: one indirect call through the stored closure per
/// invocation (nanoseconds) and the closure's context, kept for the life of the process.
/// One registration per plugin: the first call builds the descriptor and stores the
/// closure; later calls return that descriptor and ignore their closure.
extension LambdaPluginDescriptor {
    /// What the descriptor's handler calls: set once, by the first registration.
    nonisolated(unsafe) private static var registered: ((UnsafePointer<lambda_invocation>?) -> lambda_status)?

    /// The descriptor's handler: a fixed C function, defined inside the plugin (the host
    /// checks that). Without a registration it answers nothing and returns
    /// `LAMBDA_E_INVALID`, which the host reports as Runtime.HandlerFailed.
    private static let trampoline: lambda_handler_fn = { invocation in
        LambdaPluginDescriptor.registered?(invocation) ?? LAMBDA_E_INVALID
    }

    /// The descriptor of a plugin whose handler decodes the event as JSON into `Event`
    /// and answers with `handler`'s result encoded as JSON, as
    /// ``LambdaPlugin/handle(_:_:)`` does (same coders, same errors).
    ///
    /// - Parameters: as ``register(name:version:concurrency:flags:initialize:shutdown:)``, and
    ///   - handler: called once per invocation; may throw a ``LambdaPluginError``.
    public static func register<Event: Decodable, Output: Encodable>(
        name: StaticString,
        version: StaticString,
        concurrency: Concurrency = .oneAtATime,
        flags: UInt32 = 0,
        initialize: lambda_init_fn? = nil,
        shutdown: lambda_shutdown_fn? = nil,
        handler: @escaping (Event, LambdaContext) throws -> Output
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        withHandler(name, version, flags | concurrency.flags, initialize, shutdown) { LambdaPlugin.handle($0, handler) }
    }

    /// The descriptor of a plugin whose handler takes the raw event and answers with the
    /// bytes it returns, as ``LambdaPlugin/handleBytes(_:_:)`` does.
    public static func registerBytes(
        name: StaticString,
        version: StaticString,
        concurrency: Concurrency = .oneAtATime,
        flags: UInt32 = 0,
        initialize: lambda_init_fn? = nil,
        shutdown: lambda_shutdown_fn? = nil,
        handler: @escaping (UnsafeRawBufferPointer, LambdaContext) throws -> [UInt8]
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        withHandler(name, version, flags | concurrency.flags, initialize, shutdown) { LambdaPlugin.handleBytes($0, handler) }
    }

    /// The descriptor of a plugin whose handler streams its answer, with the event
    /// decoded as JSON into `Event`, as ``LambdaPlugin/stream(_:contentType:_:)`` with an event
    /// does: a decoding failure answers `Runtime.InvalidEvent` before anything is streamed.
    public static func registerStream<Event: Decodable>(
        name: StaticString,
        version: StaticString,
        concurrency: Concurrency = .oneAtATime,
        flags: UInt32 = 0,
        initialize: lambda_init_fn? = nil,
        shutdown: lambda_shutdown_fn? = nil,
        contentType: String = "application/octet-stream",
        handler: @escaping (Event, LambdaResponseStreamWriter, LambdaContext) throws -> Void
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        withHandler(name, version, flags | concurrency.flags, initialize, shutdown) {
            LambdaPlugin.stream($0, contentType: contentType, handler)
        }
    }

    private static func withHandler(
        _ name: StaticString, _ version: StaticString, _ flags: UInt32, _ initialize: lambda_init_fn?,
        _ shutdown: lambda_shutdown_fn?, _ body: @escaping (UnsafePointer<lambda_invocation>?) -> lambda_status
    ) -> UnsafePointer<lambda_plugin_descriptor> {
        if registered == nil { registered = body }
        return built(name: name, version: version, flags: flags, initialize: initialize, shutdown: shutdown, handler: trampoline)
    }
}
