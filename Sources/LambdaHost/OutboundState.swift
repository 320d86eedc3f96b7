import CLambdaOutbound
import CLambdaPlugin
import CLambdaSystem
import LambdaOutbound

/// The host's outbound HTTP: one connection pool for the process, shared by its workers,
/// and a session (last response, last error) per caller: one per worker for invocations,
/// one for calls made without an invocation (the init and shutdown hooks, a plugin's own
/// threads).
///
/// Set up at INIT from the environment (cheap: no socket, no TLS); a session's buffers
/// are allocated at its first request, so a plugin that never calls out pays a few
/// `getenv`s and one mutex.
final class OutboundState {
    /// One caller's serialised access to a session, with the response table and the last
    /// error handed to the plugin.
    final class Lane {
        let mutex: OpaquePointer
        private let pool: ConnectionPool
        private var made: OutboundSession?
        /// The `lambda_http_header` array of the last response (host-owned, grows).
        private(set) var headers: UnsafeMutablePointer<lambda_http_header>?
        private var headerCapacity = 0
        /// The last error as a C string ("" after a success).
        private var error: UnsafeMutablePointer<CChar>?
        private var errorCapacity = 0
        /// The invocation's trace header, copied while the invocation was checked.
        var trace = TraceCopy()

        init(pool: ConnectionPool) {
            self.pool = pool
            guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
            self.mutex = mutex
            setError("")
        }

        /// Requests its session sent again so far (see ``OutboundSession/retries``).
        var retries: Int { made?.retries ?? 0 }

        /// The session, made on first use.
        var session: OutboundSession {
            if let made { return made }
            let session = OutboundSession(pool: pool)
            made = session
            return session
        }

        /// Allocates what a request needs and runs its code once (see
        /// ``OutboundSession/warmUp(_:)``), so that the first request is as fast as the next.
        func warmUp(_ origin: Origin) {
            lh_mutex_lock(mutex)
            session.warmUp(origin)
            _ = headerTable(32)
            lh_mutex_unlock(mutex)
        }

        /// The last error text; valid until the next `setError`.
        var errorText: UnsafePointer<CChar> {
            // "" (a static, NUL-terminated literal) when the text could not be allocated.
            UnsafePointer(error) ?? UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
        }

        func setError(_ text: String) {
            var text = text
            text.withUTF8 { bytes in
                if bytes.count + 1 > errorCapacity {
                    free(error)
                    errorCapacity = bytes.count + 1
                    error = malloc(errorCapacity)?.bindMemory(to: CChar.self, capacity: errorCapacity)
                }
                guard let error else { errorCapacity = 0; return }
                if let base = bytes.baseAddress { memcpy(error, base, bytes.count) }
                error[bytes.count] = 0
            }
        }

        /// Room for `count` headers of the response table.
        func headerTable(_ count: Int) -> UnsafeMutablePointer<lambda_http_header>? {
            if count > headerCapacity {
                free(headers)
                headerCapacity = max(count, 32)
                headers = malloc(headerCapacity * MemoryLayout<lambda_http_header>.stride)?
                    .bindMemory(to: lambda_http_header.self, capacity: headerCapacity)
                if headers == nil { headerCapacity = 0 }
            }
            return headers
        }
    }

    /// An invocation's `X-Amzn-Trace-Id`, copied under the answer lock: the original lives
    /// in the Runtime API's reply buffer, which the next invocation overwrites.
    struct TraceCopy {
        static let capacity = 512
        private let storage = UnsafeMutableRawPointer.allocate(byteCount: TraceCopy.capacity, alignment: 1)
        private var count: Int?

        /// Copies `text` (NULL, or longer than the room: no trace header is sent).
        mutating func set(_ text: UnsafePointer<CChar>?) {
            guard let text else { count = nil; return }
            let length = strnlen(text, Self.capacity)
            guard length < Self.capacity else { count = nil; return }
            memcpy(storage, text, length)
            count = length
        }

        /// The copied bytes when `wanted` and present; valid until the next `set`.
        func bytes(_ wanted: Bool) -> UnsafeRawBufferPointer? {
            guard wanted, let count else { return nil }
            return UnsafeRawBufferPointer(start: storage, count: count)
        }
    }

    let configuration: OutboundConfiguration
    let pool: ConnectionPool
    /// Calls made with an invocation, one lane per worker (``Worker``).
    let invocations: [Lane]
    /// Calls made without one.
    let unattached: Lane
    /// The credentials AWS requests are signed with (fetched at the first such request).
    let credentials: AWSCredentialsProvider
    /// Where sampled invocations' outbound calls are traced (`AWS_XRAY_DAEMON_ADDRESS`).
    let xray: XRayEmitter?

    init(configuration: OutboundConfiguration) {
        self.configuration = configuration
        credentials = AWSCredentialsProvider(environment: configuration.aws)
        do throws(XRayError) {
            xray = try XRayEmitter.fromEnvironment { configuration.aws[$0] }
        } catch {
            HostLog.host(.warn, "\(error.message); outbound calls are not traced")
            xray = nil
        }
        let pool = ConnectionPool(configuration: configuration)
        self.pool = pool
        invocations = (0..<max(1, Worker.count)).map { _ in Lane(pool: pool) }
        unattached = Lane(pool: pool)
    }

    /// The lane of the worker whose ring holds `invocation`; the unattached lane for NULL.
    /// A pointer the host never handed out gets the first worker's, where it is refused.
    func lane(of invocation: UnsafePointer<lambda_invocation>?) -> Lane {
        guard let invocation, let index = Worker.owner(of: invocation)?.index, index < invocations.count else {
            return invocation == nil ? unattached : invocations[0]
        }
        return invocations[index]
    }

    /// Connects to each origin of `LAMBDA_HOST_PREWARM_ORIGINS` (during INIT), so that the
    /// first requests pay no handshake. A failure is logged and INIT goes on.
    func prewarmFromEnvironment() {
        for origin in configuration.prewarm {
            do {
                try pool.prewarm(origin, deadline: lh_monotonic_ms() + configuration.initRequestMilliseconds)
                for lane in invocations { lane.warmUp(origin) }
                HostLog.host(.debug, "pre-warmed a connection to \(origin)")
            } catch {
                HostLog.host(.warn, "LAMBDA_HOST_PREWARM_ORIGINS: \(error.message)")
            }
        }
    }
}
