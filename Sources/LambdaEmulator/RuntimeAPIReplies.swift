import NIOHTTP1

/// What the emulator's Runtime API answers, and what invokers get, in the words of Lambda
/// (or of AWS's emulator where Lambda's are not known).
enum RuntimeAPIReplies {
    static let json = HTTPHeaders([("Content-Type", "application/json")])

    /// What the invoker gets for a response of `size` bytes, over the limit.
    static func responseTooLarge(size: Int) -> InvocationResult {
        .failure(
            type: "Function.ResponseSizeTooLarge",
            message:
                "Response payload size (\(size) bytes) exceeded maximum allowed payload size (\(RuntimeAPIHandler.maxResponseBytes) bytes).")
    }

    /// What the runtime gets for an answer over `limit` bytes.
    static func tooLarge(_ limit: Int) -> String {
        #"{"errorMessage":"Exceeded maximum allowed payload size (\#(limit) bytes).","errorType":"RequestEntityTooLarge"}"#
    }

    /// An error document in Lambda's shape.
    static func document(type: String, message: String) -> [UInt8] {
        guard case .error(_, let body) = InvocationResult.failure(type: type, message: message) else { return [] }
        return body
    }
}
