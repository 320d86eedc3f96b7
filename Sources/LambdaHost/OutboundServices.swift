import CLambdaOutbound
import CLambdaPlugin
import CLambdaSystem
import LambdaOutbound

/// The ABI 1.2 host services: `http_request`, `http_prewarm` and `last_error`.
///
/// A call names an invocation (checked by pointer value under its worker's answer lock,
/// as every host service does) or none (NULL: the init and shutdown hooks, a plugin's own
/// threads). Calls of one kind are serialised on its lane (one per worker, and one for
/// calls without an invocation), so the response a plugin reads stays put until its next
/// request, and workers never wait for each other's calls. Every size and count of the C structs is checked before
/// anything is read through them; a malformed request gets `LAMBDA_E_INVALID` and a WARN
/// line.
enum OutboundServices {
    /// Read from the environment at INIT, before the plugin's init hook runs.
    nonisolated(unsafe) static var configuration = OutboundConfiguration()
    /// The pool and the lanes, made at the first outbound call or pre-warm (Swift makes a
    /// static once, thread-safely), so that a plugin that never calls out pays nothing.
    nonisolated(unsafe) static let state = OutboundState(configuration: configuration)
    /// Sums of the calls made with invocations, when metrics are on (made once, from the
    /// environment; immutable after): nil costs a call nothing.
    static let counters: OutboundCounters? = environment("LAMBDA_HOST_METRICS") == "emf" ? OutboundCounters() : nil

    /// Set when the shutdown hook starts: calls without an invocation then get Lambda's
    /// SHUTDOWN budget by default, not INIT's 10 s.
    nonisolated(unsafe) static var shuttingDown = false
    /// The default time of a call made during SHUTDOWN (Lambda allows the phase 500 ms
    /// without extensions).
    static let shutdownRequestMilliseconds: Int64 = 500

    /// Limits of a request, beyond which it is refused as malformed.
    static let maxURLBytes = 8 * 1024
    static let maxMethodBytes = 64
    static let maxHeaders = 100
    static let maxHeaderBytes = 64 * 1024
    /// A body larger than any Lambda function's memory is a size the plugin got wrong.
    static let maxBodyBytes = 1 << 30

    /// The sizes of the v1.2 structs: the least a plugin may declare (a v1.2 request ends
    /// where the v1.3 AWS fields begin).
    static let requestSize = MemoryLayout<lambda_http_request>.offset(of: \.aws_service) ?? 64
    static let responseSize = MemoryLayout<lambda_http_response>.size

    static let httpRequest: @convention(c) (
        UnsafePointer<lambda_invocation>?, UnsafePointer<lambda_http_request>?, UnsafeMutablePointer<lambda_http_response>?
    ) -> lambda_status = { invocation, request, response in
        onLane(invocation, "http_request", counted: true) { outbound, lane, deadline, started in
            perform(request, response, lane: lane, deadline: deadline, started: started, outbound: outbound)
        }
    }

    static let httpPrewarm: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafePointer<CChar>?) -> lambda_status = {
        invocation, origin in
        onLane(invocation, "http_prewarm") { outbound, lane, deadline, _ in prewarm(origin, lane: lane, deadline: deadline, outbound: outbound) }
    }

    /// Runs `body` holding the lane of `invocation` (NULL: the unattached one), with the
    /// call's deadline, or refuses the call when the invocation is not live.
    private static func onLane(
        _ invocation: UnsafePointer<lambda_invocation>?, _ call: StaticString, counted: Bool = false,
        _ body: (OutboundState, OutboundState.Lane, Int64, Int64) -> lambda_status
    ) -> lambda_status {
        let outbound = state
        let lane = outbound.lane(of: invocation)
        // Only an invocation's requests are counted, and only with metrics on.
        let counters = counted && invocation != nil ? OutboundServices.counters : nil
        // Taken before the lane's lock: time spent waiting for another thread's call counts.
        let counting = counters == nil ? 0 : lh_monotonic_us()
        let started = lh_monotonic_ms()
        lh_mutex_lock(lane.mutex)
        defer { lh_mutex_unlock(lane.mutex) }
        guard let deadline = begin(invocation, lane: lane, call: call, started: started) else { return LAMBDA_E_INVALID }
        guard let counters else { return body(outbound, lane, deadline, started) }
        let retries = lane.retries
        let status = body(outbound, lane, deadline, started)
        // Counted for the worker whose invocation made the call: documents of invocations
        // that run at once never take each other's calls.
        let worker = invocation.flatMap { Worker.owner(of: $0)?.index } ?? 0
        counters.add(worker: worker, microseconds: lh_monotonic_us() - counting, retries: lane.retries - retries)
        return status
    }

    private static func prewarm(
        _ origin: UnsafePointer<CChar>?, lane: OutboundState.Lane, deadline: Int64, outbound: OutboundState
    ) -> lambda_status {
        guard let origin, strnlen(origin, maxURLBytes) < maxURLBytes else {
            return invalid(lane, "http_prewarm", "the origin is NULL or longer than \(maxURLBytes) bytes")
        }
        do throws(OutboundError) {
            let parsed = try Origin.parse(String(cString: origin))
            if let allowList = outbound.configuration.allowList, !allowList.allows(parsed) {
                throw OutboundError(.notAllowed, sent: false, "not sent: \(parsed) is not allowed by LAMBDA_HOST_ALLOWED_ORIGINS")
            }
            try outbound.pool.prewarm(parsed, deadline: deadline)
            lane.setError("")
            // The lane already held: warm the invocations' lanes, but not that one again.
            for other in outbound.invocations where other !== lane { other.warmUp(parsed) }
            return LAMBDA_OK
        } catch {
            if error.code == .invalidRequest { return invalid(lane, "http_prewarm", error.message) }
            lane.setError("prewarm: " + error.message)
            return LAMBDA_E_HTTP_NOT_SENT
        }
    }

    static let lastError: @convention(c) (UnsafePointer<lambda_invocation>?) -> UnsafePointer<CChar>? = { invocation in
        let lane = state.lane(of: invocation)
        lh_mutex_lock(lane.mutex)
        defer { lh_mutex_unlock(lane.mutex) }
        return lane.errorText
    }

    /// Checks the invocation and copies what the call needs of it; returns the call's
    /// deadline (monotonic), or nil when the invocation is not live (logged).
    private static func begin(
        _ invocation: UnsafePointer<lambda_invocation>?, lane: OutboundState.Lane, call: StaticString, started: Int64
    ) -> Int64? {
        let now = lh_monotonic_ms()
        guard let invocation else {
            lane.trace.set(nil)
            return started + (shuttingDown ? shutdownRequestMilliseconds : configuration.initRequestMilliseconds)
        }
        guard let worker = Worker.owner(of: invocation) else {
            HostServices.refused(call, invocation)
            lane.setError("the invocation is over (its handler has returned) or was never handed out by the host")
            return nil
        }
        lh_mutex_lock(worker.answerLock)
        guard worker.state.isCurrent(invocation) else {
            lh_mutex_unlock(worker.answerLock)
            HostServices.refused(call, invocation)
            lane.setError("the invocation is over (its handler has returned) or was never handed out by the host")
            return nil
        }
        lane.trace.set(invocation.pointee.trace_id)
        let (left, overflow) = invocation.pointee.deadline_ms.subtractingReportingOverflow(lh_now_ms())
        lh_mutex_unlock(worker.answerLock)
        return now + (overflow ? 0 : max(0, left))
    }

    static func invalid(_ lane: OutboundState.Lane, _ call: StaticString, _ message: String) -> lambda_status {
        lane.setError(message)
        HostLog.host(.warn, "host->\(call)() was refused (LAMBDA_E_INVALID): \(message)")
        return LAMBDA_E_INVALID
    }
}
