import CLambdaPlugin
import CLambdaSystem
import LambdaMetrics
import LambdaOutbound
import LambdaPluginLoader
import LambdaRuntimeAPI

/// The Lambda runtime: loads the plugin `_HANDLER` names (INIT), then answers
/// invocations forever.
///
/// INIT does only what the first invocation needs: parse `_HANDLER`, `dlopen` the
/// plugin, check its descriptor, run its init hook, and (only for a plugin with a
/// shutdown hook) register for SIGTERM. No thread pool, event loop or Foundation. Each
/// failure is posted to `/runtime/init/error` before the host exits with status 1.
public final class Host {
    /// Where the host reads its configuration: Lambda's environment variables.
    public struct Configuration: Sendable {
        /// `AWS_LAMBDA_RUNTIME_API`: host:port of the Runtime API.
        public var runtimeAPI: String?
        /// `_HANDLER`: the plugin and symbol (see `HandlerSpec`), or why its bytes cannot
        /// be read as text.
        public var handler: Result<String, PluginLoadError>
        /// `LAMBDA_TASK_ROOT` (default `/var/task`).
        public var taskRoot: String
        /// Where layers are unpacked (`/opt`).
        public var layerRoot: String

        /// Reads the configuration from the process environment.
        public static func fromEnvironment() -> Configuration {
            Configuration(
                runtimeAPI: environment("AWS_LAMBDA_RUNTIME_API"),
                handler: getenv("_HANDLER").map { bytes in Result { () throws(PluginLoadError) in try HandlerSpec.text(of: bytes) } }
                    ?? .success(""),
                taskRoot: environment("LAMBDA_TASK_ROOT") ?? "/var/task",
                layerRoot: "/opt")
        }
    }

    private let configuration: Configuration
    private let client: RuntimeAPIClient
    private let state: InvocationState
    private let trace = TraceEnvironment()
    private let slots: InvocationSlots
    /// `LAMBDA_HOST_METRICS` settings (nil: metrics off), and what INIT measured for them.
    private let metricsSettings: MetricsSettings?
    private var phases = HostMetrics.InitPhases()

    private init(configuration: Configuration, client: RuntimeAPIClient, metrics: MetricsSettings?, phases: HostMetrics.InitPhases) {
        self.configuration = configuration
        metricsSettings = metrics
        self.phases = phases
        self.client = client
        state = InvocationState(client: client)
        slots = InvocationSlots(host: HostServices.table)
        HostServices.state = state
    }

    /// Runs the runtime with Lambda's environment; never returns.
    public static func main() -> Never {
        lh_stdout_line_buffered()
        HostLog.configure(format: environment("AWS_LAMBDA_LOG_FORMAT"), level: environment("AWS_LAMBDA_LOG_LEVEL"))
        let metrics = HostMetrics.settings()
        var phases = HostMetrics.InitPhases()
        if metrics != nil {
            phases.mainStarted = lh_monotonic_us()
            phases.startToMain = lh_process_age_us()
        }
        let configuration = Configuration.fromEnvironment()
        guard let endpoint = configuration.runtimeAPI, !endpoint.isEmpty else {
            HostLog.host(
                .fatal,
                "AWS_LAMBDA_RUNTIME_API is not set: lambda-host is a Lambda runtime and talks to the Runtime API. "
                    + "Run it under Lambda, or point AWS_LAMBDA_RUNTIME_API at an emulator (see README.md)")
            lh_exit(1)
        }
        // Before anything connects or starts a thread: returns in each worker process.
        Supervisor.startIfConfigured(environment("AWS_LAMBDA_MAX_CONCURRENCY"))
        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(endpoint: endpoint)
        } catch {
            HostLog.host(.fatal, error.description)
            lh_exit(1)
        }
        let guardStatus = lh_guard_install(client.connection.host, client.connection.port, HostLog.json ? 1 : 0)
        if guardStatus != 0 {
            HostLog.host(.warn, "cannot install the crash guard (error \(guardStatus)); a crash will not be reported")
        }
        let host = Host(configuration: configuration, client: client, metrics: metrics, phases: phases)
        let handler = host.initialize()
        host.state.initializing = false
        lh_guard_initialized()
        host.run(handler, metrics: host.startMetrics(handler))
    }

    /// What answers invocations: a plugin, or a plain C function called through libffi.
    enum Handler {
        case plugin(LoadedPlugin)
        case function(DynamicHandler)
    }

    // MARK: INIT

    private func initialize() -> Handler {
        do throws(ConfigurationError) {
            OutboundServices.configuration = try OutboundConfiguration(environment: environment)
            OutboundServices.configuration.aws = AWSEnvironment.current()
        } catch {
            failInit(type: ErrorTypes.invalidConfiguration, message: error.description)
        }
        let measuring = metricsSettings != nil
        let locator = PluginLocator(taskRoot: configuration.taskRoot, layerRoot: configuration.layerRoot)
        let plugin: LoadedPlugin
        do throws(PluginLoadError) {
            let spec = try HandlerSpec(configuration.handler.get())
            if let signature = spec.signature {
                let source = DynamicHandler.Source(text: signature.text, offset: signature.offset, origin: "_HANDLER '\(spec.text)'")
                return try function(spec: spec, signature: source, locator: locator)
            }
            do throws(PluginLoadError) {
                let loading = measuring ? lh_monotonic_us() : 0
                plugin = try LoadedPlugin.load(spec: spec, locator: locator)
                if measuring { phases.pluginLoad = lh_monotonic_us() - loading }
            } catch {
                // Not a plugin: the library may declare the function's signature itself.
                guard error.code == .missingEntryPoint,
                    let declared = try DynamicHandler.declaredSignature(spec: spec, locator: locator)
                else { throw error }
                return try function(spec: spec, signature: declared, locator: locator)
            }
        } catch {
            failInit(type: error.code.errorType, message: error.message)
        }
        // A crash in the init hook is named inside the plugin's library.
        let handlerAddress = unsafeBitCast(plugin.handler, to: UnsafeRawPointer.self)
        lh_guard_remember_libraries(handlerAddress)
        if let shutdown = plugin.shutdownHook {
            Shutdown.watch(hook: shutdown)
        } else {
            lh_exit_on_sigterm()
        }
        var pluginState: UnsafeMutableRawPointer?
        if let initHook = plugin.initHook {
            let hookStarted = measuring ? lh_monotonic_us() : 0
            let status = initHook(HostServices.table, &pluginState)
            if measuring { phases.initHook = lh_monotonic_us() - hookStarted }
            if status != LAMBDA_OK {
                let reported = state.initFailure
                failInit(
                    type: reported?.type ?? PluginLoadError.Code.initFailed.errorType,
                    message: reported?.message
                        ?? "the init hook of plugin '\(plugin.name)' returned \(status) without naming the failure")
            }
        }
        if plugin.shutdownHook != nil {
            Shutdown.ready(state: pluginState, endpoint: configuration.runtimeAPI ?? "")
        }
        slots.pluginState = pluginState
        if !OutboundServices.configuration.prewarm.isEmpty { OutboundServices.state.prewarmFromEnvironment() }
        // Again: the init hook may have loaded libraries of its own.
        if plugin.initHook != nil { lh_guard_remember_libraries(handlerAddress) }
        HostLog.host(.debug, "loaded plugin '\(plugin.name)' from \(plugin.library.path), handler '\(plugin.handlerName)'")
        return .plugin(plugin)
    }

    /// INIT for a plain C function called through libffi.
    private func function(
        spec: HandlerSpec,
        signature: DynamicHandler.Source,
        locator: PluginLocator
    ) throws(PluginLoadError) -> Handler {
        let loading = metricsSettings != nil ? lh_monotonic_us() : 0
        let function = try DynamicHandler(spec: spec, signature: signature, locator: locator)
        if metricsSettings != nil { phases.pluginLoad = lh_monotonic_us() - loading }
        lh_exit_on_sigterm()
        lh_guard_remember_libraries(function.function)
        HostLog.host(.debug, "calling \(function.call.signature.text) in \(function.library.path)")
        return .function(function)
    }

    private func failInit(type: String, message: String) -> Never {
        HostLog.host(.fatal, "\(type): \(message)")
        guard lh_worker_claim_init_error() != 0 else {
            HostLog.host(.error, "another worker process has reported its init error; this one exits without reporting")
            lh_exit(1)
        }
        do {
            let status = try client.reportInitError(type: type, message: message)
            if status != 202 {
                HostLog.host(.error, "the Runtime API answered \(status) to POST /runtime/init/error")
            }
        } catch {
            HostLog.host(.error, "could not report the init error: \(error.description)")
        }
        lh_exit(1)
    }

    /// The metrics, once the handler is known (its name is a dimension), after the INIT
    /// document is written; nil when metrics are off.
    private func startMetrics(_ handler: Handler) -> HostMetrics? {
        guard let metricsSettings else { return nil }
        let name = switch handler {
        case .plugin(let plugin): plugin.name
        case .function(let function): function.name
        }
        let metrics = HostMetrics.make(metricsSettings, plugin: name)
        metrics?.initialized(phases)
        return metrics
    }

    // MARK: Invocations

    private func run(_ handler: Handler, metrics: HostMetrics?) -> Never {
        while true {
            do {
                let next = try client.next()
                let received = metrics == nil ? 0 : lh_monotonic_us()
                if next.eventTooLarge {
                    try state.reject(
                        next, type: ErrorTypes.eventTooLarge,
                        message: "the event is \(next.reply.bodyLength) bytes; Lambda accepts at most \(RuntimeAPIClient.maxEventBytes)")
                    continue
                }
                guard let deadline = next.deadlineMs else {
                    try state.reject(
                        next, type: ErrorTypes.malformedInvocation,
                        message: "the invocation has no valid Lambda-Runtime-Deadline-Ms header")
                    continue
                }
                let traceID = next.cString(next.reply.traceID)
                trace.set(traceID)
                let body = next.body
                let requestID = next.bytes(of: next.reply.requestID)
                let invocationID = next.bytes(of: next.reply.invocationID)
                // From here a crash or an exit() is reported as this invocation's error.
                lh_guard_begin(
                    requestID.baseAddress?.assumingMemoryBound(to: CChar.self), requestID.count,
                    invocationID.baseAddress?.assumingMemoryBound(to: CChar.self), invocationID.count)
                var handled: Int64 = 0
                switch handler {
                case .plugin(let plugin):
                    let slot = slots.start(
                        lambda_invocation(
                            struct_size: 0, reserved: 0, host: nil, state: nil,
                            payload: body.baseAddress?.assumingMemoryBound(to: CChar.self) ?? InvocationSlots.empty,
                            payload_size: body.count, request_id: next.cString(next.reply.requestID),
                            deadline_ms: deadline,
                            invoked_function_arn: next.cString(next.reply.functionARN) ?? InvocationSlots.empty,
                            trace_id: traceID, client_context: next.cString(next.reply.clientContext),
                            cognito_identity: next.cString(next.reply.cognitoIdentity),
                            tenant_id: next.cString(next.reply.tenantID), host_private: nil))
                    lh_answer_lock()
                    state.begin(next, slot: slot)
                    lh_answer_unlock()
                    lh_invocation_lock()
                    let handlerStarted = metrics == nil ? 0 : lh_monotonic_us()
                    let status = plugin.handler(slot)
                    handled = metrics == nil ? 0 : lh_monotonic_us() - handlerStarted
                    lh_invocation_unlock()
                    lh_answer_lock()
                    state.handlerReturned()
                    slots.retire(slot)
                    lh_answer_unlock()
                    try state.finish(handlerStatus: status, handlerName: plugin.handlerName)
                case .function(let function):
                    state.begin(next)
                    let handlerStarted = metrics == nil ? 0 : lh_monotonic_us()
                    function.handle(body, state: state)
                    handled = metrics == nil ? 0 : lh_monotonic_us() - handlerStarted
                    try state.finish(handlerStatus: LAMBDA_OK, handlerName: function.name)
                }
                metrics?.invoked(requestID: requestID, received: received, handler: handled, eventBytes: body.count, state: state)
            } catch {
                HostLog.host(.fatal, "\(error.description); exiting")
                lh_exit(1)
            }
        }
    }
}

/// An environment variable, or nil.
func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
