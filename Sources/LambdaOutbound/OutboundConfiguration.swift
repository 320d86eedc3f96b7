/// How the host's outbound HTTP client behaves, from environment variables read once at
/// INIT (docs/outbound-http.md lists them with examples).
///
/// Reading it costs a few `getenv` calls and, when set, parsing short lists; nothing is
/// connected or loaded.
public struct OutboundConfiguration: Sendable {
    /// `LAMBDA_HOST_ALLOWED_ORIGINS`: when set, the only destinations allowed.
    public var allowList: AllowList?
    /// `LAMBDA_HOST_PREWARM_ORIGINS`: origins connected to during INIT.
    public var prewarm: [Origin] = []
    /// `LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES`: the largest response body taken (6 MiB by
    /// default, the most a buffered Lambda response can carry, so that a body relayed as
    /// the answer always fits and a runaway server cannot exhaust a 128 MB function).
    public var maxResponseBytes = defaultMaxResponseBytes
    /// `LAMBDA_HOST_HTTP_IDLE_TIMEOUT_MS`: how long a connection may stay idle before the
    /// pool closes it (4 s: under the few seconds after which AWS endpoints drop idle
    /// connections, so the pool closes first).
    public var idleTimeoutMilliseconds: Int64 = 4_000
    /// `LAMBDA_HOST_HTTP_MAX_IDLE_PER_ORIGIN`: idle connections kept per origin.
    public var maxIdlePerOrigin = 4
    /// How long a resolved name is used before it is resolved again.
    public var dnsTTLMilliseconds: Int64 = 10_000
    /// The time a request made with no invocation (in the init hook) may take by default:
    /// Lambda's 10 s INIT limit.
    public var initRequestMilliseconds: Int64 = 10_000
    /// The `AWS_*` variables AWS requests are signed and addressed with (the host copies
    /// them at INIT with ``AWSEnvironment/current()``; empty by default).
    public var aws = AWSEnvironment()

    public static let defaultMaxResponseBytes = 6 * 1024 * 1024
    /// The largest cap accepted: 1 GiB, beyond any Lambda memory size worth buffering into.
    static let maxResponseBytesLimit = 1 << 30

    public init() {}

    /// The configuration the environment describes, through `lookup` (getenv in the host).
    ///
    /// - Throws: ``ConfigurationError`` naming the variable, its value and a valid example.
    public init(environment lookup: (String) -> String?) throws(ConfigurationError) {
        if let text = lookup("LAMBDA_HOST_ALLOWED_ORIGINS"), !Self.isBlank(text) {
            do throws(OutboundError) {
                allowList = try AllowList(parsing: text)
            } catch {
                throw ConfigurationError(variable: "LAMBDA_HOST_ALLOWED_ORIGINS", message: error.message)
            }
        }
        if let text = lookup("LAMBDA_HOST_PREWARM_ORIGINS") {
            for entry in Self.entries(text) {
                do throws(OutboundError) {
                    prewarm.append(try Origin.parse(entry))
                } catch {
                    throw ConfigurationError(variable: "LAMBDA_HOST_PREWARM_ORIGINS", message: error.message)
                }
            }
        }
        maxResponseBytes = try Self.number(
            lookup, "LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES", default: maxResponseBytes, range: 0...Self.maxResponseBytesLimit)
        idleTimeoutMilliseconds = Int64(
            try Self.number(lookup, "LAMBDA_HOST_HTTP_IDLE_TIMEOUT_MS", default: Int(idleTimeoutMilliseconds), range: 0...3_600_000))
        maxIdlePerOrigin = try Self.number(lookup, "LAMBDA_HOST_HTTP_MAX_IDLE_PER_ORIGIN", default: maxIdlePerOrigin, range: 0...1_000)
    }

    /// A list's entries, separated as ``AllowList`` separates its own.
    static func entries(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: AllowList.isSeparator).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func isBlank(_ text: String) -> Bool { entries(text).isEmpty }

    private static func number(
        _ lookup: (String) -> String?, _ variable: String, default value: Int, range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let text = lookup(variable), !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(
                variable: variable,
                message: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound) (e.g. \(value))")
        }
        return number
    }
}

/// An outbound setting that cannot be used: the host reports it as an init error
/// (`Runtime.InvalidConfiguration`) instead of running with a setting it misread.
public struct ConfigurationError: Error, Sendable {
    /// The environment variable at fault.
    public var variable: String
    /// What is wrong with its value and how to write it.
    public var message: String

    /// The init error's text.
    public var description: String { "\(variable): \(message)" }
}
