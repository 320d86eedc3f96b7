/// Room for the message a `CLambdaOutbound` call writes when it fails.
///
/// Cost: one 256-byte allocation, made only where a connection is opened or a name
/// resolved (never on a request that reuses a connection).
struct MessageBuffer {
    private var bytes = [CChar](repeating: 0, count: 256)

    /// Calls `body` with the buffer and its size.
    mutating func withBuffer<Result>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Result) -> Result {
        bytes.withUnsafeMutableBufferPointer { buffer in
            // The array is never empty, so its base address exists.
            guard let base = buffer.baseAddress else { preconditionFailure("empty message buffer") }
            return body(base, buffer.count)
        }
    }

    /// The NUL-terminated text written into the buffer, with invalid UTF-8 repaired.
    var text: String {
        let length = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
