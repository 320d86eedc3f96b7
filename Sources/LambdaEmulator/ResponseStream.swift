import NIOCore

/// Where a streamed response goes while the runtime writes it: the invoker's connection
/// (`serve`, `emulate`) or stdout (`invoke`). Called on the emulator's event loop, in
/// order: `begin`, any number of `write`, `end`.
public protocol ResponseStream: Sendable {
    /// The runtime started streaming, with this Content-Type.
    func begin(contentType: String)
    /// A chunk arrived; `written` is called (on any thread) once the destination has taken
    /// it, so that the emulator reads no faster than the invoker takes.
    func write(_ chunk: ByteBuffer, written: @escaping @Sendable () -> Void)
    /// The stream ended; `errorType` and `errorBody` (the error document, decoded) when
    /// the runtime reported an error after the first byte.
    func end(errorType: String?, errorBody: [UInt8]?)
}
