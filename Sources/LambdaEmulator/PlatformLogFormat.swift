/// The format of the lines Lambda itself writes to a function's log: `AWS_LAMBDA_LOG_FORMAT`.
public enum PlatformLogFormat: Sendable, Equatable {
    /// `START RequestId: …`, `END …`, `REPORT …` lines.
    case text
    /// One JSON object a line, `{"time","type","record"}`.
    case json

    /// The format `AWS_LAMBDA_LOG_FORMAT` names: JSON for `JSON` (any case), text otherwise,
    /// as Lambda's default is.
    public init(environment value: String?) {
        self = value?.uppercased() == "JSON" ? .json : .text
    }
}
