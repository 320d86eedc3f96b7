import CLambdaOutbound
import CLambdaSystem

/// Keep-alive connections per origin, shared by every invocation of the process.
///
/// A connection is checked out for one exchange and checked in after a complete response
/// that allows reuse. Idle connections are taken newest first (the likeliest to be alive),
/// are closed once idle longer than ``OutboundConfiguration/idleTimeoutMilliseconds`` (before
/// the far end would close them: AWS endpoints drop idle connections after a few seconds),
/// and each is polled before reuse, so one the server already closed is never written to.
/// At most ``OutboundConfiguration/maxIdlePerOrigin`` stay idle per origin. Names are
/// resolved once per origin and kept for ``OutboundConfiguration/dnsTTLMilliseconds``.
///
/// Thread-safe: one mutex guards the idle lists and the name cache; connecting, resolving
/// and I/O happen outside it. Cost of a checkout that reuses: a dictionary lookup and one
/// `poll` with a zero timeout.
public final class ConnectionPool {
    /// One idle connection and when it went idle (monotonic milliseconds).
    private struct Idle {
        let connection: OpaquePointer
        let since: Int64
    }

    /// Resolved addresses of an origin's host and when they expire (monotonic).
    private struct Resolved {
        var addresses: lh_addresses
        let expires: Int64
    }

    /// What the pool has done since the process started, for logs and tests.
    public struct Counts: Equatable, Sendable {
        /// Connections opened (each a TCP, and for https a TLS, handshake).
        public var opened = 0
        /// Checkouts served by an idle connection.
        public var reused = 0
        /// Idle connections closed because they were too old or the server had closed them.
        public var discarded = 0
    }

    /// Resolved names kept at most (beyond it, a name is resolved for each connection).
    static let maxNames = 256
    /// Idle connections kept at most, all origins together.
    static let maxIdleTotal = 64

    public let configuration: OutboundConfiguration
    private let mutex: OpaquePointer
    private var idle: [Origin: [Idle]] = [:]
    private var names: [Origin: Resolved] = [:]
    private var idleCount = 0
    private var counts = Counts()

    public init(configuration: OutboundConfiguration) {
        self.configuration = configuration
        // A failed malloc of one mutex at start-up leaves nothing to recover; input cannot
        // reach it.
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
    }

    /// The counts so far.
    public var statistics: Counts {
        lh_mutex_lock(mutex)
        defer { lh_mutex_unlock(mutex) }
        return counts
    }

    /// A connection to `origin`: an idle one that is still usable, else a new one.
    ///
    /// - Throws: ``OutboundError`` (never sent) when the name does not resolve, the
    ///   connection or the TLS handshake fails, or `deadline` passes first.
    public func checkOut(_ origin: Origin, deadline: Int64) throws(OutboundError) -> (connection: OpaquePointer, reused: Bool) {
        if let connection = takeIdle(origin) { return (connection, true) }
        return (try open(origin, deadline: deadline), false)
    }

    /// Returns a connection after a complete exchange that left it reusable.
    public func checkIn(_ connection: OpaquePointer, to origin: Origin) {
        let now = lh_monotonic_ms()
        var closing: [OpaquePointer] = []
        lh_mutex_lock(mutex)
        var list = idle.removeValue(forKey: origin) ?? []
        if list.count >= configuration.maxIdlePerOrigin, !list.isEmpty {
            closing.append(list.removeFirst().connection)
            idleCount -= 1
        }
        // The process-wide cap keeps a plugin that calls many origins within Lambda's
        // 1,024 file descriptors. At the cap, the oldest idle connection of another origin
        // gives way: otherwise connections left idle by origins called once would hold
        // every place for ever, and no later origin would ever be pooled.
        if configuration.maxIdlePerOrigin > 0, idleCount >= Self.maxIdleTotal, let oldest = evictOldest() {
            closing.append(oldest)
        }
        if configuration.maxIdlePerOrigin > 0, idleCount < Self.maxIdleTotal {
            list.append(Idle(connection: connection, since: now))
            idleCount += 1
        } else {
            closing.append(connection)
        }
        idle[origin] = list.isEmpty ? nil : list
        lh_mutex_unlock(mutex)
        for connection in closing { lh_conn_close(connection) }
    }

    /// Removes the idle connection that has waited longest, of any origin, and returns it
    /// (to be closed outside the mutex). Called with the mutex held, at the cap only: one
    /// pass over the origins that have idle connections (at most ``maxIdleTotal``).
    private func evictOldest() -> OpaquePointer? {
        var oldest: (origin: Origin, since: Int64)?
        for (origin, list) in idle {
            guard let first = list.first else { continue }
            if oldest.map({ first.since < $0.since }) ?? true { oldest = (origin, first.since) }
        }
        guard let oldest, var list = idle[oldest.origin], !list.isEmpty else { return nil }
        let connection = list.removeFirst().connection
        idle[oldest.origin] = list.isEmpty ? nil : list
        idleCount -= 1
        counts.discarded += 1
        return connection
    }

    /// Opens one connection to `origin` and keeps it idle, so that the next request to it
    /// costs no handshake.
    public func prewarm(_ origin: Origin, deadline: Int64) throws(OutboundError) {
        checkIn(try open(origin, deadline: deadline), to: origin)
    }

    private func takeIdle(_ origin: Origin) -> OpaquePointer? {
        let now = lh_monotonic_ms()
        var stale: [OpaquePointer] = []
        var found: OpaquePointer?
        lh_mutex_lock(mutex)
        if var list = idle[origin] {
            while let last = list.popLast() {
                idleCount -= 1
                if now - last.since < configuration.idleTimeoutMilliseconds, lh_conn_idle_usable(last.connection) == 1 {
                    found = last.connection
                    break
                }
                stale.append(last.connection)
            }
            // An origin with nothing idle leaves no entry: a plugin that calls many hosts
            // once must not grow the table for ever.
            idle[origin] = list.isEmpty ? nil : list
            counts.discarded += stale.count
            if found != nil { counts.reused += 1 }
        }
        lh_mutex_unlock(mutex)
        for connection in stale { lh_conn_close(connection) }
        return found
    }

    private func open(_ origin: Origin, deadline: Int64) throws(OutboundError) -> OpaquePointer {
        var addresses = try resolve(origin, deadline: deadline)
        var error: Int32 = 0
        var message = MessageBuffer()
        let tlsHost: String? = origin.scheme == .https ? origin.host : nil
        let connection = message.withBuffer { text, size in
            withOptionalCString(tlsHost) { host in
                lh_conn_open(&addresses, host, origin.port, deadline, &error, text, size)
            }
        }
        guard let connection else {
            throw OutboundError.notSent(network: error, origin: origin, detail: message.text)
        }
        lh_mutex_lock(mutex)
        counts.opened += 1
        lh_mutex_unlock(mutex)
        return connection
    }

    private func resolve(_ origin: Origin, deadline: Int64) throws(OutboundError) -> lh_addresses {
        let now = lh_monotonic_ms()
        lh_mutex_lock(mutex)
        let cached = names[origin]
        lh_mutex_unlock(mutex)
        if let cached, cached.expires > now { return cached.addresses }
        var addresses = lh_addresses()
        var message = MessageBuffer()
        let status = message.withBuffer { text, size in lh_resolve(origin.host, origin.port, deadline, &addresses, text, size) }
        guard Int(status) == LH_NET_OK else {
            throw OutboundError.notSent(network: status, origin: origin, detail: message.text)
        }
        lh_mutex_lock(mutex)
        if names.count >= Self.maxNames { names = names.filter { $0.value.expires > now } }
        if names.count < Self.maxNames {
            names[origin] = Resolved(addresses: addresses, expires: now + configuration.dnsTTLMilliseconds)
        }
        lh_mutex_unlock(mutex)
        return addresses
    }
}

/// Calls `body` with `text` as a C string, or with NULL when `text` is nil.
func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
