import CLambdaSystem
import LambdaMetrics
import LambdaRuntimeAPI

/// The host's CloudWatch metrics (`LAMBDA_HOST_METRICS=emf`, see docs/metrics.md): one
/// Embedded Metric Format document per INIT, and one per invocation or, with
/// `LAMBDA_HOST_METRICS_EVERY` = N > 1, one per N invocations (``EMFBatch``); each document
/// one line on stdout written with one `write(2)`.
///
/// Exists only when metrics are on; the run loop holds an optional, so with metrics off
/// an invocation pays one test of nil and nothing else. With metrics on: four clock reads
/// and two uncontended lock pairs per invocation, and either one line of about 700 bytes
/// or, aggregated, the copy of 8 values and every N invocations one line of about
/// 640 + 30 × N bytes (Echo); built in reused buffers (no allocation once grown). Measured
/// per Echo invocation: +4,430 instructions over off, +2,030 with N = 100 (docs/metrics.md).
///
/// Safe from any thread: several workers of one process may call `invoked(worker:…)` at
/// once. A mutex guards the document buffer, held while one document is built and written
/// (one `write(2)`); ``EMFBatch`` and ``OutboundTally`` have their own. Outbound calls are
/// attributed by worker: each document counts the calls of its own invocation.
final class HostMetrics: @unchecked Sendable {
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
    /// The pending invocations when a document carries several (nil: one per invocation).
    let batch: EMFBatch?
    private let mutex: OpaquePointer
    private var writer = ByteWriter(capacity: 1024)

    /// The instance whose batch is flushed when the process exits (set once, at INIT).
    nonisolated(unsafe) private static var flushedAtExit: HostMetrics?

    private init(formats: HostMetricFormats, every: Int) {
        self.formats = formats
        batch = every > 1 ? EMFBatch(format: formats.invocation, every: every) : nil
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
    /// WARN, when the settings make a document the spec refuses. With aggregation on, the
    /// pending document is written when the process exits through `exit(3)` (a fatal error,
    /// the end of a shutdown hook), not when it is killed or ends with `_exit(2)`.
    static func make(_ settings: MetricsSettings, plugin: String) -> HostMetrics? {
        let metrics: HostMetrics
        do throws(EMFFormat.Problem) {
            metrics = HostMetrics(
                formats: try HostMetricFormats(settings: settings, plugin: plugin, environment: environment), every: settings.every)
        } catch {
            HostLog.host(.warn, "LAMBDA_HOST_METRICS: \(error.description); metrics are off")
            return nil
        }
        if metrics.batch != nil && flushedAtExit == nil {
            flushedAtExit = metrics
            if atexit(flushAtExit) != 0 { HostLog.host(.debug, "metrics: atexit failed; what is pending at exit is lost") }
        }
        return metrics
    }

    private static let flushAtExit: @convention(c) () -> Void = { flushedAtExit?.flush() }

    /// Writes the INIT document; `phases` as measured, INIT ending now.
    func initialized(_ phases: InitPhases) {
        let total = lh_monotonic_us() - phases.mainStarted
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: formats.initialization.metrics.count) { values in
            values.initialize(repeating: 0)
            values[HostMetricFormats.Initialization.startToMain.rawValue] = max(0, phases.startToMain)
            values[HostMetricFormats.Initialization.pluginLoad.rawValue] = phases.pluginLoad
            values[HostMetricFormats.Initialization.initHook.rawValue] = phases.initHook
            values[HostMetricFormats.Initialization.initTotal.rawValue] = total
            write(formats.initialization, requestID: nil, values: UnsafeBufferPointer(values))
        }
    }

    /// Records one invocation of `worker` (0 with one invocation at a time), ending now.
    ///
    /// - Parameters:
    ///   - received: when `GET /next` returned (``lh_monotonic_us()``).
    ///   - handler: the handler's duration, microseconds.
    ///   - state: the invocation's answer (its response's size, whether it was an error).
    func invoked(
        worker: Int = 0, requestID: UnsafeRawBufferPointer, received: Int64, handler: Int64, eventBytes: Int,
        state: InvocationState
    ) {
        invoked(
            worker: worker, requestID: requestID, received: received, handler: handler, eventBytes: eventBytes,
            responseBytes: state.responseBytes, answeredWithError: state.answeredWithError)
    }

    /// Records one invocation of `worker`, ending now: writes its document, or adds it to
    /// the batch (which writes one document per N invocations). Takes the outbound sums of
    /// `worker`, so the calls counted are those its invocation made.
    func invoked(
        worker: Int = 0, requestID: UnsafeRawBufferPointer, received: Int64, handler: Int64, eventBytes: Int,
        responseBytes: Int, answeredWithError: Bool
    ) {
        let now = lh_monotonic_us()
        let outbound = OutboundServices.counters?.take(worker: worker) ?? OutboundTally.Sums()
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: formats.invocation.metrics.count) { values in
            typealias Metric = HostMetricFormats.Invocation
            values.initialize(repeating: 0)
            values[Metric.handlerDuration.rawValue] = handler
            values[Metric.hostOverhead.rawValue] = now - received - handler
            values[Metric.eventBytes.rawValue] = Int64(eventBytes)
            values[Metric.responseBytes.rawValue] = Int64(responseBytes)
            values[Metric.error.rawValue] = answeredWithError ? 1 : 0
            values[Metric.outboundCalls.rawValue] = Int64(outbound.calls)
            values[Metric.outboundDuration.rawValue] = outbound.microseconds
            values[Metric.outboundRetries.rawValue] = Int64(outbound.retries)
            if let batch {
                batch.add(UnsafeBufferPointer(values), now: now, realtime: lh_now_ms) { HostLog.writeAll($0, to: 1) }
            } else {
                write(formats.invocation, requestID: requestID, values: UnsafeBufferPointer(values))
            }
        }
    }

    /// Writes the invocations pending in the batch, if any.
    func flush() {
        batch?.flush(now: lh_monotonic_us(), realtime: lh_now_ms()) { HostLog.writeAll($0, to: 1) }
    }

    private func write(_ format: EMFFormat, requestID: UnsafeRawBufferPointer?, values: UnsafeBufferPointer<Int64>) {
        let timestamp = lh_now_ms()
        lh_mutex_lock(mutex)
        writer.reset()
        format.write(into: &writer, timestamp: timestamp, requestID: requestID, values: values)
        HostLog.writeAll(writer.bytes, to: 1)
        lh_mutex_unlock(mutex)
    }
}
