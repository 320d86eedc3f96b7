import NIOCore

/// Passes a streamed response from the runtime's connection to the invoker's
/// ``ResponseStream`` as it arrives, no faster than the invoker takes it, and no more than
/// Lambda's streaming limit.
///
/// Pacing: once more than ``highWater`` bytes are written to the invoker and not yet taken
/// (in its socket), the runtime's connection stops being read until they drop to
/// ``lowWater``; the runtime's sends then wait in the kernel, as they would in Lambda, so
/// a caller that reads slowly (or not at all) costs the emulator at most about a MiB.
///
/// Limit: the first ``maxBytes`` go to the invoker; then its stream ends with
/// `Function.ResponseSizeTooLarge` in the trailers, as AWS's emulator ends an oversized
/// streamed response, and the rest of the runtime's request is read and dropped.
///
/// Confined to the emulator's event loop.
final class StreamRelay {
    /// Lambda's limit for a streamed response (200 MiB).
    static let maxBytes = 200 * 1024 * 1024
    static let highWater = 1024 * 1024
    static let lowWater = 256 * 1024

    /// Where the chunks go.
    let stream: any ResponseStream
    private let channel: Channel
    private let gate: LoopGate
    private var unacknowledged = 0
    private var paused = false
    private var sent = 0
    /// Whether the limit was crossed: the invoker's stream has ended.
    private(set) var capped = false

    /// Relays what `channel` (the runtime's connection) receives to `stream`.
    init(stream: any ResponseStream, channel: Channel, gate: LoopGate) {
        self.stream = stream
        self.channel = channel
        self.gate = gate
    }

    /// What the invoker is told when the limit is crossed, `received` bytes in: the words
    /// of AWS's emulator, which also counts what it had read when it stopped.
    static func limitMessage(received: Int) -> String {
        "Response payload size (\(received) bytes) exceeded maximum allowed payload size (\(maxBytes) bytes)."
    }

    /// Passes `chunk` on. Returns true when this chunk crossed the limit: the invoker's
    /// stream has just ended with `Function.ResponseSizeTooLarge`.
    func pass(_ chunk: ByteBuffer) -> Bool {
        guard !capped else { return false }
        var chunk = chunk
        let room = Self.maxBytes - sent
        guard chunk.readableBytes > room else {
            forward(chunk)
            return false
        }
        let received = sent + chunk.readableBytes
        if room > 0, let last = chunk.readSlice(length: room) { forward(last) }
        capped = true
        let type = "Function.ResponseSizeTooLarge"
        stream.end(errorType: type, errorBody: RuntimeAPIReplies.document(type: type, message: Self.limitMessage(received: received)))
        // What is left is read and dropped at full speed.
        resume()
        return true
    }

    private func forward(_ chunk: ByteBuffer) {
        let size = chunk.readableBytes
        sent += size
        unacknowledged += size
        let relay = NIOLoopBound(self, eventLoop: channel.eventLoop)
        let gate = self.gate
        stream.write(chunk) { gate.execute { relay.value.acknowledge(size) } }
        if unacknowledged > Self.highWater && !paused {
            paused = true
            channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }

    private func acknowledge(_ size: Int) {
        unacknowledged -= size
        if unacknowledged <= Self.lowWater { resume() }
    }

    private func resume() {
        guard paused else { return }
        paused = false
        channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
    }
}
