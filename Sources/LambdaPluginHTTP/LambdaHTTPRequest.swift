import LambdaPlugin

/// A request for the host's outbound HTTP client (``LambdaHTTPClient``).
///
/// The URL alone chooses the destination: absolute, `http://` or `https://`,
/// percent-encoded; or, for a request signed for an AWS service (``aws``), a path and
/// query sent to that service's endpoint. The host writes `Host`, `Content-Length` and `Connection` itself and
/// refuses them here; it adds the invocation's `X-Amzn-Trace-Id` unless
/// ``sendsTraceHeader`` is false or the request sets that header.
public struct LambdaHTTPRequest: Sendable {
    /// The method, e.g. "GET".
    public var method: String
    /// The absolute URL, or with ``aws`` set a path and query starting with `/`.
    public var url: String
    /// Header names and values, in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The body (empty: none).
    public var body: [UInt8]
    /// How long the exchange may take, in milliseconds; 0: until the invocation's
    /// deadline (10 s during INIT). Never past the deadline.
    public var timeoutMilliseconds: Int64
    /// Whether the host adds the invocation's `X-Amzn-Trace-Id`.
    public var sendsTraceHeader: Bool
    /// The AWS service the host signs the request for, or nil for a plain request. Sending
    /// it needs a host of ABI 1.3 or later (an older one would send it unsigned, so the
    /// client refuses with ``LambdaHTTPError/Kind/unsupported``).
    public var aws: AWSSigning?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeoutMilliseconds: Int64 = 0, sendsTraceHeader: Bool = true, aws: AWSSigning? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.sendsTraceHeader = sendsTraceHeader
        self.aws = aws
    }
}
