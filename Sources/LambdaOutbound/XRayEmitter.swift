import CLambdaOutbound
import CLambdaSystem
import LambdaRuntimeAPI

/// Sends subsegments of outbound calls to the X-Ray daemon named by
/// `AWS_XRAY_DAEMON_ADDRESS`, one UDP datagram each, as the X-Ray SDKs do.
///
/// A subsegment is sent only when the invocation's trace is sampled and has a parent (the
/// function's segment, which Lambda records). Sending never blocks and never fails the
/// call it describes: the socket is non-blocking and connect()ed to the daemon, opened at
/// the first send; a datagram the kernel refuses (buffer full, daemon gone, too large) is
/// counted in ``statistics`` and dropped, without a log line per call.
///
/// Thread-safe (hence `@unchecked Sendable`): one mutex guards the socket, the id
/// generator, the reused document buffer and the counts, and is held through the `send`,
/// which does not wait. Cost per sent subsegment: the document written into a buffer that
/// is kept (about 300 bytes plus the URL; a few small strings while escaping), one id from
/// a generator seeded once from the system's random source, and one `send`; the first
/// send opens the socket (two system calls).
public final class XRayEmitter: @unchecked Sendable {
    /// The variable Lambda sets when tracing is on, e.g. `169.254.79.129:2000`.
    public static let environmentVariable = "AWS_XRAY_DAEMON_ADDRESS"

    /// What the emitter has done since it was made, for a summary log line and tests.
    public struct Counts: Equatable, Sendable {
        /// Datagrams the kernel took.
        public var sent = 0
        /// Subsegments dropped: the socket could not be opened or the send failed.
        public var failed = 0

        public init(sent: Int = 0, failed: Int = 0) {
            self.sent = sent
            self.failed = failed
        }
    }

    /// The daemon's UDP address, `host:port` (IPv6 in brackets).
    public let daemon: String
    private let address: sockaddr_storage
    private let addressLength: socklen_t
    private let mutex: OpaquePointer
    private var socket: Int32 = -1
    private var seeded = false
    private var idState: UInt64 = 0
    private var writer = ByteWriter(capacity: 1024)
    private var counts = Counts()

    /// An emitter for the daemon at `daemonAddress`: `host:port`, or `udp:host:port
    /// tcp:host:port` in either order (the SDKs' form; the TCP address, for sampling rules,
    /// is checked but not used). Hosts are numeric IPv4 or bracketed IPv6, as Lambda gives
    /// them. Opens nothing yet.
    ///
    /// - Throws: ``XRayError`` (`.invalidDaemonAddress`) naming the variable and the value.
    public init(daemonAddress: String) throws(XRayError) {
        var udp: Substring?
        var tcp: Substring?
        var plain: Substring?
        let tokens = daemonAddress.split(whereSeparator: { $0 == " " || $0 == "\t" })
        for token in tokens {
            if token.hasPrefix("udp:"), udp == nil {
                udp = token.dropFirst(4)
            } else if token.hasPrefix("tcp:"), tcp == nil {
                tcp = token.dropFirst(4)
            } else if plain == nil, tokens.count == 1 {
                plain = token
            } else {
                throw Self.invalid(daemonAddress, "it is neither one address nor a udp: and a tcp: address")
            }
        }
        guard let target = udp ?? plain else {
            throw Self.invalid(
                daemonAddress, tcp == nil ? "it is empty" : "it has no udp: address, and subsegments go over UDP")
        }
        var parsed = sockaddr_storage()
        if let tcp, Self.parse(tcp, into: &parsed) == nil {
            throw Self.invalid(daemonAddress, "its tcp: address is not host:port with a numeric host and a port")
        }
        guard let length = Self.parse(target, into: &parsed) else {
            throw Self.invalid(daemonAddress, "'\(Self.shown(target))' is not host:port with a numeric host and a port")
        }
        address = parsed
        addressLength = length
        daemon = String(target)
        // A failed malloc of one mutex at start-up leaves nothing to recover; input cannot
        // reach it.
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    /// The emitter for the environment, through `lookup` (getenv in the host): nil when
    /// ``environmentVariable`` is unset or empty (tracing is off).
    ///
    /// - Throws: ``XRayError`` when the variable is set but unusable.
    public static func fromEnvironment(_ lookup: (String) -> String?) throws(XRayError) -> XRayEmitter? {
        guard let value = lookup(environmentVariable), value.contains(where: { $0 != " " && $0 != "\t" }) else {
            return nil
        }
        return try XRayEmitter(daemonAddress: value)
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// The counts so far.
    public var statistics: Counts {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        return counts
    }

    /// Sends `subsegment` as part of `trace` when the trace is sampled and has a parent;
    /// otherwise does nothing. Never blocks, never throws: a failure is counted.
    public func send(_ subsegment: XRaySubsegment, trace: XRayTraceHeader) {
        guard trace.sampled, let parent = trace.parent else { return }
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        if socket < 0 {
            var error: Int32 = 0
            socket = withUnsafePointer(to: address) { lh_udp_open($0, addressLength, &error) }
            guard socket >= 0 else {
                counts.failed += 1
                return
            }
        }
        writer.reset()
        subsegment.write(into: &writer, traceID: trace.root, parentID: parent, id: Self.hex(nextID()))
        let bytes = writer.bytes
        if lh_udp_send(socket, bytes.baseAddress, bytes.count) == 0 {
            counts.sent += 1
        } else {
            counts.failed += 1
        }
    }

    // MARK: Ids

    /// The next subsegment id: SplitMix64 over a state seeded once from the system's random
    /// source (getrandom), so ids are unpredictable across processes and cost a few
    /// multiplications each. Called with the mutex held.
    private func nextID() -> UInt64 {
        if !seeded {
            var system = SystemRandomNumberGenerator()
            idState = system.next()
            seeded = true
        }
        idState &+= 0x9E37_79B9_7F4A_7C15
        var z = idState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 16 lower-case hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 { buffer[i] = digits.utf8Start[Int(truncatingIfNeeded: (value >> (60 - 4 * UInt64(i))) & 15)] }
            return 16
        }
    }

    // MARK: The daemon's address

    /// Parses `host:port` (IPv4) or `[host]:port` (IPv6) into `address`: its length, or nil.
    private static func parse(_ text: Substring, into address: inout sockaddr_storage) -> socklen_t? {
        let bytes = Array(text.utf8)
        var hostFrom = 0
        let hostTo: Int
        let portFrom: Int
        if bytes.first == 91 {  // [v6]
            guard let close = bytes.firstIndex(of: 93), close + 1 < bytes.count, bytes[close + 1] == 58 else { return nil }
            hostFrom = 1
            hostTo = close
            portFrom = close + 2
        } else {
            guard let colon = bytes.firstIndex(of: 58), bytes.lastIndex(of: 58) == colon else { return nil }
            hostTo = colon
            portFrom = colon + 1
        }
        guard hostTo > hostFrom, hostTo - hostFrom <= 45 else { return nil }
        // inet_pton stops at a NUL: only the bytes an address is made of go to it.
        var host = [CChar](repeating: 0, count: 46)
        for i in hostFrom..<hostTo {
            let c = bytes[i]
            guard (c >= 48 && c <= 58) || (c | 32 >= 97 && c | 32 <= 102) || c == 46 else { return nil }
            host[i - hostFrom] = CChar(bitPattern: c)
        }
        guard let port = bytes.withUnsafeBufferPointer({ Origin.decimalPort($0, from: portFrom, to: bytes.count) }) else {
            return nil
        }
        var length: socklen_t = 0
        guard lh_udp_address(host, port, &address, &length) == 1 else { return nil }
        // Brackets hold IPv6 only, as in URLs.
        guard (bytes.first == 91) == (Int(length) == MemoryLayout<sockaddr_in6>.size) else { return nil }
        return length
    }

    private static func invalid(_ value: String, _ reason: String) -> XRayError {
        XRayError(
            .invalidDaemonAddress,
            "\(environmentVariable) '\(shown(Substring(value)))' cannot be used: \(reason); write host:port with a numeric "
                + "IPv4 or bracketed IPv6 host, e.g. 127.0.0.1:2000, [::1]:2000 or 'udp:127.0.0.1:2000 tcp:127.0.0.1:2000'")
    }

    /// The value as it may appear in a message: printable ASCII, at most 200 bytes.
    private static func shown(_ value: Substring) -> String {
        let bytes = Array(value.utf8.prefix(200))
        return bytes.withUnsafeBufferPointer { Origin.escaped($0) } + (value.utf8.count > 200 ? "…" : "")
    }
}
