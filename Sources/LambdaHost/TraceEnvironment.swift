import CLambdaSystem
import LambdaRuntimeAPI

/// Keeps `_X_AMZN_TRACE_ID` equal to the current invocation's trace header.
///
/// `setenv` would allocate on every call and, in glibc, never free a value it has seen
/// (a leak of one string per invocation, since every trace id differs), so the variable
/// lives in one buffer handed to `putenv` once and rewritten in place. Cost per
/// invocation: one `memcpy` of the header.
///
/// Worker processes (AWS_LAMBDA_MAX_CONCURRENCY > 1) never set it: the trace id is in the
/// invocation's struct only, as AWS's own clients do in that mode.
final class TraceEnvironment {
    /// False in a worker process (set by `Supervisor` before INIT).
    nonisolated(unsafe) static var enabled = true

    private static let prefix: StaticString = "_X_AMZN_TRACE_ID="
    private let buffer: UnsafeMutablePointer<CChar>
    private let capacity: Int
    private var installed = false

    init() {
        // A header value is bounded by the reply head's size.
        capacity = Self.prefix.utf8CodeUnitCount + RuntimeAPIConnection.maxHeadBytes + 1
        guard let raw = malloc(capacity) else { fatalError("lambda-host: out of memory") }
        buffer = raw.bindMemory(to: CChar.self, capacity: capacity)
        memcpy(buffer, Self.prefix.utf8Start, Self.prefix.utf8CodeUnitCount)
        buffer[Self.prefix.utf8CodeUnitCount] = 0
        // Start from a clean slate: a value inherited from the parent is not this
        // invocation's.
        unsetenv("_X_AMZN_TRACE_ID")
    }

    /// Sets the variable to `traceID`, or removes it when nil.
    func set(_ traceID: UnsafePointer<CChar>?) {
        guard Self.enabled else { return }
        guard let traceID else {
            if installed {
                unsetenv("_X_AMZN_TRACE_ID")
                installed = false
            }
            return
        }
        let length = min(strlen(traceID), capacity - Self.prefix.utf8CodeUnitCount - 1)
        memcpy(buffer + Self.prefix.utf8CodeUnitCount, traceID, length)
        buffer[Self.prefix.utf8CodeUnitCount + length] = 0
        if !installed {
            putenv(buffer)
            installed = true
        }
    }
}
