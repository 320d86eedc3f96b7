import CLambdaPlugin
import CLambdaSystem

/// The `lambda_host_api` table handed to plugins: plain C functions that find the host's
/// state through the invocation's `host_private` pointer.
///
/// The table is built once and lives for the life of the process. Each call costs a
/// pointer check and the work it does; nothing allocates but `fail` (its strings) and
/// `log` (its line).
enum HostServices {
    /// The state of the running host, for calls made without an invocation (during init).
    nonisolated(unsafe) static var state: InvocationState?

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
                stream_end: streamEnd))
        return table
    }()

    /// The host state that owns `invocation`, or nil when the pointer is not one of ours
    /// or its invocation is over.
    static func owner(of invocation: UnsafePointer<lambda_invocation>?) -> InvocationState? {
        guard let invocation, let raw = invocation.pointee.host_private, let state else { return nil }
        guard raw == Unmanaged.passUnretained(state).toOpaque() else { return nil }
        return state
    }

    private static let respond: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafeRawPointer?, Int)
        -> lambda_status = { invocation, data, size in
            guard let state = owner(of: invocation) else { return LAMBDA_E_INVALID }
            return state.respond(data, size)
        }

    private static let fail: @convention(c) (
        UnsafePointer<lambda_invocation>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> lambda_status = { invocation, type, message in
        let typeText = type.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? ErrorTypes.unnamedHandlerError
        let messageText = message.map { String(cString: $0) } ?? ""
        if invocation == nil {
            // Only the init hook may name a failure without an invocation.
            guard let state, state.current == nil else { return LAMBDA_E_INVALID }
            state.initFailure = (typeText, messageText)
            return LAMBDA_OK
        }
        guard let state = owner(of: invocation) else { return LAMBDA_E_INVALID }
        return state.fail(type: typeText, message: messageText)
    }

    private static let log: @convention(c) (UnsafePointer<lambda_invocation>?, Int32, UnsafePointer<CChar>?, Int)
        -> Void = { invocation, level, message, size in
            guard let message, size >= 0 else { return }
            let clamped = HostLog.Level(rawValue: min(max(level, 0), 5)) ?? .info
            HostLog.write(
                clamped, requestID: invocation?.pointee.request_id,
                message: UnsafeRawBufferPointer(start: message, count: size), logger: nil)
        }

    private static let streamBegin: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafePointer<CChar>?)
        -> lambda_status = { invocation, contentType in
            guard let state = owner(of: invocation) else { return LAMBDA_E_INVALID }
            return state.streamBegin(contentType: contentType.map { String(cString: $0) })
        }

    private static let streamWrite: @convention(c) (UnsafePointer<lambda_invocation>?, UnsafeRawPointer?, Int)
        -> lambda_status = { invocation, data, size in
            guard let state = owner(of: invocation) else { return LAMBDA_E_INVALID }
            return state.streamWrite(data, size)
        }

    private static let streamEnd: @convention(c) (UnsafePointer<lambda_invocation>?) -> lambda_status = { invocation in
        guard let state = owner(of: invocation) else { return LAMBDA_E_INVALID }
        return state.streamEnd()
    }

    private static let remainingTime: @convention(c) (UnsafePointer<lambda_invocation>?) -> Int64 = { invocation in
        guard let invocation else { return 0 }
        let (left, overflow) = invocation.pointee.deadline_ms.subtractingReportingOverflow(lh_now_ms())
        return overflow ? 0 : max(0, left)
    }
}
