/// The emulator's Lambda Managed Instances mode (`--max-concurrency N`), as AWS's Runtime
/// Interface Emulator runs it when `AWS_LAMBDA_MAX_CONCURRENCY` is set: at most ``limit``
/// invocations handed out at once, and a missed deadline that ends only its invocation.
///
/// The runtime goes on after a timeout (Lambda Managed Instances do not stop a function
/// that overruns), so its answer may still come: the ids of the invocations that timed
/// out are kept, the most recent ``rememberedTimeouts`` of them, so that such an answer
/// is told 410 `InvokeTimeout` (once, as AWS's emulator does) rather than 400.
///
/// Pure bookkeeping; the emulator's state holds one and calls it on its event loop. Cost:
/// a set and a ring of at most ``rememberedTimeouts`` request ids.
struct ManagedConcurrency {
    /// How many timed-out invocations are remembered; the oldest is forgotten first.
    static let rememberedTimeouts = 1000

    /// The most invocations handed out and not yet answered or timed out.
    let limit: Int
    private var timedOut: Set<String> = []
    /// The remembered ids in the order they timed out, as a ring: `oldest` is the next to go.
    private var ring: [String] = []
    private var oldest = 0

    /// A mode for `limit` invocations at once (kept within
    /// ``EmulatorConfiguration/maxConcurrencyRange``).
    init(limit: Int) {
        let accepted = EmulatorConfiguration.maxConcurrencyRange
        self.limit = min(max(limit, accepted.lowerBound), accepted.upperBound)
    }

    /// Whether one more invocation may be handed out while `inFlight` are.
    func hasRoom(inFlight: Int) -> Bool { inFlight < limit }

    /// The invocation `requestID` missed its deadline: its caller has been told, and its
    /// slot is free. A worker still busy with it asks for no more work, so the runtime's
    /// own workers, not this count, keep it from running more than it can.
    mutating func recordTimeout(_ requestID: String) {
        guard timedOut.insert(requestID).inserted else { return }
        if ring.count < Self.rememberedTimeouts {
            ring.append(requestID)
            return
        }
        timedOut.remove(ring[oldest])
        ring[oldest] = requestID
        oldest = (oldest + 1) % Self.rememberedTimeouts
    }

    /// Whether `requestID` is an invocation that timed out and has not been answered since:
    /// true once, then it is forgotten (a second late answer is an unknown id).
    mutating func takeLateAnswer(_ requestID: String) -> Bool {
        timedOut.remove(requestID) != nil
    }
}
