import Glibc
import LambdaRuntimeAPI

/// The lines Lambda writes for every invocation: START when the runtime gets it, END
/// when it has answered, REPORT with its duration and memory. In the text format they
/// are those of CloudWatch; in the JSON format, the records of the Telemetry API's
/// `platform.start`, `platform.runtimeDone` and `platform.report` events, which are what
/// CloudWatch shows for a function whose log format is JSON. Shapes as documented at
/// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html (the
/// `Event` object: `time`, `type`, `record`; `PlatformStart`, `PlatformRuntimeDone`,
/// `PlatformReport` with `ReportMetrics`) and
/// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html
/// (system logs in JSON).
///
/// Cost: a few string appends a line, and one clock read for the JSON `time`.
enum PlatformLog {
    static func start(requestID: String, version: String, format: PlatformLogFormat) -> String {
        switch format {
        case .text:
            return "START RequestId: \(requestID) Version: \(version)"
        case .json:
            let record = #"{"requestId":"\#(JSONText.escaped(requestID))","version":"\#(JSONText.escaped(version))"}"#
            return event("platform.start", record)
        }
    }

    static func end(_ report: InvocationReport, format: PlatformLogFormat) -> String {
        switch format {
        case .text:
            return "END RequestId: \(report.requestID)"
        case .json:
            var metrics = #""durationMs":\#(decimal(report.durationMs))"#
            if let produced = report.producedBytes { metrics += #","producedBytes":\#(produced)"# }
            var record = #"{"requestId":"\#(JSONText.escaped(report.requestID))","status":"\#(report.status.rawValue)""#
            if let type = report.errorType { record += #","errorType":"\#(JSONText.escaped(type))""# }
            record += #","metrics":{\#(metrics)}}"#
            return event("platform.runtimeDone", record)
        }
    }

    static func report(_ report: InvocationReport, format: PlatformLogFormat) -> String {
        switch format {
        case .text:
            var line = "REPORT RequestId: \(report.requestID)\tDuration: \(decimal(report.durationMs)) ms"
            line += "\tBilled Duration: \(report.billedDurationMs) ms\tMemory Size: \(report.memorySizeMB) MB"
            line += "\tMax Memory Used: \(report.maxMemoryUsedMB ?? 0) MB"
            if let initMs = report.initDurationMs { line += "\tInit Duration: \(decimal(initMs)) ms" }
            if report.platformFailure {
                line += "\tStatus: \(report.status.rawValue)"
                if let type = report.errorType, report.status != .timeout { line += "\tError Type: \(type)" }
            }
            return line
        case .json:
            var metrics = #""durationMs":\#(decimal(report.durationMs)),"billedDurationMs":\#(report.billedDurationMs)"#
            metrics += #","memorySizeMB":\#(report.memorySizeMB),"maxMemoryUsedMB":\#(report.maxMemoryUsedMB ?? 0)"#
            if let initMs = report.initDurationMs { metrics += #","initDurationMs":\#(decimal(initMs))"# }
            var record = #"{"requestId":"\#(JSONText.escaped(report.requestID))","metrics":{\#(metrics)}"#
            record += #","status":"\#(report.status.rawValue)""#
            if let type = report.errorType { record += #","errorType":"\#(JSONText.escaped(type))""# }
            return event("platform.report", record + "}")
        }
    }

    private static func event(_ type: String, _ record: String) -> String {
        #"{"time":"\#(timestamp())","type":"\#(type)","record":\#(record)}"#
    }

    /// `value` with two decimals, as Lambda prints durations (`12.34`); never an
    /// exponent, so valid JSON too.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.00" }
        let hundredths = Int((max(0, min(value, 1e12)) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Now in UTC, ISO 8601 with milliseconds (`2026-12-03T12:00:00.123Z`).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = now.tv_nsec / 1_000_000
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}
