/// The host's two EMF documents: one per invocation and one per INIT, with the metrics,
/// namespace and dimensions of ``MetricsSettings``.
///
/// Pure: the environment comes in as a function, so tests build the documents in-process.
public struct HostMetricFormats: Sendable {
    /// The per-invocation metrics, in the order their values are given.
    public enum Invocation: Int, CaseIterable {
        /// The plugin's handler call (or the libffi call), in microseconds.
        case handlerDuration
        /// From the end of `GET /next` to the answer posted and its reply read, minus the
        /// handler, in microseconds.
        case hostOverhead
        /// The event's bytes.
        case eventBytes
        /// The response's bytes (the sum of a stream's chunks; 0 for an error).
        case responseBytes
        /// 1 when the invocation was answered with an error, else 0.
        case error
        /// Outbound requests made with the invocation (`host->http_request`).
        case outboundCalls
        /// Their time, waiting for the lane included, in microseconds.
        case outboundDuration
        /// Requests sent again on a new connection after a reused one failed.
        case outboundRetries
    }

    /// The per-INIT metrics (all times in microseconds).
    public enum Initialization: Int, CaseIterable {
        /// From the kernel starting the process to the host's `main` (resolution: one
        /// clock tick, 10 ms on Lambda), which covers `execve` and dynamic loading.
        case startToMain
        /// Finding, `dlopen`ing and checking the plugin.
        case pluginLoad
        /// The plugin's init hook (0 when it has none).
        case initHook
        /// From `main` to the first `GET /next`.
        case initTotal
    }

    public static let invocationMetrics: [EMFFormat.Metric] = [
        .init("HandlerDuration", .milliseconds), .init("HostOverhead", .milliseconds),
        .init("EventBytes", .bytes), .init("ResponseBytes", .bytes), .init("Error", .count),
        .init("OutboundCalls", .count), .init("OutboundDuration", .milliseconds), .init("OutboundRetries", .count),
    ]

    public static let initializationMetrics: [EMFFormat.Metric] = [
        .init("StartToMain", .milliseconds), .init("PluginLoad", .milliseconds),
        .init("InitHook", .milliseconds), .init("InitTotal", .milliseconds),
    ]

    public let invocation: EMFFormat
    public let initialization: EMFFormat

    /// - Parameters:
    ///   - plugin: the value of the `Plugin` dimension.
    ///   - environment: where `AWS_LAMBDA_FUNCTION_NAME` and `AWS_LAMBDA_FUNCTION_VERSION`
    ///     are read (a missing one gives `unknown`).
    public init(settings: MetricsSettings, plugin: String, environment: (String) -> String?) throws(EMFFormat.Problem) {
        var used: [MetricsSettings.Dimension] = []
        for dimension in settings.dimensions.joined() where !used.contains(dimension) { used.append(dimension) }
        let values = used.map { dimension in
            (name: dimension.rawValue, value: dimension.variable.map { environment($0) ?? "" } ?? plugin)
        }
        let sets = settings.dimensions.map { $0.map(\.rawValue) }
        invocation = try EMFFormat(
            namespace: settings.namespace, dimensions: sets, dimensionValues: values, metrics: Self.invocationMetrics)
        initialization = try EMFFormat(
            namespace: settings.namespace, dimensions: sets, dimensionValues: values, metrics: Self.initializationMetrics)
    }
}
