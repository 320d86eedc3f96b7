/// How an invocation ended, as its REPORT says.
struct InvocationReport {
    enum Status: String {
        case success
        /// The function answered with an error, or the runtime exited or was stopped.
        case error
        case timeout
    }

    var requestID: String
    var durationMs: Double
    var memorySizeMB: Int
    /// The runtime process's peak resident memory, in MB; nil when unknown.
    var maxMemoryUsedMB: Int?
    /// Only on the first invocation after a cold start.
    var initDurationMs: Double?
    var status: Status
    var errorType: String?
    /// The response's size, for a response that is not an error.
    var producedBytes: Int?
    /// Whether the emulator, not the function, ended the invocation (an exit, a
    /// timeout): Lambda's text REPORT then says so.
    var platformFailure = false

    /// Lambda bills whole milliseconds, rounded up, and at least one.
    var billedDurationMs: Int { max(1, Int(durationMs.rounded(.up))) }
}
