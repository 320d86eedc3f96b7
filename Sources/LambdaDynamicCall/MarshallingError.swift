/// Why an event cannot become a call's arguments, or a result cannot become JSON.
public struct MarshallingError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure; each has an error type the caller can act on.
    public enum Code: String, Sendable, CaseIterable {
        case notJSON, duplicateName, notUTF8, wrongType, outOfRange, missingArgument, unknownArgument, argumentCount
        case nonFiniteResult

        /// The Lambda error type for this code.
        public var errorType: String {
            switch self {
            case .notJSON: "InvalidEvent.NotJSON"
            case .duplicateName: "InvalidEvent.DuplicateName"
            case .notUTF8: "InvalidEvent.NotUTF8"
            case .wrongType: "InvalidEvent.WrongType"
            case .outOfRange: "InvalidEvent.OutOfRange"
            case .missingArgument: "InvalidEvent.MissingArgument"
            case .unknownArgument: "InvalidEvent.UnknownArgument"
            case .argumentCount: "InvalidEvent.ArgumentCount"
            case .nonFiniteResult: "Function.NonFiniteResult"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.errorType): \(message)" }
}
