import CLambdaPlugin
import LambdaJSON

/// Writes a streamed response: each write reaches the caller before it returns.
///
/// The stream begins with the first write (its Content-Type as given to
/// ``LambdaPlugin/stream(_:contentType:_:)``), or with ``writeStatusAndHeaders(statusCode:headers:cookies:)``
/// for a function URL answer. Valid only while the handler runs.
public final class LambdaResponseStreamWriter {
    let invocation: UnsafePointer<lambda_invocation>
    let host: UnsafePointer<lambda_host_api>
    let contentType: String
    private(set) var begun = false

    init(invocation: UnsafePointer<lambda_invocation>, host: UnsafePointer<lambda_host_api>, contentType: String) {
        self.invocation = invocation
        self.host = host
        self.contentType = contentType
    }

    /// Sends bytes as one chunk.
    public func write(_ bytes: [UInt8]) throws {
        try beginIfNeeded(contentType: contentType)
        try bytes.withUnsafeBytes { try send($0) }
    }

    /// Sends text (UTF-8) as one chunk.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Begins a function URL answer: the HTTP status, headers and cookies as the JSON
    /// prelude Lambda expects, then its 8-NUL-byte delimiter. Must come before any other
    /// write. The JSON's keys are sorted.
    public func writeStatusAndHeaders(statusCode: Int, headers: [String: String] = [:], cookies: [String] = []) throws {
        guard !begun else { throw StreamError(errorMessage: "writeStatusAndHeaders must come before any other write") }
        try beginIfNeeded(contentType: LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE)
        struct Prelude: Encodable {
            var statusCode: Int
            var headers: [String: String]
            var cookies: [String]
        }
        var encoder = LambdaJSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = try encoder.encode(Prelude(statusCode: statusCode, headers: headers, cookies: cookies))
        bytes += [UInt8](repeating: 0, count: 8)
        try bytes.withUnsafeBytes { try send($0) }
    }

    func end() throws {
        try beginIfNeeded(contentType: contentType)
        guard let end = HostTable(host: host).function(\.stream_end) else { throw StreamError(errorMessage: "the host cannot stream") }
        try check(end(invocation))
    }

    private func beginIfNeeded(contentType: String) throws {
        guard !begun else { return }
        // Field by field: a 1.1 host's table is shorter than this SDK's, and still streams.
        guard let begin = HostTable(host: host).function(\.stream_begin),
            HostTable(host: host).function(\.stream_end) != nil
        else {
            throw StreamError(errorMessage: "this lambda-host layer predates streaming (ABI 1.1); update it")
        }
        try check(begin(invocation, contentType))
        begun = true
    }

    private func send(_ bytes: UnsafeRawBufferPointer) throws {
        guard let write = HostTable(host: host).function(\.stream_write) else { throw StreamError(errorMessage: "the host cannot stream") }
        try check(write(invocation, bytes.baseAddress, bytes.count))
    }

    private func check(_ status: lambda_status) throws {
        guard status == LAMBDA_OK else { throw StreamError(errorMessage: "the host refused the stream call (status \(status))") }
    }
}

struct StreamError: LambdaPluginError {
    var errorType: String { "Runtime.StreamError" }
    var errorMessage: String
}
