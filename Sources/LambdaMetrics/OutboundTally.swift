import CLambdaSystem

/// What the outbound calls made with each worker's invocations added up to since the
/// worker's sums were last taken: calls, their time and their retries, for the metrics.
///
/// Keyed by worker (the index of the run loop that took the invocation from the Runtime
/// API: 0 with one invocation at a time), so that with several invocations in flight in
/// one process each document counts the calls of its own invocation only. A call is
/// added to the worker whose invocation it names, from whatever thread makes it; a call
/// still running when its invocation ends is counted with that worker's next one.
///
/// Safe from any thread: one mutex guards every worker's sums (a call or an invocation's
/// end holds it for a few additions; an outbound call takes far longer than any wait for
/// it). A worker's slot is made at its first call (one allocation per worker, ever).
public final class OutboundTally: @unchecked Sendable {
    /// One worker's sums.
    public struct Sums: Equatable, Sendable {
        public var calls = 0
        /// The calls' time, microseconds.
        public var microseconds: Int64 = 0
        /// Requests sent again on a new connection after a reused one failed.
        public var retries = 0

        public init(calls: Int = 0, microseconds: Int64 = 0, retries: Int = 0) {
            self.calls = calls
            self.microseconds = microseconds
            self.retries = retries
        }
    }

    /// Worker indices run from 0 to one less than this (`AWS_LAMBDA_MAX_CONCURRENCY`'s
    /// largest value); a call naming another is not counted.
    public static let maxWorkers = 1024

    private let mutex: OpaquePointer
    /// One slot per worker seen so far (a buffer, not an array: no copy-on-write checks
    /// on the per-invocation path).
    private var slots: UnsafeMutableBufferPointer<Sums>

    /// - Parameter workers: the slots made at once (more are made as workers appear).
    public init(workers: Int = 1) {
        slots = .allocate(capacity: min(max(workers, 1), Self.maxWorkers))
        slots.initialize(repeating: Sums())
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    // The host keeps its tally for the process's life; the mutex is left to its end.
    deinit { slots.deallocate() }

    /// Counts one call made with `worker`'s invocation, that took `microseconds` and was
    /// sent again `retries` times.
    public func add(worker: Int = 0, microseconds: Int64, retries: Int) {
        guard worker >= 0, worker < Self.maxWorkers else { return }
        lh_mutex_lock(mutex)
        if worker >= slots.count { grow(to: worker + 1) }
        slots[worker].calls &+= 1
        slots[worker].microseconds &+= max(0, microseconds)
        slots[worker].retries &+= max(0, retries)
        lh_mutex_unlock(mutex)
    }

    /// `worker`'s sums so far, which start again from zero.
    public func take(worker: Int = 0) -> Sums {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        guard worker >= 0, worker < slots.count else { return Sums() }
        let sums = slots[worker]
        slots[worker] = Sums()
        return sums
    }

    /// Makes room for `count` workers, keeping the sums so far. Call holding the mutex.
    private func grow(to count: Int) {
        let grown = UnsafeMutableBufferPointer<Sums>.allocate(capacity: count)
        _ = grown.initialize(from: slots)
        grown[slots.count...].initialize(repeating: Sums())
        slots.deallocate()
        slots = grown
    }
}
