import CLambdaPlugin
import CLambdaSystem
import LambdaRuntimeAPI

/// One loop that answers invocations one at a time: its own Runtime API connection, its
/// own invocation structs and its own locks.
///
/// A host runs one worker on its main thread; with `AWS_LAMBDA_MAX_CONCURRENCY` = N and a
/// plugin that declares `LAMBDA_PLUGIN_THREAD_SAFE`, N workers on N threads after one INIT
/// (docs/concurrency.md). The host services find the worker of a call from the
/// invocation pointer alone (``owner(of:)``), so a plugin's thread may answer for any.
///
/// Cost per worker: a connection, two mutexes, 104 KiB of reserved invocation structs
/// and, on its own thread, an 8 MiB reserved stack. Per invocation, with one worker:
/// about 180 instructions more than before workers existed (the lookup, the crash
/// guard's slot; docs/performance.md).
final class Worker {
    /// The workers of this process, made once at the end of INIT, before any of them
    /// runs, and never changed after: read from any thread without a lock.
    private struct Registry {
        var workers: UnsafeMutablePointer<Worker>?
        var count = 0
        /// The first slot of every worker's ring, one allocation for all.
        var slotBase: UnsafeMutablePointer<lambda_invocation>?
    }

    nonisolated(unsafe) private static let registry: UnsafeMutablePointer<Registry> = {
        let registry = UnsafeMutablePointer<Registry>.allocate(capacity: 1)
        registry.initialize(to: Registry())
        return registry
    }()

    /// The workers, in order (a copy; made once).
    static var all: [Worker] {
        let registry = registry.pointee
        guard let workers = registry.workers else { return [] }
        return Array(UnsafeBufferPointer(start: workers, count: registry.count))
    }
    /// The workers of this process (set during INIT, for a thread-safe plugin).
    nonisolated(unsafe) static var count = 1
    /// Set during INIT when `AWS_LAMBDA_MAX_CONCURRENCY` > 1, threads or worker processes:
    /// Runtime API errors are retried (``RetryPolicy``) and the host's lines carry the
    /// request id of the invocation their thread runs.
    nonisolated(unsafe) static var concurrent = false

    /// The stack of a worker thread, as large as a main thread's (reserved, touched as used).
    static let threadStackBytes = 8 * 1024 * 1024

    let index: Int
    let client: RuntimeAPIClient
    let state: InvocationState
    let slots: InvocationSlots
    /// Held while a host service reads or changes this worker's invocation.
    let answerLock: OpaquePointer
    /// Held while this worker's handler runs: the shutdown hook waits for it.
    let invocationLock: OpaquePointer
    /// `_X_AMZN_TRACE_ID` is the process's: only the first worker sets it, and only when it
    /// is the only one (``TraceEnvironment/enabled``).
    private let trace: TraceEnvironment?

    private init(index: Int, client: RuntimeAPIClient, slots: InvocationSlots) {
        self.index = index
        self.client = client
        self.slots = slots
        state = InvocationState(client: client, worker: Int32(index))
        trace = index == 0 ? TraceEnvironment() : nil
        guard let answer = lh_mutex_create(), let invocation = lh_mutex_create() else {
            fatalError("lambda-host: out of memory")
        }
        answerLock = answer
        invocationLock = invocation
    }

    /// Makes the `count` workers: the first drives `client` (the one INIT used), the
    /// others connect to `endpoint` on their first call.
    static func makeAll(client: RuntimeAPIClient, endpoint: String, pluginState: UnsafeMutableRawPointer?) throws(RuntimeAPIError) {
        let base = UnsafeMutablePointer<lambda_invocation>.allocate(capacity: count * InvocationSlots.count)
        var made: [Worker] = []
        for index in 0..<count {
            let slots = InvocationSlots(host: HostServices.table, base: base + index * InvocationSlots.count)
            slots.pluginState = pluginState
            made.append(Worker(index: index, client: index == 0 ? client : try RuntimeAPIClient(endpoint: endpoint), slots: slots))
        }
        let workers = UnsafeMutablePointer<Worker>.allocate(capacity: made.count)
        workers.initialize(from: made, count: made.count)
        registry.pointee = Registry(workers: workers, count: made.count, slotBase: base)
    }

    /// The worker whose ring holds `invocation`, from its address alone (nothing is read
    /// through it); nil for a pointer the host never handed out.
    static func owner(of invocation: UnsafePointer<lambda_invocation>) -> Worker? {
        let registry = registry.pointee
        guard let slotBase = registry.slotBase, let workers = registry.workers else { return nil }
        let offset = UInt(bitPattern: invocation) &- UInt(bitPattern: slotBase)
        let ring = UInt(InvocationSlots.count * MemoryLayout<lambda_invocation>.stride)
        let index = offset / ring
        return index < UInt(registry.count) ? workers[Int(index)] : nil
    }

    /// Runs `body` with the answer lock held.
    func answering<T>(_ body: () -> T) -> T {
        lh_mutex_lock(answerLock)
        defer { lh_mutex_unlock(answerLock) }
        return body()
    }

    // MARK: The loop

    /// Answers invocations forever. With several invocations at once, an error of the
    /// Runtime API is retried after a pause (``RetryPolicy``) so that the other workers
    /// keep going; otherwise it ends the process as before.
    func run(_ handler: Host.Handler, metrics: HostMetrics?) -> Never {
        var failures = 0
        let tagsLines = Worker.concurrent
        while true {
            do {
                try once(handler, metrics: metrics, tagsLines: tagsLines)
                failures = 0
            } catch {
                if tagsLines { lh_log_set_request_id(nil) }
                failures += 1
                guard Worker.concurrent, let pause = RetryPolicy.pauseMs(afterFailures: failures) else {
                    let tries = failures > 1 ? " (\(failures) tries in a row)" : ""
                    HostLog.host(.fatal, "\(error.description)\(tries); exiting")
                    lh_exit(1)
                }
                HostLog.host(.warn, "worker \(index): \(error.description); trying again in \(pause) ms")
                lh_sleep_ms(pause)
            }
        }
    }

    /// One invocation: waits for it, hands it to the handler, answers it.
    private func once(_ handler: Host.Handler, metrics: HostMetrics?, tagsLines: Bool) throws(RuntimeAPIError) {
        let next = try client.next()
        let received = metrics == nil ? 0 : lh_monotonic_us()
        if next.eventTooLarge {
            try state.reject(
                next, type: ErrorTypes.eventTooLarge,
                message: "the event is \(next.reply.bodyLength) bytes; Lambda accepts at most \(RuntimeAPIClient.maxEventBytes)")
            return
        }
        guard let deadline = next.deadlineMs else {
            try state.reject(
                next, type: ErrorTypes.malformedInvocation, message: "the invocation has no valid Lambda-Runtime-Deadline-Ms header")
            return
        }
        let traceID = next.cString(next.reply.traceID)
        trace?.set(traceID)
        let body = next.body
        let requestID = next.bytes(of: next.reply.requestID)
        let invocationID = next.bytes(of: next.reply.invocationID)
        if tagsLines { lh_log_set_request_id(next.cString(next.reply.requestID)) }
        defer { if tagsLines { lh_log_set_request_id(nil) } }
        // From here a crash or an exit() is reported as this invocation's error.
        lh_guard_begin(
            Int32(index), requestID.baseAddress?.assumingMemoryBound(to: CChar.self), requestID.count,
            invocationID.baseAddress?.assumingMemoryBound(to: CChar.self), invocationID.count)
        var handled: Int64 = 0
        switch handler {
        case .plugin(let plugin):
            let slot = slots.start(
                lambda_invocation(
                    struct_size: 0, reserved: 0, host: nil, state: nil,
                    payload: body.baseAddress?.assumingMemoryBound(to: CChar.self) ?? InvocationSlots.empty,
                    payload_size: body.count, request_id: next.cString(next.reply.requestID),
                    deadline_ms: deadline,
                    invoked_function_arn: next.cString(next.reply.functionARN) ?? InvocationSlots.empty,
                    trace_id: traceID, client_context: next.cString(next.reply.clientContext),
                    cognito_identity: next.cString(next.reply.cognitoIdentity),
                    tenant_id: next.cString(next.reply.tenantID), host_private: nil))
            answering { state.begin(next, slot: slot) }
            lh_mutex_lock(invocationLock)
            let handlerStarted = metrics == nil ? 0 : lh_monotonic_us()
            let status = plugin.handler(slot)
            handled = metrics == nil ? 0 : lh_monotonic_us() - handlerStarted
            lh_mutex_unlock(invocationLock)
            answering {
                state.handlerReturned()
                slots.retire(slot)
            }
            try state.finish(handlerStatus: status, handlerName: plugin.handlerName)
        case .function(let function):
            state.begin(next)
            let handlerStarted = metrics == nil ? 0 : lh_monotonic_us()
            function.handle(body, state: state)
            handled = metrics == nil ? 0 : lh_monotonic_us() - handlerStarted
            try state.finish(handlerStatus: LAMBDA_OK, handlerName: function.name)
        }
        metrics?.invoked(worker: index, requestID: requestID, received: received, handler: handled, eventBytes: body.count, state: state)
    }

    // MARK: Threads

    /// Starts workers 1…N-1 on threads of their own (worker 0 runs on the caller's, which
    /// is bound to it here).
    static func startThreads(_ handler: Host.Handler, metrics: HostMetrics?) {
        guard all.count > 1 else { return }
        _ = lh_guard_bind_thread(0)
        for worker in all.dropFirst() {
            let own: Host.Handler
            do {
                own = try handler.forAnotherWorker()
            } catch {
                HostLog.host(.fatal, "cannot prepare worker thread \(worker.index): \(error.message); exiting")
                lh_exit(1)
            }
            let context = Unmanaged.passRetained(ThreadStart(worker: worker, handler: own, metrics: metrics)).toOpaque()
            let status = lh_thread_start_sized(threadMain, context, threadStackBytes)
            if status != 0 {
                Unmanaged<ThreadStart>.fromOpaque(context).release()
                HostLog.host(.fatal, "cannot start worker thread \(worker.index) (error \(status)); exiting")
                lh_exit(1)
            }
        }
    }

    private final class ThreadStart {
        let worker: Worker
        let handler: Host.Handler
        let metrics: HostMetrics?

        init(worker: Worker, handler: Host.Handler, metrics: HostMetrics?) {
            self.worker = worker
            self.handler = handler
            self.metrics = metrics
        }
    }

    private static let threadMain: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        guard let raw else { return }
        let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
        let status = lh_guard_bind_thread(Int32(start.worker.index))
        if status != 0 {
            HostLog.host(.warn, "worker \(start.worker.index): no alternate signal stack (error \(status)); a stack overflow is not reported")
        }
        start.worker.run(start.handler, metrics: start.metrics)
    }
}
