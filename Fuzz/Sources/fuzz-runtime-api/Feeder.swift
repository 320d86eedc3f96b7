import Glibc

/// Writes a stream into a socket in pieces, one `send` each, from its own thread, then
/// closes the socket: the "service" side of the fuzzed connection. The stream is cut at
/// the given offsets and every 4,095 bytes (the least a RuntimeAPIConnection reads at
/// once, so that no record is truncated). It stops early when the reader has closed its
/// end.
final class Feeder: @unchecked Sendable {
    private let descriptor: Int32
    private let stream: [UInt8]
    private let cuts: Set<Int>
    private var thread = pthread_t()
    private var started = false

    init(descriptor: Int32, stream: [UInt8], cuts: [Int]) {
        self.descriptor = descriptor
        self.stream = stream
        self.cuts = Set(cuts)
        let box = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Feeder>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, box)
        started = status == 0
        if !started {
            Unmanaged<Feeder>.fromOpaque(box).release()
            close(descriptor)
        }
    }

    private func run() {
        var offset = 0
        while offset < stream.count {
            var count = 1
            while offset + count < stream.count && count < 4095 && !cuts.contains(offset + count) { count += 1 }
            let sent = stream.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent == count else { break }
            offset += count
        }
        close(descriptor)
    }

    /// Waits for the thread to end.
    func join() {
        if started { pthread_join(thread, nil) }
    }
}
