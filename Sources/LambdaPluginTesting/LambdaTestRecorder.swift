import LambdaPlugin

/// The fake host's memory of one run: each C callback of ``LambdaTestHost``'s table finds
/// it through the invocation's `host_private` field (the host's own data, as in the real
/// host), so two runs, on two threads at once, never share one.
final class LambdaTestRecorder {
    var result = LambdaTestResult()
    let deadline: Int64
    private var responded = false

    init(deadline: Int64) {
        self.deadline = deadline
    }

    /// The recorder of `invocation`, or nil for NULL (the init hook's `fail`).
    static func of(_ invocation: UnsafePointer<lambda_invocation>?) -> LambdaTestRecorder? {
        guard let raw = invocation?.pointee.host_private else { return nil }
        return Unmanaged<LambdaTestRecorder>.fromOpaque(raw).takeUnretainedValue()
    }

    private var answered: Bool { responded || result.error != nil || result.streamContentType != nil }

    func respond(_ data: UnsafeRawPointer?, _ size: Int) -> lambda_status {
        guard !answered else { return LAMBDA_E_ALREADY_ANSWERED }
        guard let bytes = Self.bytes(data, size) else { return LAMBDA_E_INVALID }
        result.response = bytes
        responded = true
        return LAMBDA_OK
    }

    /// As the host does: once per invocation, and after a stream began, the error that
    /// goes into the stream's trailers.
    func fail(_ type: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?) -> lambda_status {
        guard !responded, result.error == nil else { return LAMBDA_E_ALREADY_ANSWERED }
        result.error = LambdaTestResult.Failure(
            type: type.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        return LAMBDA_OK
    }

    func log(_ level: Int32, _ message: UnsafePointer<CChar>?, _ size: Int) {
        let bytes = Self.bytes(UnsafeRawPointer(message), size) ?? []
        result.logs.append(LambdaTestResult.LogLine(level: level, message: String(decoding: bytes, as: UTF8.self)))
    }

    func remaining() -> Int64 { max(0, deadline - LambdaTestHost.nowMilliseconds) }

    func streamBegin(_ contentType: UnsafePointer<CChar>?) -> lambda_status {
        guard !answered else { return LAMBDA_E_ALREADY_ANSWERED }
        result.streamContentType = contentType.map { String(cString: $0) } ?? "application/octet-stream"
        return LAMBDA_OK
    }

    func streamWrite(_ data: UnsafeRawPointer?, _ size: Int) -> lambda_status {
        guard result.streamContentType != nil, !result.streamEnded, let bytes = Self.bytes(data, size) else {
            return LAMBDA_E_INVALID
        }
        result.chunks.append(bytes)
        return LAMBDA_OK
    }

    func streamEnd() -> lambda_status {
        guard result.streamContentType != nil, !result.streamEnded else { return LAMBDA_E_INVALID }
        result.streamEnded = true
        return LAMBDA_OK
    }

    /// A copy of `size` bytes at `data`; nil when `data` is NULL and `size` is not 0.
    private static func bytes(_ data: UnsafeRawPointer?, _ size: Int) -> [UInt8]? {
        guard size > 0 else { return [] }
        guard let data else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }
}
