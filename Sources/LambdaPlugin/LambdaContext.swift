import CLambdaPlugin

/// The invocation's context: who called, until when, with which trace.
///
/// A view of the host's `lambda_invocation`: each property reads it when asked (the
/// strings allocate then, not before). Valid only while the handler runs; do not keep it.
public struct LambdaContext {
    package let invocation: UnsafePointer<lambda_invocation>

    init(_ invocation: UnsafePointer<lambda_invocation>) {
        self.invocation = invocation
    }

    /// The AWS request id.
    public var requestID: String { Self.string(invocation.pointee.request_id) ?? "" }
    /// The ARN the function was invoked with.
    public var invokedFunctionARN: String { Self.string(invocation.pointee.invoked_function_arn) ?? "" }
    /// The X-Ray trace header, if any.
    public var traceID: String? { Self.string(invocation.pointee.trace_id) }
    /// The client context of a mobile SDK caller (JSON text), if any.
    public var clientContext: String? { Self.string(invocation.pointee.client_context) }
    /// The caller's Amazon Cognito identity (JSON text), if any.
    public var cognitoIdentity: String? { Self.string(invocation.pointee.cognito_identity) }
    /// The tenant id of a tenant-isolated function, if any.
    public var tenantID: String? { Self.string(invocation.pointee.tenant_id) }
    /// The deadline, in milliseconds since the Unix epoch.
    public var deadlineMilliseconds: Int64 { invocation.pointee.deadline_ms }

    /// Milliseconds left before the invocation times out.
    public var remainingMilliseconds: Int64 {
        guard let host = invocation.pointee.host, let remaining = HostTable(host: host).function(\.remaining_time_ms) else { return 0 }
        return remaining(invocation)
    }

    /// Writes a line to the function's log, tagged with the request id.
    public func log(_ message: String, level: LambdaLogLevel = .info) {
        guard let host = invocation.pointee.host, let log = HostTable(host: host).function(\.log) else { return }
        var text = message
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                log(invocation, level.rawValue, chars.baseAddress, chars.count)
            }
        }
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// Log levels, as `AWS_LAMBDA_LOG_LEVEL` names them.
public enum LambdaLogLevel: Int32, Sendable {
    case trace = 0, debug, info, warn, error, fatal
}
