import CLambdaSystem
import LambdaRuntimeAPI

/// The host's log and the plugins' log: one line per call, written to stderr with a
/// single `write`, which Lambda sends to CloudWatch.
///
/// Format follows Lambda's advanced logging controls: `AWS_LAMBDA_LOG_FORMAT=JSON` gives
/// one JSON object per line (`timestamp`, `level`, `requestId`, `message`, `logger`);
/// otherwise a text line `[LEVEL]\t<request id>\t<message>`. Lines below
/// `AWS_LAMBDA_LOG_LEVEL` (default INFO) are dropped before any formatting. Cost: one
/// small allocation and one `write` per line kept.
public enum HostLog {
    /// Severity, in the order of `AWS_LAMBDA_LOG_LEVEL`.
    public enum Level: Int32, Sendable {
        case trace = 0, debug, info, warn, error, fatal

        var name: StaticString {
            switch self {
            case .trace: "TRACE"
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warn: "WARN"
            case .error: "ERROR"
            case .fatal: "FATAL"
            }
        }

        init?(name: String) {
            switch name.uppercased() {
            case "TRACE": self = .trace
            case "DEBUG": self = .debug
            case "INFO": self = .info
            case "WARN", "WARNING": self = .warn
            case "ERROR": self = .error
            case "FATAL", "CRITICAL": self = .fatal
            default: return nil
            }
        }
    }

    nonisolated(unsafe) static var json = false
    nonisolated(unsafe) static var threshold = Level.info

    /// Reads `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`.
    public static func configure(format: String?, level: String?) {
        json = format?.uppercased() == "JSON"
        if let level, let parsed = Level(name: level) { threshold = parsed }
    }

    /// Whether a line at `level` would be written.
    public static func enabled(_ level: Level) -> Bool { level.rawValue >= threshold.rawValue }

    /// Logs a line of the host's own; with several invocations at once, it carries the
    /// request id of the one its thread runs (`lh_log_set_request_id`), if any.
    public static func host(_ level: Level, _ message: String) {
        guard enabled(level) else { return }
        var text = message
        let requestID = lh_log_request_id()
        text.withUTF8 { write(level, requestID: requestID, message: UnsafeRawBufferPointer($0), logger: "lambda-host") }
    }

    /// Writes one line.
    /// The most of one line written; CloudWatch keeps 256 KiB of one log event.
    static let maxLineBytes = 256 * 1024

    static func write(
        _ level: Level,
        requestID: UnsafePointer<CChar>?,
        message fullMessage: UnsafeRawBufferPointer,
        logger: StaticString?
    ) {
        guard enabled(level) else { return }
        let message = UnsafeRawBufferPointer(rebasing: fullMessage.prefix(maxLineBytes))
        var line = ByteWriter(capacity: message.count + 128)
        let requestIDBytes = requestID.map { UnsafeRawBufferPointer(start: $0, count: strlen($0)) }
        if json {
            var stamp: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            line.append("{\"timestamp\":\"")
            withUnsafeMutableBytes(of: &stamp) { raw in
                guard let base = raw.baseAddress else { return }
                let length = lh_format_utc_now(base.assumingMemoryBound(to: CChar.self))
                line.append(UnsafeRawBufferPointer(rebasing: raw[0..<Int(max(0, length))]))
            }
            line.append("\",\"level\":\"")
            line.append(level.name)
            if let requestIDBytes {
                line.append("\",\"requestId\":\"")
                line.append(jsonEscaped: requestIDBytes)
            }
            line.append("\",\"message\":\"")
            line.append(jsonEscaped: message)
            if let logger {
                line.append("\",\"logger\":\"")
                line.append(logger)
            }
            line.append("\"}\n")
        } else {
            line.append("[")
            line.append(level.name)
            line.append("]\t")
            if let requestIDBytes {
                line.append(requestIDBytes)
                line.append("\t")
            }
            if logger != nil { line.append("lambda-host: ") }
            // One record per line: a newline inside the message would split it in CloudWatch.
            for byte in message { line.append(byte == 10 ? 13 : byte) }
            line.append("\n")
        }
        writeAll(line.bytes, to: 2)
    }

    /// Writes `bytes` to `fd` with one `write(2)` (more only when the kernel takes part of
    /// them, or a signal interrupts it), so a line up to the pipe's atomic size is never
    /// cut by another thread's. Gives up silently on an error: a log has nowhere to report.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = CLambdaSystem.write(fd, base + offset, bytes.count - offset)
            if written <= 0 {
                if written < 0 && lh_errno() == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
