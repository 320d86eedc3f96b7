import Glibc
import NIOCore
import NIOHTTP1

/// The emulator's bookkeeping: queued invocations, runtimes waiting on `/next`,
/// invocations handed out and not yet answered, and the init error.
///
/// Confined to the emulator's event loop: every method runs on it.
final class EmulatorState: @unchecked Sendable {
    /// An invocation from the moment it is queued until it is answered.
    struct Pending {
        var requestID: String
        var invocationID: String
        var traceID: String
        var deadlineMs: Int64
        var invocation: EmulatedInvocation
        var promise: EventLoopPromise<InvocationResult>
    }

    /// A runtime parked on `GET /next`.
    struct Waiter {
        var token: ObjectIdentifier
        var deliver: (Pending) -> Void
    }

    let eventLoop: EventLoop
    let configuration: EmulatorConfiguration
    private var queue: [Pending] = []
    private var waiters: [Waiter] = []
    private var inflight: [String: Pending] = [:]
    private(set) var initError: InvocationResult?

    init(eventLoop: EventLoop, configuration: EmulatorConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
    }

    func enqueue(_ invocation: EmulatedInvocation, promise: EventLoopPromise<InvocationResult>) {
        if let initError {
            promise.succeed(initError)
            return
        }
        let pending = Pending(
            requestID: Self.uuid(), invocationID: Self.hex(16), traceID: Self.traceID(),
            deadlineMs: Self.nowMs() + Int64(configuration.timeoutSeconds) * 1000,
            invocation: invocation, promise: promise)
        if waiters.isEmpty {
            queue.append(pending)
        } else {
            hand(pending, to: waiters.removeFirst())
        }
    }

    /// A runtime asks for the next invocation.
    func next(token: ObjectIdentifier, deliver: @escaping (Pending) -> Void) {
        let waiter = Waiter(token: token, deliver: deliver)
        if queue.isEmpty {
            waiters.append(waiter)
        } else {
            hand(queue.removeFirst(), to: waiter)
        }
    }

    /// A connection closed: its parked `/next` can no longer be answered.
    func forget(token: ObjectIdentifier) {
        waiters.removeAll { $0.token == token }
    }

    private func hand(_ pending: Pending, to waiter: Waiter) {
        inflight[pending.requestID] = pending
        waiter.deliver(pending)
    }

    /// The runtime answers `requestID`. Returns the status for the runtime: 202, 400 for
    /// an unknown or answered id, 410 for a stale invocation id.
    func answer(requestID: String, invocationID: String?, with result: InvocationResult) -> HTTPResponseStatus {
        guard let pending = inflight[requestID] else { return .badRequest }
        if let invocationID, invocationID != pending.invocationID { return .gone }
        inflight[requestID] = nil
        pending.promise.succeed(result)
        return .accepted
    }

    /// The runtime reported an init error: every invoker, now and later, gets it.
    func recordInitError(_ result: InvocationResult) {
        initError = result
        failAll(with: result)
    }

    /// Answers every queued and handed-out invocation with `result`.
    func failAll(with result: InvocationResult) {
        for pending in queue { pending.promise.succeed(result) }
        for pending in inflight.values { pending.promise.succeed(result) }
        queue.removeAll()
        inflight.removeAll()
    }

    // MARK: Identifiers

    static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    static func hex(_ digits: Int) -> String {
        var text = ""
        while text.count < digits {
            let chunk = String(UInt64.random(in: .min ... .max), radix: 16)
            text += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        return String(text.prefix(digits))
    }

    static func uuid() -> String {
        let h = hex(32)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(h.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    static func traceID() -> String {
        let seconds = String(nowMs() / 1000, radix: 16)
        return "Root=1-\(seconds)-\(hex(24));Parent=\(hex(16));Sampled=0"
    }
}
