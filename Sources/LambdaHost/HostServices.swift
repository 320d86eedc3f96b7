import CLambdaPlugin
import CLambdaSystem

/// The `lambda_host_api` table handed to plugins: plain C functions that act on the
/// invocation in flight.
///
/// Every call that names an invocation is checked against the struct of the handler
/// running now on the worker whose ring holds that pointer (``Worker/owner(of:)``), by
/// pointer value and under that worker's answer lock: a call made with the pointer
/// of an invocation that is over (from a plugin's thread, after its handler returned) or
/// with a pointer that is not the host's is refused with `LAMBDA_E_INVALID` and logged,
/// and nothing is read through that pointer. `log` with such a pointer logs the line
/// without a request id.
///
/// The table is built once and lives for the life of the process. Each call costs a
/// subtraction and a division to find the worker, an uncontended lock, a pointer
/// comparison and the work it does; nothing allocates but `fail` (its strings) and `log`
/// (its line).
enum HostServices {
    /// INIT is under way: `fail(NULL, ...)` may name an init failure.
    nonisolated(unsafe) static var initializing = true
    /// What the init hook reported through `fail(NULL, ...)`.
    nonisolated(unsafe) static var initFailure: (type: String, message: String)?

    /// The table, allocated once.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<lambda_host_api> = {
        let table = UnsafeMutablePointer<lambda_host_api>.allocate(capacity: 1)
        table.initialize(
            to: lambda_host_api(
                struct_size: UInt32(MemoryLayout<lambda_host_api>.size),
                abi_major: UInt16(LAMBDA_PLUGIN_ABI_MAJOR),
                abi_minor: UInt16(LAMBDA_PLUGIN_ABI_MINOR),
                respond: respond,
                fail: fail,
                log: log,
                remaining_time_ms: remainingTime,
                stream_begin: streamBegin,
                stream_write: streamWrite,
                stream_end: streamEnd,
                http_request: OutboundServices.httpRequest,
                http_prewarm: OutboundServices.httpPrewarm,
                last_error: OutboundServices.lastError))
        return table
    }()

    /// Runs `body` under its worker's answer lock when `invocation` is the struct of a
    /// handler running now; otherwise logs the refused call and returns `LAMBDA_E_INVALID`.
    private static func withCurrent(
        _ invocation: UnsafePointer<lambda_invocation>?,
        _ call: StaticString,
        _ body: (InvocationState) -> lambda_status
    ) -> lambda_status {
        guard let invocation, let worker = Worker.owner(of: invocation) else {
            refused(call, invocation)
            return LAMBDA_E_INVALID
        }
        lh_mutex_lock(worker.answerLock)
        guard worker.state.isCurrent(invocation) else {
            lh_mutex_unlock(worker.answerLock)
            refused(call, invocation)
            return LAMBDA_E_INVALID
        }
        let status = body(worker.state)
        lh_mutex_unlock(worker.answerLock)
        return status
    }

    static func refused(_ call: StaticString, _ invocation: UnsafePointer<lambda_invocation>?) {
        let why =
            invocation == nil
            ? "with a NULL invocation"
            : "with an invocation that is over (its handler has returned) or that the host never handed out"
        HostLog.host(
            .warn,
            "host->\(call)() was called \(why), and was refused (LAMBDA_E_INVALID): an invocation pointer is "
                + "valid only until its handler returns, so a plugin's thread must answer before the handler does")
    }

    private static let respond: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafeRawPointer?, Int)
        -> lambda_status = { invocation, data, size in
            withCurrent(invocation, "respond") { $0.respond(data, size) }
        }

    private static let fail: @convention(c) (
        UnsafePointer<lambda_invocation>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> lambda_status = { invocation, type, message in
        let typeText = type.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? ErrorTypes.unnamedHandlerError
        let messageText = message.map { String(cString: $0) } ?? ""
        guard invocation == nil else {
            return withCurrent(invocation, "fail") { $0.fail(type: typeText, message: messageText) }
        }
        // Only the init hook may name a failure without an invocation.
        guard initializing else {
            HostLog.host(
                .warn,
                "host->fail(NULL, ...) was called after INIT, and was refused (LAMBDA_E_INVALID): "
                    + "only the init hook may fail without an invocation (\(typeText): \(messageText))")
            return LAMBDA_E_INVALID
        }
        initFailure = (typeText, messageText)
        return LAMBDA_OK
    }

    private static let log: @convention(c) (UnsafePointer<lambda_invocation>?, Int32, UnsafePointer<CChar>?, Int)
        -> Void = { invocation, level, message, size in
            guard let message, size >= 0 else { return }
            let clamped = HostLog.Level(rawValue: min(max(level, 0), 5)) ?? .info
            guard HostLog.enabled(clamped) else { return }
            let text = UnsafeRawBufferPointer(start: message, count: size)
            guard let invocation, let worker = Worker.owner(of: invocation) else {
                HostLog.write(clamped, requestID: nil, message: text, logger: nil)
                return
            }
            // The request id is read only from the live struct, and only while it is live.
            worker.answering {
                let requestID = worker.state.isCurrent(invocation) ? invocation.pointee.request_id : nil
                HostLog.write(clamped, requestID: requestID, message: text, logger: nil)
            }
        }

    private static let streamBegin: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafePointer<CChar>?)
        -> lambda_status = { invocation, contentType in
            let type = contentType.map { String(cString: $0) }
            return withCurrent(invocation, "stream_begin") { $0.streamBegin(contentType: type) }
        }

    private static let streamWrite: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafeRawPointer?, Int)
        -> lambda_status = { invocation, data, size in
            withCurrent(invocation, "stream_write") { $0.streamWrite(data, size) }
        }

    private static let streamEnd: @convention(c) (UnsafePointer<lambda_invocation>?) -> lambda_status = { invocation in
        withCurrent(invocation, "stream_end") { $0.streamEnd() }
    }

    private static let remainingTime: @convention(c) (UnsafePointer<lambda_invocation>?) -> Int64 = { invocation in
        guard let invocation, let worker = Worker.owner(of: invocation) else { return 0 }
        return worker.answering {
            guard worker.state.isCurrent(invocation) else { return 0 }
            let (left, overflow) = invocation.pointee.deadline_ms.subtractingReportingOverflow(lh_now_ms())
            return overflow ? 0 : max(0, left)
        }
    }
}
