import LambdaMetrics

/// The sums of outbound calls per worker, for the metrics (``HostMetrics``): the name
/// ``OutboundServices/counters`` uses for ``OutboundTally``, which lives in LambdaMetrics
/// so that its attribution and locking are tested in-process.
///
/// Exists only when metrics are on; nil costs a call nothing. `add(microseconds:retries:)`
/// counts for worker 0 (one invocation at a time); with several workers in one process,
/// call `add(worker:microseconds:retries:)` with the index of the worker whose invocation
/// the call names, and ``HostMetrics`` takes that worker's sums when its invocation ends.
typealias OutboundCounters = OutboundTally
