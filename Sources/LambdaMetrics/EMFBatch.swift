import CLambdaSystem
import LambdaRuntimeAPI

/// Several invocations' values gathered into one EMF document (`LAMBDA_HOST_METRICS_EVERY`
/// = N > 1): each metric becomes an array with one value per invocation, the form the
/// spec gives for several values of a metric ("a numeric value or an array of numeric
/// values", at most 100 of them). CloudWatch takes each array member as one data point, so
/// sums, averages, sample counts and percentiles are those of per-invocation documents.
///
/// A document is written when the batch holds `every` invocations, and, checked as each
/// invocation is added (there is no timer thread), before adding to a batch whose first
/// invocation is `maxAge` old: no document spans more than `maxAge`, and its
/// `Timestamp` is the time of its last invocation. What is pending when the process is
/// killed is lost; ``flush(now:realtime:output:)`` writes it where the process can still
/// act (an orderly exit).
///
/// Safe from any thread: a mutex guards the batch, and `output` runs holding it, so two
/// documents never interleave. Cost per invocation: one lock and the copy of one value per
/// metric; per document, one pass over about 500 bytes of fixed text plus the values
/// (about 6 bytes each), built in a reused buffer: no allocation once it has grown.
public final class EMFBatch: @unchecked Sendable {
    /// The default bound on a document's span: CloudWatch's standard resolution, a minute.
    public static let defaultMaxAge: Int64 = 60_000_000

    public let format: EMFFormat
    /// Invocations per document (1 ... ``EMFFormat/maxValues``).
    public let every: Int
    /// Microseconds.
    public let maxAge: Int64

    private let mutex: OpaquePointer
    /// Metric-major: metric `m`'s pending values at `columns[m * every ..< m * every + count]`.
    private let columns: UnsafeMutableBufferPointer<Int64>
    private var count = 0
    /// Monotonic microseconds of the first and last pending invocations.
    private var first: Int64 = 0
    private var last: Int64 = 0
    private var writer = ByteWriter(capacity: 2048)

    /// - Parameters:
    ///   - every: invocations per document, brought into 1 ... ``EMFFormat/maxValues``.
    ///   - maxAge: the longest span of one document, in microseconds.
    public init(format: EMFFormat, every: Int, maxAge: Int64 = defaultMaxAge) {
        self.format = format
        self.every = min(max(every, 1), EMFFormat.maxValues)
        self.maxAge = maxAge
        columns = .allocate(capacity: format.metrics.count * self.every)
        columns.initialize(repeating: 0)
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    // The host keeps its batch for the process's life; the mutex (one small allocation,
    // with no destroy call in CLambdaSystem) is left to the process's end.
    deinit { columns.deallocate() }

    /// The invocations pending.
    public var pending: Int {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        return count
    }

    /// Adds one invocation's values (one per metric, in the order of the format's metrics;
    /// missing ones are 0), measured at `now` (monotonic microseconds). Writes the pending
    /// document first when its first invocation is ``maxAge`` old, and the batch's
    /// document when it is full.
    ///
    /// - Parameters:
    ///   - realtime: milliseconds since the Unix epoch, read only when a document is written.
    ///   - output: takes each document (one line, newline included) while the batch is locked.
    /// - Returns: the documents written (0, 1 or 2).
    @discardableResult
    public func add(
        _ values: UnsafeBufferPointer<Int64>, now: Int64, realtime: () -> Int64, output: (UnsafeRawBufferPointer) -> Void
    ) -> Int {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        var written = 0
        if count > 0 && now - first >= maxAge {
            writePending(now: now, realtime: realtime(), output: output)
            written += 1
        }
        if count == 0 { first = now }
        last = now
        for m in 0..<format.metrics.count {
            columns[m * every + count] = m < values.count ? values[m] : 0
        }
        count += 1
        if count == every {
            writePending(now: now, realtime: realtime(), output: output)
            written += 1
        }
        return written
    }

    /// Writes what is pending, if anything (at an orderly exit).
    ///
    /// - Returns: whether a document was written.
    @discardableResult
    public func flush(now: Int64, realtime: Int64, output: (UnsafeRawBufferPointer) -> Void) -> Bool {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        guard count > 0 else { return false }
        writePending(now: now, realtime: realtime, output: output)
        return true
    }

    /// Writes the pending document, stamped with its last invocation's time, and empties
    /// the batch. Call holding the mutex, with `count > 0`.
    private func writePending(now: Int64, realtime: Int64, output: (UnsafeRawBufferPointer) -> Void) {
        let timestamp = realtime - max(0, now - last) / 1000
        writer.reset()
        format.write(
            into: &writer, timestamp: timestamp, columns: UnsafeBufferPointer(columns), stride: every, count: count)
        output(writer.bytes)
        count = 0
    }
}
