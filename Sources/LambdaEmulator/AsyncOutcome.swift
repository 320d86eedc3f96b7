/// How an asynchronous (`Event`) invocation ended, in one log line: its caller was
/// answered 202 before it ran, so the log is the only place it shows.
enum AsyncOutcome {
    /// The most of a response or error document a line shows: enough to recognise it,
    /// never a 6 MiB line.
    static let shownBytes = 1024

    /// The line for `result`.
    static func describe(_ result: InvocationResult) -> String {
        switch result {
        case .response(let body):
            "lambda-host: Event invocation succeeded: \(shown(body))"
        case .streamed(nil):
            "lambda-host: Event invocation succeeded (streamed response)"
        case .streamed(let type?):
            "lambda-host: Event invocation failed: \(type) (after its streamed response began)"
        case .error(let type, let body):
            "lambda-host: Event invocation failed: \(type): \(shown(body))"
        }
    }

    /// At most ``shownBytes`` of `bytes`, as text on one line.
    private static func shown(_ bytes: [UInt8]) -> String {
        let cut = bytes.prefix(shownBytes).map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 }
        let text = String(decoding: cut, as: UTF8.self)
        return bytes.count > shownBytes ? text + "… (\(bytes.count) bytes)" : text
    }
}
