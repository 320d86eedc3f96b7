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
/// failure is posted to `/runtime/init/error` before the host exits with status 1. Then
/// ``Worker``s answer invocations: one, or N threads for a thread-safe plugin when
/// `AWS_LAMBDA_MAX_CONCURRENCY` asks for N (docs/concurrency.md).
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
    /// The invocations to run at once (`AWS_LAMBDA_MAX_CONCURRENCY` in a worker process,
    /// else 1); threads only for a plugin that declares itself thread-safe.
    private let concurrency: Int
    /// `LAMBDA_HOST_METRICS` settings (nil: metrics off), and what INIT measured for them.
    private let metricsSettings: MetricsSettings?
    private var phases = HostMetrics.InitPhases()

    private init(
        configuration: Configuration, client: RuntimeAPIClient, concurrency: Int, metrics: MetricsSettings?,
        phases: HostMetrics.InitPhases
    ) {
        self.configuration = configuration
        self.concurrency = concurrency
        metricsSettings = metrics
        self.phases = phases
        self.client = client
    }

    /// Runs the runtime with Lambda's environment; never returns.
    public static func main() -> Never {
        lh_stdout_line_buffered()
        let maxConcurrency = environment("AWS_LAMBDA_MAX_CONCURRENCY")
        // Lambda Managed Instances take JSON logs only: the default there.
        let concurrent = Supervisor.workerCount(maxConcurrency).count > 1
        HostLog.configure(
            format: environment("AWS_LAMBDA_LOG_FORMAT") ?? (concurrent ? "JSON" : nil), level: environment("AWS_LAMBDA_LOG_LEVEL"))
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
        let concurrency = Supervisor.startIfConfigured(maxConcurrency)
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
        let host = Host(configuration: configuration, client: client, concurrency: concurrency, metrics: metrics, phases: phases)
        let handler = host.initialize()
        HostServices.initializing = false
        lh_guard_initialized()
        let hostMetrics = host.startMetrics(handler)
        guard let first = Worker.all.first else {
            HostLog.host(.fatal, "no worker was made at INIT; exiting")
            lh_exit(1)
        }
        Worker.startThreads(handler, metrics: hostMetrics)
        first.run(handler, metrics: hostMetrics)
    }

    /// What answers invocations: a plugin, or a plain C function called through libffi.
    enum Handler: @unchecked Sendable {
        case plugin(LoadedPlugin)
        case function(DynamicHandler)

        /// What another worker thread calls: the same plugin, or the function with a call
        /// interface of its own.
        func forAnotherWorker() throws(PluginLoadError) -> Handler {
            switch self {
            case .plugin: self
            case .function(let function): .function(try function.forAnotherWorker())
            }
        }
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
                chooseModel(threadSafe: plugin.isThreadSafe)
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
                let reported = HostServices.initFailure
                failInit(
                    type: reported?.type ?? PluginLoadError.Code.initFailed.errorType,
                    message: reported?.message
                        ?? "the init hook of plugin '\(plugin.name)' returned \(status) without naming the failure")
            }
        }
        makeWorkers(pluginState: pluginState)
        if plugin.shutdownHook != nil {
            Shutdown.ready(state: pluginState, endpoint: configuration.runtimeAPI ?? "")
        }
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
        chooseModel(threadSafe: function.threadSafe)
        makeWorkers(pluginState: nil)
        lh_exit_on_sigterm()
        lh_guard_remember_libraries(function.function)
        HostLog.host(.debug, "calling \(function.call.signature.text) in \(function.library.path)")
        return .function(function)
    }

    /// With several invocations at once: tells the supervisor whether this worker runs
    /// them all on threads (a thread-safe plugin) or other worker processes are needed.
    private func chooseModel(threadSafe: Bool) {
        guard concurrency > 1 else { return }
        Worker.concurrent = true
        lh_worker_announce_model(threadSafe ? LH_MODEL_THREADS : LH_MODEL_PROCESSES)
        guard threadSafe else { return }
        Worker.count = concurrency
        let status = lh_guard_set_workers(Int32(concurrency))
        if status != 0 { HostLog.host(.warn, "the crash guard follows one worker only (error \(status))") }
    }

    /// Makes the workers, with the Runtime API connection INIT used for the first.
    private func makeWorkers(pluginState: UnsafeMutableRawPointer?) {
        do {
            try Worker.makeAll(client: client, endpoint: configuration.runtimeAPI ?? "", pluginState: pluginState)
        } catch {
            failInit(type: ErrorTypes.invalidConfiguration, message: error.description)
        }
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
}

/// An environment variable, or nil.
func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
