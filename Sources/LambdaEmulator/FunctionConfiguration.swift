import LambdaJSON

/// One function of a config file: what `invoke`, `serve` and `emulate` run, and with what
/// Lambda settings. What is nil is left to the command's flags and defaults.
///
/// The file is JSON; each function is a key of `functions`, its name in Lambda
/// (`AWS_LAMBDA_FUNCTION_NAME`):
///
/// ```json
/// {
///   "functions": {
///     "hello": {
///       "handler": "libHello.so",
///       "taskRoot": ".build/release",
///       "environment": { "GREETING": "Bonjour" },
///       "timeout": 30,
///       "memorySize": 256
///     }
///   }
/// }
/// ```
///
/// A relative `taskRoot`, or a `handler` that is a path to a `.so`, is taken from the
/// config file's folder, as SAM takes `CodeUri` from the template's. An unknown key is an
/// error, so that a misspelt setting does not pass unnoticed.
public struct FunctionConfiguration: Sendable, Equatable {
    /// The function's name: 1 to 64 of `A-Z a-z 0-9 - _`.
    public var name: String
    /// `_HANDLER`, or a path to a `.so` (absolute once loaded from a file).
    public var handler: String?
    /// `LAMBDA_TASK_ROOT` (absolute once loaded from a file).
    public var taskRoot: String?
    /// The function's own variables.
    public var environment: [String: String]
    /// Seconds an invocation may take, 1 to 900.
    public var timeout: Int?
    /// Memory in MB, 128 to 10240.
    public var memorySize: Int?

    /// Creates a configuration.
    public init(
        name: String, handler: String? = nil, taskRoot: String? = nil, environment: [String: String] = [:],
        timeout: Int? = nil, memorySize: Int? = nil
    ) {
        self.name = name
        self.handler = handler
        self.taskRoot = taskRoot
        self.environment = environment
        self.timeout = timeout
        self.memorySize = memorySize
    }

    /// The seconds an invocation may take, as Lambda allows them.
    public static let timeoutRange = 1...900
    /// The memory sizes in MB Lambda allows.
    public static let memorySizeRange = 128...10240

    /// Parses `contents`, read from the config file at `path`: its functions, by name.
    public static func load(path: String, contents: [UInt8]) throws(ConfigurationError) -> [FunctionConfiguration] {
        let folder = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : "."
        return try parse(contents, origin: path, folder: folder.isEmpty ? "/" : folder)
    }

    /// Parses a config file's `bytes`; `origin` names it in errors, and relative paths are
    /// taken from `folder`. Sorted by name.
    public static func parse(_ bytes: [UInt8], origin: String, folder: String) throws(ConfigurationError) -> [FunctionConfiguration] {
        let file: ConfigurationFile
        do {
            file = try LambdaJSONDecoder().decode(ConfigurationFile.self, from: bytes)
        } catch let error as ConfigurationError {
            throw ConfigurationError(error.code, "\(origin): \(error.message)")
        } catch let error as DecodingError {
            throw ConfigurationError(.invalidConfiguration, "\(origin): \(describe(error))")
        } catch {
            throw ConfigurationError(.invalidConfiguration, "\(origin): not JSON: \(error)")
        }
        var functions: [FunctionConfiguration] = []
        for (name, entry) in file.functions.sorted(by: { $0.key < $1.key }) {
            let place = "\(origin): functions.\(EnvironmentFile.printable(name))"
            guard isFunctionName(name) else {
                throw ConfigurationError(
                    .invalidConfiguration, "\(place): a function's name is 1 to 64 of A-Z a-z 0-9 - _, as Lambda requires")
            }
            if let timeout = entry.timeout, !timeoutRange.contains(timeout) {
                throw ConfigurationError(.invalidConfiguration, "\(place).timeout: must be 1 to 900 seconds, as in Lambda; got \(timeout)")
            }
            if let memory = entry.memorySize, !memorySizeRange.contains(memory) {
                throw ConfigurationError(
                    .invalidConfiguration, "\(place).memorySize: must be 128 to 10240 MB, as in Lambda; got \(memory)")
            }
            for (key, value) in entry.environment ?? [:] {
                try EnvironmentFile.check(name: key, origin: "\(place).environment")
                try LambdaEnvironment.checkNotReserved(key, origin: "\(place).environment")
                try EnvironmentFile.check(value: value, of: key, origin: "\(place).environment.\(key)")
            }
            var handler = entry.handler
            if let given = handler, given.contains("/"), !given.hasPrefix("/") { handler = folder + "/" + given }
            var taskRoot = entry.taskRoot
            if let given = taskRoot, !given.hasPrefix("/") { taskRoot = folder + "/" + given }
            functions.append(
                FunctionConfiguration(
                    name: name, handler: handler, taskRoot: taskRoot, environment: entry.environment ?? [:],
                    timeout: entry.timeout, memorySize: entry.memorySize))
        }
        guard !functions.isEmpty else {
            throw ConfigurationError(.invalidConfiguration, "\(origin): \"functions\" is empty; name at least one function")
        }
        return functions
    }

    /// The function `name` of `functions` (from the file `origin`); with no name, the only one.
    public static func select(_ name: String?, from functions: [FunctionConfiguration], origin: String)
        throws(ConfigurationError) -> FunctionConfiguration
    {
        let names = functions.map(\.name).joined(separator: ", ")
        guard let name else {
            guard functions.count == 1, let only = functions.first else {
                throw ConfigurationError(.unknownFunction, "\(origin) names several functions (\(names)); pick one with --function NAME")
            }
            return only
        }
        guard let found = functions.first(where: { $0.name == name }) else {
            throw ConfigurationError(
                .unknownFunction, "--function \(EnvironmentFile.printable(name)): \(origin) has no such function; it has \(names)")
        }
        return found
    }

    /// Whether `name` is a Lambda function name: 1 to 64 of `A-Z a-z 0-9 - _`.
    public static func isFunctionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { byte in
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// A decoding error as a path and a reason: `functions.hello.timeout: expected a number`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "the top level" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)), got null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath)): missing \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is String.Type: "a string"
        default: "an object"
        }
    }
}

/// The config file as written.
private struct ConfigurationFile: Decodable {
    var functions: [String: Entry]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try refuseUnknown(container, known: ["functions"], at: "the top level")
        functions = try container.decode([String: Entry].self, forKey: AnyKey("functions"))
    }

    struct Entry: Decodable {
        var handler: String?
        var taskRoot: String?
        var environment: [String: String]?
        var timeout: Int?
        var memorySize: Int?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            let place = "functions." + (decoder.codingPath.last?.stringValue ?? "")
            try refuseUnknown(container, known: ["handler", "taskRoot", "environment", "timeout", "memorySize"], at: place)
            handler = try container.decodeIfPresent(String.self, forKey: AnyKey("handler"))
            taskRoot = try container.decodeIfPresent(String.self, forKey: AnyKey("taskRoot"))
            environment = try container.decodeIfPresent([String: String].self, forKey: AnyKey("environment"))
            timeout = try container.decodeIfPresent(Int.self, forKey: AnyKey("timeout"))
            memorySize = try container.decodeIfPresent(Int.self, forKey: AnyKey("memorySize"))
        }
    }
}

private func refuseUnknown(_ container: KeyedDecodingContainer<AnyKey>, known: Set<String>, at place: String) throws {
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
        throw ConfigurationError(
            .invalidConfiguration,
            "\(place): unknown key \"\(EnvironmentFile.printable(unknown.stringValue))\"; the keys are \(known.sorted().joined(separator: ", "))")
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ text: String) { stringValue = text }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
