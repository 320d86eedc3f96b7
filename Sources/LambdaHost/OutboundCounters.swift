import CLambdaSystem

/// What the outbound calls made with invocations added up to since it was last taken:
/// calls, their time and their retries, for the metrics (``HostMetrics``).
///
/// Exists only when metrics are on (``OutboundServices/counters``); a mutex guards the
/// sums, since a plugin's threads may call out while the run loop takes them.
final class OutboundCounters: @unchecked Sendable {
    private let mutex: OpaquePointer
    private var calls = 0
    private var microseconds: Int64 = 0
    private var retries = 0

    init() {
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    /// Counts one call that took `microseconds` and was sent again `retries` times.
    func add(microseconds: Int64, retries: Int) {
        lh_mutex_lock(mutex)
        calls += 1
        self.microseconds += max(0, microseconds)
        self.retries += retries
        lh_mutex_unlock(mutex)
    }

    /// The sums so far, which start again from zero.
    func take() -> (calls: Int, microseconds: Int64, retries: Int) {
        lh_mutex_lock(mutex)
        defer {
            calls = 0
            microseconds = 0
            retries = 0
            lh_mutex_unlock(mutex)
        }
        return (calls, microseconds, retries)
    }
}
