import CLambdaPlugin
import CLambdaSystem

/// The `lambda_invocation` structs handed to the handler: a ring of 1,024, used one per
/// invocation in turn, so that a pointer a plugin keeps past its invocation is never the
/// current invocation's.
///
/// The host recognises an invocation by its pointer's value and never reads through a
/// pointer it does not know, so each invocation needs an address of its own: with the
/// ring, the 1,023 invocations before the current one all have other addresses. A retired
/// slot keeps `struct_size`, `host` and `state` and reads as an empty invocation whose
/// deadline has passed, so a late `inv->host->respond(inv, ...)` reaches the host and is
/// refused, instead of reading memory the next invocation has reused.
///
/// Each worker has its own ring (``Worker``). Cost: 104 KiB of heap per worker, touched one slot at a time (a page per 39 invocations); per
/// invocation, the same stores as filling one reused struct, plus retiring it.
final class InvocationSlots {
    /// How many invocations in a row get distinct addresses.
    static let count = 1024

    private let slots: UnsafeMutablePointer<lambda_invocation>
    private var nextIndex = 0
    private let host: UnsafePointer<lambda_host_api>
    /// What the init hook stored, handed back in every invocation.
    var pluginState: UnsafeMutableRawPointer?

    /// A ring of ``count`` structs at `base` (untouched until used: a slot is only ever
    /// handed out filled, by `start()`), owned by whoever allocated it.
    init(host: UnsafePointer<lambda_host_api>, base: UnsafeMutablePointer<lambda_invocation>) {
        self.host = host
        slots = base
    }

    /// The next slot, filled from `invocation`'s fields (each points into the Runtime API
    /// client's buffer and stays valid until the slot is retired).
    func start(_ fields: lambda_invocation) -> UnsafeMutablePointer<lambda_invocation> {
        let slot = slots + nextIndex
        nextIndex = nextIndex + 1 == Self.count ? 0 : nextIndex + 1
        slot.pointee = fields
        slot.pointee.struct_size = UInt32(MemoryLayout<lambda_invocation>.size)
        slot.pointee.host = host
        slot.pointee.state = pluginState
        return slot
    }

    /// Empties a slot whose invocation is over.
    func retire(_ slot: UnsafeMutablePointer<lambda_invocation>) {
        slot.initialize(
            to: lambda_invocation(
                struct_size: UInt32(MemoryLayout<lambda_invocation>.size), reserved: 0, host: host,
                state: pluginState, payload: Self.empty, payload_size: 0, request_id: Self.empty, deadline_ms: 0,
                invoked_function_arn: Self.empty, trace_id: nil, client_context: nil, cognito_identity: nil,
                tenant_id: nil, host_private: nil))
    }

    /// The empty C string that stands for fields documented as never NULL.
    nonisolated(unsafe) static let empty: UnsafePointer<CChar> = {
        let text: StaticString = ""
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }()
}
