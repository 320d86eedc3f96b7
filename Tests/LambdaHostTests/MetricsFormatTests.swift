import Foundation
import LambdaMetrics
import LambdaRuntimeAPI
import Testing

/// The EMF document builder and the `LAMBDA_HOST_METRICS*` settings, in-process.
@Suite struct MetricsFormatTests {
    private func settings(_ values: [String: String]) -> (settings: MetricsSettings?, warnings: [String]) {
        MetricsSettings.parse { values[$0] }
    }

    /// One document of `format` with `values`, parsed back as JSON.
    private func document(
        _ format: EMFFormat, requestID: String? = "req-1", values: [Int64]
    ) throws -> (text: String, object: [String: Any]) {
        var writer = ByteWriter()
        var id = requestID ?? ""
        id.withUTF8 { idBytes in
            values.withUnsafeBufferPointer { numbers in
                format.write(
                    into: &writer, timestamp: 1_700_000_000_123, requestID: requestID == nil ? nil : UnsafeRawBufferPointer(idBytes),
                    values: numbers)
            }
        }
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (text, object)
    }

    @Test func metricsAreOffUnlessAskedForAndABadModeWarnsOnce() {
        #expect(settings([:]).settings == nil && settings([:]).warnings.isEmpty)
        #expect(settings(["LAMBDA_HOST_METRICS": ""]).settings == nil)
        #expect(settings(["LAMBDA_HOST_METRICS": "off"]).warnings.isEmpty)
        let on = settings(["LAMBDA_HOST_METRICS": "emf"])
        #expect(on.settings == MetricsSettings(namespace: "LambdaHost", dimensions: [[.functionName]]))
        #expect(on.warnings.isEmpty)
        let bad = settings(["LAMBDA_HOST_METRICS": "EMF!"])
        #expect(bad.settings == nil)
        #expect(bad.warnings.count == 1)
        #expect(bad.warnings.first?.contains("emf, off") == true)
    }

    @Test func namespaceAndDimensionsAreReadAndABadValueFallsBackWithAWarning() {
        let chosen = settings([
            "LAMBDA_HOST_METRICS": "emf", "LAMBDA_HOST_METRICS_NAMESPACE": "Team/Orders",
            "LAMBDA_HOST_METRICS_DIMENSIONS": "FunctionName; FunctionName,Plugin ;FunctionVersion",
        ])
        #expect(chosen.warnings.isEmpty)
        #expect(chosen.settings?.namespace == "Team/Orders")
        #expect(chosen.settings?.dimensions == [[.functionName], [.functionName, .plugin], [.functionVersion]])
        #expect(settings(["LAMBDA_HOST_METRICS": "emf", "LAMBDA_HOST_METRICS_DIMENSIONS": "none"]).settings?.dimensions == [[]])

        for (variable, value) in [
            ("LAMBDA_HOST_METRICS_NAMESPACE", "AWS/Lambda"), ("LAMBDA_HOST_METRICS_NAMESPACE", "bad\"name"),
            ("LAMBDA_HOST_METRICS_NAMESPACE", String(repeating: "n", count: 256)),
            ("LAMBDA_HOST_METRICS_DIMENSIONS", "RequestId"), ("LAMBDA_HOST_METRICS_DIMENSIONS", "Plugin,Plugin"),
            ("LAMBDA_HOST_METRICS_DIMENSIONS", "Plugin;Plugin"), ("LAMBDA_HOST_METRICS_DIMENSIONS", "Plugin;;FunctionName,Plugin;FunctionVersion;FunctionName"),
        ] {
            let parsed = settings(["LAMBDA_HOST_METRICS": "emf", variable: value])
            #expect(parsed.settings == MetricsSettings(), "\(variable)=\(value)")
            #expect(parsed.warnings.count == 1, "\(variable)=\(value)")
            #expect(parsed.warnings.first?.hasPrefix(variable) == true)
        }
    }

    @Test func anInvocationDocumentFollowsTheSpec() throws {
        let formats = try HostMetricFormats(
            settings: MetricsSettings(dimensions: [[.functionName], [.functionName, .plugin]]), plugin: "Echo"
        ) { ["AWS_LAMBDA_FUNCTION_NAME": "orders"][$0] }
        let values: [Int64] = [1_234_567, 89, 17, 17, 1, 2, 30_000, 1]
        let (_, root) = try document(formats.invocation, values: values)
        let aws = try #require(root["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_700_000_000_123)
        let directives = try #require(aws["CloudWatchMetrics"] as? [[String: Any]])
        #expect(directives.count == 1)
        #expect(directives[0]["Namespace"] as? String == "LambdaHost")
        #expect(directives[0]["Dimensions"] as? [[String]] == [["FunctionName"], ["FunctionName", "Plugin"]])
        let metrics = try #require(directives[0]["Metrics"] as? [[String: String]])
        #expect(metrics.map { $0["Name"] ?? "" } == HostMetricFormats.invocationMetrics.map(\.name))
        #expect(metrics.first?["Unit"] == "Milliseconds")
        #expect(root["level"] as? String == "INFO")
        #expect(root["requestId"] as? String == "req-1")
        #expect(root["FunctionName"] as? String == "orders")
        #expect(root["Plugin"] as? String == "Echo")
        // Microseconds become milliseconds with three decimals.
        #expect(root["HandlerDuration"] as? Double == 1234.567)
        #expect(root["HostOverhead"] as? Double == 0.089)
        #expect(root["EventBytes"] as? Int == 17)
        #expect(root["Error"] as? Int == 1)
        #expect(root["OutboundDuration"] as? Double == 30)
        // _aws, level, requestId, the two dimensions, the metrics: nothing else.
        #expect(root.count == 3 + 2 + values.count)
    }

    @Test func namesAndValuesFromTheEnvironmentAreEscaped() throws {
        let hostile = "fn\"with\\quotes\n\u{01}\ttab ✓"
        let formats = try HostMetricFormats(
            settings: MetricsSettings(dimensions: [[.functionName, .functionVersion]]), plugin: "p"
        ) { _ in hostile }
        let (text, root) = try document(formats.invocation, requestID: "id\"\n", values: [])
        #expect(root["FunctionName"] as? String == hostile)
        #expect(root["FunctionVersion"] as? String == hostile)
        #expect(root["requestId"] as? String == "id\"\n")
        #expect(!text.contains("\u{01}"))
        // A missing value is written as 0; an empty dimension value becomes "unknown".
        #expect(root["HandlerDuration"] as? Double == 0)
        let empty = try HostMetricFormats(settings: MetricsSettings(), plugin: "p") { _ in nil }
        #expect(try document(empty.initialization, requestID: nil, values: [5]).object["FunctionName"] as? String == "unknown")
        let long = try HostMetricFormats(settings: MetricsSettings(), plugin: "p") { _ in String(repeating: "é", count: 600) }
        let cut = try #require(try document(long.invocation, values: []).object["FunctionName"] as? String)
        #expect(cut.utf8.count <= EMFFormat.maxDimensionValueBytes)
    }

    @Test func theSpecsLimitsHoldByConstruction() throws {
        let metric = { (i: Int) in EMFFormat.Metric("m\(i)", .count) }
        let keys = (0..<31).map { "d\($0)" }
        let values = keys.map { (name: $0, value: "v") }
        // 100 metrics and 30 keys are the most; one more of either is refused.
        let most = try EMFFormat(
            namespace: "N", dimensions: [Array(keys.prefix(30))], dimensionValues: values, metrics: (0..<100).map(metric))
        #expect(most.metrics.count == EMFFormat.maxMetrics)
        #expect(throws: EMFFormat.Problem.self) {
            try EMFFormat(namespace: "N", dimensions: [[]], dimensionValues: [], metrics: (0..<101).map(metric))
        }
        #expect(throws: EMFFormat.Problem.self) {
            try EMFFormat(namespace: "N", dimensions: [keys], dimensionValues: values, metrics: [metric(0)])
        }
        // A key without a value, a name used twice, or one of the host's own members.
        #expect(throws: EMFFormat.Problem.self) {
            try EMFFormat(namespace: "N", dimensions: [["Nope"]], dimensionValues: [], metrics: [metric(0)])
        }
        #expect(throws: EMFFormat.Problem.self) {
            try EMFFormat(namespace: "N", dimensions: [[]], dimensionValues: [], metrics: [metric(0), metric(0)])
        }
        #expect(throws: EMFFormat.Problem.self) {
            try EMFFormat(namespace: "N", dimensions: [[]], dimensionValues: [], metrics: [.init("level", .count)])
        }
        // The host's own documents are within the limits, whatever the settings.
        for dimensions in [[[]], [[MetricsSettings.Dimension.functionName, .functionVersion, .plugin]]] as [[[MetricsSettings.Dimension]]] {
            let formats = try HostMetricFormats(settings: MetricsSettings(dimensions: dimensions), plugin: "p") { _ in "x" }
            #expect(formats.invocation.metrics.count <= EMFFormat.maxMetrics)
        }
        #expect(MetricsSettings.Dimension.allCases.count <= EMFFormat.maxDimensionKeys)
    }
}
