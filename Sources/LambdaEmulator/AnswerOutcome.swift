import NIOHTTP1

/// What the emulator makes of a runtime's answer (`/response`, `/error`) to an invocation,
/// and what the runtime is told when it is refused.
enum AnswerOutcome: Equatable {
    /// The invocation's caller gets it: 202.
    case accepted
    /// No invocation is out with this request id (unknown, answered already, or being
    /// streamed to from another connection): 400 `InvalidRequestID`.
    case invalidRequestID
    /// The request id is out, but the `Lambda-Runtime-Invocation-Id` is not its own: 410.
    case staleInvocationID
    /// The invocation timed out before this answer came (Lambda Managed Instances mode,
    /// where the runtime goes on after a timeout): 410 `InvokeTimeout`, as AWS's emulator
    /// answers there.
    case timedOut

    /// The status of the refusal.
    var status: HTTPResponseStatus {
        switch self {
        case .accepted: .accepted
        case .invalidRequestID: .badRequest
        case .staleInvocationID, .timedOut: .gone
        }
    }

    /// The body of the reply to the runtime.
    var body: String {
        switch self {
        case .accepted:
            #"{"status":"OK"}"#
        case .invalidRequestID:
            #"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#
        case .staleInvocationID:
            #"{"errorMessage":"Invoke timed out or was answered","errorType":"InvalidInvocationId"}"#
        case .timedOut:
            #"{"errorMessage":"the invocation timed out before this answer came; its caller got Sandbox.Timedout","errorType":"InvokeTimeout"}"#
        }
    }
}
