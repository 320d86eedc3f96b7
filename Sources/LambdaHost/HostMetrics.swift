import CLambdaSystem
import LambdaMetrics
import LambdaRuntimeAPI

/// The host's CloudWatch metrics (`LAMBDA_HOST_METRICS=emf`, see docs/metrics.md): one
/// Embedded Metric Format document per invocation and one per INIT, each one line on
/// stdout written with one `write(2)`.
///
/// Exists only when metrics are on; the run loop holds an optional, so with metrics off
/// an invocation pays one test of nil and nothing else. With metrics on: four clock reads
/// and one line of about 700 bytes per invocation, built in a reused buffer (no
/// allocation once it has grown). The buffer is behind a mutex, so workers on several
/// threads may share one instance.
final class HostMetrics {
    /// The times INIT measured, in microseconds.
    struct InitPhases {
        /// When `main` began (monotonic clock).
        var mainStarted: Int64 = 0
        /// The process's age at `main` (-1: unknown).
        var startToMain: Int64 = -1
        var pluginLoad: Int64 = 0
        var initHook: Int64 = 0
    }

    let formats: HostMetricFormats
    private let mutex: OpaquePointer
    private var writer = ByteWriter(capacity: 1024)

    private init(formats: HostMetricFormats) {
        self.formats = formats
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    /// Reads `LAMBDA_HOST_METRICS*`, logging one WARN per value it does not accept; nil
    /// when metrics are off.
    static func settings() -> MetricsSettings? {
        let (settings, warnings) = MetricsSettings.parse(environment)
        for warning in warnings { HostLog.host(.warn, warning) }
        return settings
    }

    /// The metrics for `settings` and the plugin (or function) named `plugin`; nil, with a
    /// WARN, when the settings make a document the spec refuses.
    static func make(_ settings: MetricsSettings, plugin: String) -> HostMetrics? {
        do throws(EMFFormat.Problem) {
            return HostMetrics(formats: try HostMetricFormats(settings: settings, plugin: plugin, environment: environment))
        } catch {
            HostLog.host(.warn, "LAMBDA_HOST_METRICS: \(error.description); metrics are off")
            return nil
        }
    }

    /// Writes the INIT document; `phases` as measured, INIT ending now.
    func initialized(_ phases: InitPhases) {
        let total = lh_monotonic_us() - phases.mainStarted
        emit(formats.initialization, requestID: nil) { values in
            values[HostMetricFormats.Initialization.startToMain.rawValue] = max(0, phases.startToMain)
            values[HostMetricFormats.Initialization.pluginLoad.rawValue] = phases.pluginLoad
            values[HostMetricFormats.Initialization.initHook.rawValue] = phases.initHook
            values[HostMetricFormats.Initialization.initTotal.rawValue] = total
        }
    }

    /// Writes one invocation's document, the invocation ending now.
    ///
    /// - Parameters:
    ///   - received: when `GET /next` returned (``lh_monotonic_us()``).
    ///   - handler: the handler's duration, microseconds.
    func invoked(
        requestID: UnsafeRawBufferPointer, received: Int64, handler: Int64, eventBytes: Int, state: InvocationState
    ) {
        let overhead = lh_monotonic_us() - received - handler
        let outbound = OutboundServices.counters?.take() ?? (calls: 0, microseconds: 0, retries: 0)
        emit(formats.invocation, requestID: requestID) { values in
            typealias Metric = HostMetricFormats.Invocation
            values[Metric.handlerDuration.rawValue] = handler
            values[Metric.hostOverhead.rawValue] = overhead
            values[Metric.eventBytes.rawValue] = Int64(eventBytes)
            values[Metric.responseBytes.rawValue] = Int64(state.responseBytes)
            values[Metric.error.rawValue] = state.answeredWithError ? 1 : 0
            values[Metric.outboundCalls.rawValue] = Int64(outbound.calls)
            values[Metric.outboundDuration.rawValue] = outbound.microseconds
            values[Metric.outboundRetries.rawValue] = Int64(outbound.retries)
        }
    }

    private func emit(
        _ format: EMFFormat, requestID: UnsafeRawBufferPointer?, _ fill: (UnsafeMutableBufferPointer<Int64>) -> Void
    ) {
        let timestamp = lh_now_ms()
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: format.metrics.count) { values in
            values.initialize(repeating: 0)
            fill(values)
            lh_mutex_lock(mutex)
            writer.reset()
            format.write(into: &writer, timestamp: timestamp, requestID: requestID, values: UnsafeBufferPointer(values))
            HostLog.writeAll(writer.bytes, to: 1)
            lh_mutex_unlock(mutex)
        }
    }
}
