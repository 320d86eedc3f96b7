import LambdaPlugin

/// What a handler did with a ``LambdaTestInvocation``: its answer (bytes, an error, or a
/// stream), its log lines and its return value, as the fake host of ``LambdaTestHost``
/// recorded them.
public struct LambdaTestResult {
    /// An error the handler reported with `fail`.
    public struct Failure: Equatable, Sendable {
        /// The error type (`errorType`), e.g. "Runtime.InvalidEvent".
        public var type: String
        /// The message.
        public var message: String

        public init(type: String, message: String) {
            self.type = type
            self.message = message
        }
    }

    /// One line the handler wrote with `log`.
    public struct LogLine: Equatable, Sendable {
        /// The level it was written at (`LAMBDA_LOG_*`).
        public var level: Int32
        /// The line's text.
        public var message: String

        public init(level: Int32, message: String) {
            self.level = level
            self.message = message
        }
    }

    /// A streamed function URL answer (Content-Type
    /// `application/vnd.awslambda.http-integration-response`), split as Lambda splits it.
    public struct HTTPResponse: Equatable, Sendable {
        public var statusCode: Int
        public var headers: [String: String]
        public var cookies: [String]
        /// The bytes after the prelude and its 8 NUL bytes.
        public var body: [UInt8]
    }

    /// What the handler returned (`LAMBDA_OK`, or the status it chose).
    public internal(set) var status: lambda_status = LAMBDA_OK
    /// The bytes given to `respond`, or nil.
    public internal(set) var response: [UInt8]?
    /// The error given to `fail`, or nil. After a stream began, it is the error Lambda
    /// would send in the stream's trailers.
    public internal(set) var error: Failure?
    /// The stream's Content-Type, or nil when the handler did not stream.
    public internal(set) var streamContentType: String?
    /// Each `stream_write`, in order.
    public internal(set) var chunks: [[UInt8]] = []
    /// Whether the handler ended its stream.
    public internal(set) var streamEnded = false
    /// The log lines, in order.
    public internal(set) var logs: [LogLine] = []

    /// The response as UTF-8 text, or nil without a response.
    public var responseText: String? { response.map { String(decoding: $0, as: UTF8.self) } }

    /// Every streamed byte, the chunks joined.
    public var streamedBytes: [UInt8] { Array(chunks.joined()) }

    /// The streamed bytes as UTF-8 text.
    public var streamedText: String { String(decoding: streamedBytes, as: UTF8.self) }

    /// The response decoded as JSON into `T` with ``LambdaJSONDecoder``.
    ///
    /// - Throws: ``LambdaTestHostError`` when the handler did not respond (its error says
    ///   what it did instead), or the decoder's error.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        guard let response else {
            let instead = error.map { "failed with \($0.type): \($0.message)" }
                ?? (streamContentType != nil ? "streamed instead" : "returned \(status) without answering")
            throw LambdaTestHostError(message: "the handler did not respond: it \(instead)")
        }
        return try LambdaJSONDecoder().decode(T.self, from: response)
    }

    /// The stream as a function URL answer: the JSON prelude's status, headers and
    /// cookies, and the body after it; nil when the stream is not one.
    public var httpResponse: HTTPResponse? {
        guard streamContentType == LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE else { return nil }
        struct Prelude: Decodable {
            var statusCode: Int
            var headers: [String: String]?
            var cookies: [String]?
        }
        let bytes = streamedBytes
        let delimiter = [UInt8](repeating: 0, count: 8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: delimiter) }),
            let prelude = try? LambdaJSONDecoder().decode(Prelude.self, from: Array(bytes[..<end]))
        else { return nil }
        return HTTPResponse(
            statusCode: prelude.statusCode, headers: prelude.headers ?? [:], cookies: prelude.cookies ?? [],
            body: Array(bytes[(end + 8)...]))
    }
}

/// Why ``LambdaTestHost`` could not run a handler or read its answer.
public struct LambdaTestHostError: Error, CustomStringConvertible {
    /// What went wrong and what to change.
    public var message: String
    public var description: String { message }
}
