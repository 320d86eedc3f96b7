/// What `LAMBDA_HOST_METRICS*` ask for: whether the host writes CloudWatch Embedded Metric
/// Format documents, in which namespace, with which dimensions, and for how many
/// invocations each.
///
/// Parsed once at INIT from the environment; a value the host does not accept gives one
/// warning (in ``warnings``) and the default, never a failed INIT: metrics are an
/// operator's aid, not part of the function. Cost: a few `getenv`s and small strings, once.
public struct MetricsSettings: Sendable, Equatable {
    /// A dimension the host can attach to its metrics (low cardinality by design: no
    /// request id, no time).
    public enum Dimension: String, Sendable, CaseIterable {
        /// `AWS_LAMBDA_FUNCTION_NAME`.
        case functionName = "FunctionName"
        /// `AWS_LAMBDA_FUNCTION_VERSION` (`$LATEST` or a number).
        case functionVersion = "FunctionVersion"
        /// The plugin's name (its library's name without `lib` and `.so`) or, for a
        /// function called through libffi, the function's name.
        case plugin = "Plugin"

        /// The environment variable the value comes from (nil: from the plugin).
        public var variable: String? {
            switch self {
            case .functionName: "AWS_LAMBDA_FUNCTION_NAME"
            case .functionVersion: "AWS_LAMBDA_FUNCTION_VERSION"
            case .plugin: nil
            }
        }
    }

    /// The values `LAMBDA_HOST_METRICS` accepts.
    public static let acceptedModes = "emf, off"
    /// The default CloudWatch namespace.
    public static let defaultNamespace = "LambdaHost"
    /// CloudWatch's limit on a namespace's length.
    public static let maxNamespaceBytes = 255
    /// At most this many dimension sets (each one makes every metric again in CloudWatch,
    /// and is billed as such).
    public static let maxDimensionSets = 4
    /// The invocations one document may carry (`LAMBDA_HOST_METRICS_EVERY`): 1, a document
    /// per invocation with scalar values; up to 100, one value per invocation in each
    /// metric's array, since the spec allows at most 100 values in a metric's array
    /// (``EMFFormat/maxValues``).
    public static let acceptedEvery = 1...EMFFormat.maxValues

    /// `LAMBDA_HOST_METRICS_NAMESPACE` (default `LambdaHost`).
    public var namespace: String
    /// `LAMBDA_HOST_METRICS_DIMENSIONS` (default `[[FunctionName]]`).
    public var dimensions: [[Dimension]]
    /// `LAMBDA_HOST_METRICS_EVERY`: the invocations one document carries (default 1).
    public var every: Int

    public init(namespace: String = defaultNamespace, dimensions: [[Dimension]] = [[.functionName]], every: Int = 1) {
        self.namespace = namespace
        self.dimensions = dimensions
        self.every = every
    }

    /// The settings `environment` gives: nil when metrics are off, and what was wrong
    /// with a value (each a whole sentence that names the variable and what it accepts).
    public static func parse(_ environment: (String) -> String?) -> (settings: MetricsSettings?, warnings: [String]) {
        var warnings: [String] = []
        switch environment("LAMBDA_HOST_METRICS") ?? "" {
        case "", "off":
            return (nil, [])
        case "emf":
            break
        case let other:
            let shown = String(other.prefix(64))
            return (nil, ["LAMBDA_HOST_METRICS is '\(shown)'; it accepts \(acceptedModes) (absent: off); metrics are off"])
        }
        var settings = MetricsSettings()
        if let namespace = environment("LAMBDA_HOST_METRICS_NAMESPACE"), !namespace.isEmpty {
            if let problem = namespaceProblem(namespace) {
                warnings.append("LAMBDA_HOST_METRICS_NAMESPACE \(problem); the namespace is \(defaultNamespace)")
            } else {
                settings.namespace = namespace
            }
        }
        if let text = environment("LAMBDA_HOST_METRICS_DIMENSIONS"), !text.isEmpty {
            switch dimensions(text) {
            case .success(let sets): settings.dimensions = sets
            case .failure(let problem):
                warnings.append("LAMBDA_HOST_METRICS_DIMENSIONS \(problem); the dimensions are [[FunctionName]]")
            }
        }
        if let text = environment("LAMBDA_HOST_METRICS_EVERY"), !text.isEmpty {
            if let every = Int(text.trimmed), acceptedEvery.contains(every) {
                settings.every = every
            } else {
                warnings.append(
                    "LAMBDA_HOST_METRICS_EVERY is '\(String(text.prefix(64)))'; it accepts a whole number of invocations "
                        + "per document from \(acceptedEvery.lowerBound) to \(acceptedEvery.upperBound) (the spec's limit of "
                        + "values per metric); one document per invocation is written")
            }
        }
        return (settings, warnings)
    }

    /// Why `namespace` cannot be a CloudWatch namespace, or nil.
    static func namespaceProblem(_ namespace: String) -> String? {
        if namespace.utf8.count > maxNamespaceBytes { return "is longer than \(maxNamespaceBytes) bytes" }
        // CloudWatch allows ASCII letters, digits and . - _ / # : and spaces; a namespace may
        // not start with "AWS/" (AWS's own).
        let allowed = namespace.utf8.allSatisfy { byte in
            switch byte {
            case 48...57, 65...90, 97...122, 46, 45, 95, 47, 35, 58, 32: true
            default: false
            }
        }
        if !allowed {
            return "is '\(String(namespace.prefix(64)))'; use ASCII letters, digits, spaces and . - _ / # :"
        }
        if namespace.hasPrefix("AWS/") { return "starts with 'AWS/', which is AWS's own" }
        if namespace.utf8.allSatisfy({ $0 == 32 }) { return "is only spaces" }
        return nil
    }

    /// Dimension sets from text: sets separated by `;`, names in a set by `,`
    /// (`FunctionName;FunctionName,Plugin`); `none` for one empty set (metrics without
    /// dimensions).
    static func dimensions(_ text: String) -> Result<[[Dimension]], DimensionsProblem> {
        let known = Dimension.allCases.map(\.rawValue).joined(separator: ", ")
        if text.trimmed == "none" { return .success([[]]) }
        var sets: [[Dimension]] = []
        for setText in text.split(separator: ";", omittingEmptySubsequences: false) {
            var set: [Dimension] = []
            for nameText in setText.split(separator: ",", omittingEmptySubsequences: false) {
                let name = String(nameText).trimmed
                guard let dimension = Dimension(rawValue: name) else {
                    return .failure(DimensionsProblem(
                        "names '\(String(name.prefix(64)))'; give dimension names among \(known), "
                            + "in sets separated by ';' (e.g. FunctionName;FunctionName,Plugin), or none"))
                }
                guard !set.contains(dimension) else {
                    return .failure(DimensionsProblem("names \(name) twice in one set"))
                }
                set.append(dimension)
            }
            guard !sets.contains(set) else {
                return .failure(DimensionsProblem("gives the set \(set.map(\.rawValue).joined(separator: ",")) twice"))
            }
            sets.append(set)
        }
        guard sets.count <= maxDimensionSets else {
            return .failure(DimensionsProblem("gives \(sets.count) sets; at most \(maxDimensionSets)"))
        }
        return .success(sets)
    }

    /// Why a dimensions setting was refused (a phrase after the variable's name).
    public struct DimensionsProblem: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }),
            let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
