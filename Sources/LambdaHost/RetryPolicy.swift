/// How a worker waits out errors of the Runtime API when several workers share the
/// process (AWS_LAMBDA_MAX_CONCURRENCY > 1): a failed `/next` or answer is tried again
/// after 100 ms, doubling, five times in a row at most (3.1 s in all, as AWS's Python
/// client does), so that one worker's error does not end the invocations the others run.
/// A success starts the count again. With one worker the first error ends the process.
enum RetryPolicy {
    /// Failures in a row tolerated; one more ends the process.
    static let maxFailures = 5
    static let firstPauseMs: Int64 = 100

    /// The pause after `failures` in a row (1 is the first), or nil when it is time to
    /// give up.
    static func pauseMs(afterFailures failures: Int) -> Int64? {
        guard failures >= 1, failures <= maxFailures else { return nil }
        return firstPauseMs << Int64(failures - 1)
    }
}
