import CLambdaPlugin
import CLambdaSystem
import LambdaRuntimeAPI

/// Runs a plugin's shutdown hook on SIGTERM, then exits with status 0.
///
/// Lambda sends SIGTERM to a runtime only when an extension is registered, so for a
/// plugin with a shutdown hook the host registers an internal extension that subscribes
/// to no event, and parks one thread on its `event/next` call, as AWS's Go and Rust
/// runtimes do. Plugins without a shutdown hook pay for none of this: SIGTERM then just
/// ends the process with status 0.
///
/// The hook never runs at the same time as a handler: the signal thread takes every
/// worker's invocation lock first, so it waits until each running handler has returned
/// (the hook runs once, after all of them), and no worker starts another.
enum Shutdown {
    nonisolated(unsafe) private static var hook: lambda_shutdown_fn?
    nonisolated(unsafe) private static var pluginState: UnsafeMutableRawPointer?
    nonisolated(unsafe) private static var initialized = false
    nonisolated(unsafe) private static var extensionClient: RuntimeAPIClient?
    nonisolated(unsafe) private static var extensionID = ""

    /// The name the host's internal extension registers under.
    static let extensionName = "lambda-host"

    /// Starts watching for SIGTERM. Call before the plugin's init hook can start threads.
    static func watch(hook: @escaping lambda_shutdown_fn) {
        self.hook = hook
        let status = lh_watch_sigterm(onSigterm)
        if status != 0 {
            HostLog.host(.warn, "cannot watch for SIGTERM (error \(status)); the shutdown hook will not run")
            lh_exit_on_sigterm()
        }
    }

    /// Marks INIT as done (the hook may run from now on) and registers the extension.
    static func ready(state: UnsafeMutableRawPointer?, endpoint: String) {
        lh_invocation_lock()
        pluginState = state
        initialized = true
        lh_invocation_unlock()
        registerExtension(endpoint: endpoint)
    }

    private static func registerExtension(endpoint: String) {
        // Of several worker processes, one registers for all: the name is the environment's.
        guard lh_worker_claim_extension() != 0 else { return }
        do {
            let client = try RuntimeAPIClient(endpoint: endpoint)
            guard let identifier = try client.registerExtension(name: extensionName) else {
                HostLog.host(
                    .debug, "the Runtime API has no Extensions API; SIGTERM arrives only if another extension registers")
                return
            }
            extensionClient = client
            extensionID = identifier
            let status = lh_thread_start(waitForEvent, nil)
            if status != 0 { HostLog.host(.warn, "cannot start the extension thread (error \(status))") }
        } catch {
            HostLog.host(.warn, "cannot register the SIGTERM extension: \(error)")
        }
    }

    private static let waitForEvent: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
        guard let client = extensionClient else { return }
        do {
            try client.waitForExtensionEvent(identifier: extensionID)
        } catch {
            HostLog.host(.debug, "extension event/next ended: \(error)")
        }
    }

    private static let onSigterm: @convention(c) () -> Void = {
        lh_invocation_lock()
        if initialized, let hook {
            for worker in Worker.all { lh_mutex_lock(worker.invocationLock) }
            HostLog.host(.info, "SIGTERM: running the plugin's shutdown hook")
            OutboundServices.shuttingDown = true
            hook(pluginState)
        }
        lh_exit(0)
    }
}
