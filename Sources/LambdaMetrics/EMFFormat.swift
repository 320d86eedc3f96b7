import LambdaRuntimeAPI

/// One kind of CloudWatch Embedded Metric Format document: a fixed namespace, dimension
/// sets and metric list, written again and again with new values.
///
/// Everything that does not change (the metric directive, the dimension members) is
/// escaped and laid out once, here; ``write(into:timestamp:requestID:values:)`` then
/// appends the timestamp, the request id and one number per metric, so a document costs
/// one pass over about 600 bytes and no allocation once the writer has grown.
///
/// The spec's limits hold by construction: `init` refuses more than ``maxMetrics`` metrics,
/// a dimension set of more than ``maxDimensionKeys`` keys, a dimension or metric name
/// that is not a root member of its own, and names CloudWatch refuses (empty, longer than
/// 255 bytes). A document carries one value per metric, or with
/// ``write(into:timestamp:columns:stride:count:)`` an array of at most ``maxValues``.
///
/// Immutable and `Sendable`: threads may share one format, each with its own writer.
public struct EMFFormat: Sendable {
    /// The CloudWatch units the host's metrics use.
    public enum Unit: String, Sendable {
        /// Given to ``EMFFormat/write(into:timestamp:requestID:values:)`` in
        /// microseconds, written as milliseconds with three decimals.
        case milliseconds = "Milliseconds"
        case bytes = "Bytes"
        case count = "Count"
    }

    /// A metric: its name (a root member of the document) and unit.
    public struct Metric: Sendable, Equatable {
        public let name: String
        public let unit: Unit
        public init(_ name: String, _ unit: Unit) {
            self.name = name
            self.unit = unit
        }
    }

    /// Why a format was refused: a mistake in the host's own metric list or settings.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The spec's limits: metrics per directive, keys per dimension set, values per metric.
    public static let maxMetrics = 100
    public static let maxDimensionKeys = 30
    public static let maxValues = 100
    /// CloudWatch's limits on a name and on a dimension's value, in bytes.
    public static let maxNameBytes = 255
    public static let maxDimensionValueBytes = 1024
    /// Root members the host writes besides the targets; no target may take their names.
    static let reservedMembers: Set<String> = ["_aws", "level", "requestId"]

    /// The metrics, in the order ``write(into:timestamp:requestID:values:)`` takes values.
    public let metrics: [Metric]
    /// `,"CloudWatchMetrics":[…]},"level":"INFO"`: what follows the timestamp.
    private let directive: [UInt8]
    /// `,"<dimension>":"<value>"` for each dimension.
    private let dimensionMembers: [UInt8]
    /// `,"<metric>":` for each metric, in order.
    private let metricKeys: [[UInt8]]

    /// - Parameters:
    ///   - dimensions: the dimension sets (each a list of keys of `dimensionValues`).
    ///   - dimensionValues: each dimension's name and value; a value is cut to 1024 bytes,
    ///     and an empty one becomes `unknown` (CloudWatch needs a non-empty value).
    /// - Throws: ``Problem`` when a limit or a name rule of the spec would be broken.
    public init(
        namespace: String,
        dimensions: [[String]],
        dimensionValues: [(name: String, value: String)],
        metrics: [Metric]
    ) throws(Problem) {
        guard !namespace.isEmpty, namespace.utf8.count <= Self.maxNameBytes else {
            throw Problem("the namespace must have 1 to \(Self.maxNameBytes) bytes")
        }
        guard !metrics.isEmpty, metrics.count <= Self.maxMetrics else {
            throw Problem("a document has 1 to \(Self.maxMetrics) metrics, not \(metrics.count)")
        }
        guard !dimensions.isEmpty else { throw Problem("give at least one dimension set (it may be empty)") }
        var names = Self.reservedMembers
        for name in dimensionValues.map(\.name) + metrics.map(\.name) {
            guard !name.isEmpty, name.utf8.count <= Self.maxNameBytes else {
                throw Problem("the name '\(name.prefix(64))' must have 1 to \(Self.maxNameBytes) bytes")
            }
            guard names.insert(name).inserted else {
                throw Problem("'\(name.prefix(64))' is used twice or is one of the host's own members")
            }
        }
        for set in dimensions {
            guard set.count <= Self.maxDimensionKeys else {
                throw Problem("a dimension set has at most \(Self.maxDimensionKeys) keys, not \(set.count)")
            }
            for key in set where !dimensionValues.contains(where: { $0.name == key }) {
                throw Problem("the dimension '\(key.prefix(64))' has no value")
            }
        }
        self.metrics = metrics

        var text = ByteWriter(capacity: 512)
        text.append(",\"CloudWatchMetrics\":[{\"Namespace\":\"")
        text.append(JSONText.escaped(namespace))
        text.append("\",\"Dimensions\":[")
        for (i, set) in dimensions.enumerated() {
            text.append(i == 0 ? "[" : ",[")
            for (j, key) in set.enumerated() {
                text.append(j == 0 ? "\"" : ",\"")
                text.append(JSONText.escaped(key))
                text.append("\"")
            }
            text.append("]")
        }
        text.append("],\"Metrics\":[")
        for (i, metric) in metrics.enumerated() {
            text.append(i == 0 ? "{\"Name\":\"" : ",{\"Name\":\"")
            text.append(JSONText.escaped(metric.name))
            text.append("\",\"Unit\":\"")
            text.append(metric.unit.rawValue)
            text.append("\"}")
        }
        text.append("]}]},\"level\":\"INFO\"")
        directive = Array(text.bytes)

        text.reset()
        for (name, value) in dimensionValues {
            text.append(",\"")
            text.append(JSONText.escaped(name))
            text.append("\":\"")
            let cut = String(decoding: value.utf8.prefix(Self.maxDimensionValueBytes), as: UTF8.self)
            text.append(JSONText.escaped(cut.isEmpty ? "unknown" : cut))
            text.append("\"")
        }
        dimensionMembers = Array(text.bytes)

        metricKeys = metrics.map { metric in
            var key = ByteWriter(capacity: 64)
            key.append(",\"")
            key.append(JSONText.escaped(metric.name))
            key.append("\":")
            return Array(key.bytes)
        }
    }

    /// Appends one document and a newline to `writer`.
    ///
    /// - Parameters:
    ///   - timestamp: milliseconds since the Unix epoch.
    ///   - requestID: the invocation's request id (a searchable member), or nil.
    ///   - values: one per metric, in the order of ``metrics``; a missing value is written
    ///     as 0, negative ones as 0 (no metric of the host can be negative).
    public func write(
        into writer: inout ByteWriter, timestamp: Int64, requestID: UnsafeRawBufferPointer?, values: UnsafeBufferPointer<Int64>
    ) {
        writeHead(into: &writer, timestamp: timestamp)
        if let requestID {
            writer.append(",\"requestId\":\"")
            writer.append(jsonEscaped: requestID)
            writer.append("\"")
        }
        dimensionMembers.withUnsafeBytes { writer.append($0) }
        for (i, metric) in metrics.enumerated() {
            metricKeys[i].withUnsafeBytes { writer.append($0) }
            Self.append(i < values.count ? values[i] : 0, unit: metric.unit, to: &writer)
        }
        writer.append("}\n")
    }

    /// Appends one document whose every metric is an array of `count` values (the spec's
    /// form for several values of a metric: CloudWatch takes each as one data point, so
    /// sums, averages and percentiles stay exact), and a newline. No request id: the
    /// values are several invocations'.
    ///
    /// - Parameters:
    ///   - timestamp: milliseconds since the Unix epoch.
    ///   - columns: metric-major values: metric `m`'s values are `columns[m * stride ..<
    ///     m * stride + count]`, in the order of ``metrics``.
    ///   - count: values per metric, cut to ``maxValues``; with 0 nothing is written.
    public func write(
        into writer: inout ByteWriter, timestamp: Int64, columns: UnsafeBufferPointer<Int64>, stride: Int, count: Int
    ) {
        let count = min(count, Self.maxValues, stride)
        guard count > 0, columns.count >= metrics.count * stride else { return }
        writeHead(into: &writer, timestamp: timestamp)
        dimensionMembers.withUnsafeBytes { writer.append($0) }
        for (m, metric) in metrics.enumerated() {
            metricKeys[m].withUnsafeBytes { writer.append($0) }
            writer.append(91)
            for i in 0..<count {
                if i > 0 { writer.append(44) }
                Self.append(columns[m * stride + i], unit: metric.unit, to: &writer)
            }
            writer.append(93)
        }
        writer.append("}\n")
    }

    /// `{"_aws":{"Timestamp":…` and the directive.
    private func writeHead(into writer: inout ByteWriter, timestamp: Int64) {
        writer.append("{\"_aws\":{\"Timestamp\":")
        writer.append(decimal: Int(max(0, timestamp)))
        directive.withUnsafeBytes { writer.append($0) }
    }

    /// One value: milliseconds with three decimals from microseconds, else an integer;
    /// a negative value as 0.
    private static func append(_ value: Int64, unit: Unit, to writer: inout ByteWriter) {
        let value = max(0, value)
        switch unit {
        case .milliseconds:
            writer.append(decimal: Int(value / 1000))
            let fraction = Int(value % 1000)
            writer.append(46)
            writer.append(UInt8(48 + fraction / 100))
            writer.append(UInt8(48 + fraction / 10 % 10))
            writer.append(UInt8(48 + fraction % 10))
        case .bytes, .count:
            writer.append(decimal: Int(value))
        }
    }
}
