/// The functions an invoke endpoint serves, by name, and how requests reach them: the
/// ``FunctionRouter``, each function's invoke, and the payload format of the HTTP front
/// end's events.
public struct ServedFunctions: Sendable {
    /// Runs an invocation of one function.
    public typealias Invoke = @Sendable (EmulatedInvocation) async -> InvocationResult

    public let router: FunctionRouter
    let invokers: [String: Invoke]
    /// The HTTP front end's payload format.
    public let format: HTTPPayloadFormat
    /// Where the HTTP front end tells of a function error, which its caller sees only as
    /// a 502 (nil: nowhere).
    let log: (@Sendable (String) -> Void)?

    /// `functions` in order; with `http`, paths that are not invoke paths are HTTP
    /// requests, routed by their first segment when `prefixed`.
    public init(
        _ functions: [(name: String, invoke: Invoke)], http: Bool, prefixed: Bool, format: HTTPPayloadFormat = .v2,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        router = FunctionRouter(names: functions.map(\.name), http: http, prefixed: prefixed)
        var invokers: [String: Invoke] = [:]
        for (name, invoke) in functions { invokers[name] = invoke }
        self.invokers = invokers
        self.format = format
        self.log = log
    }

    /// One function, `function`, behind the invoke path alone, as RIE serves it.
    public static func single(_ invoke: @escaping Invoke) -> ServedFunctions {
        ServedFunctions([("function", invoke)], http: false, prefixed: false)
    }

    /// The invoke of `name`.
    func invoke(_ name: String) -> Invoke? { invokers[name] }
}
