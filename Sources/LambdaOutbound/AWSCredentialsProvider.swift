import CLambdaOutbound
import CLambdaSystem

/// The credentials AWS requests are signed with, as the AWS SDKs find them in Lambda: the
/// environment's `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
/// first, else the container-credentials endpoint, whose answer is kept until
/// ``refreshAhead`` seconds before its `Expiration`.
///
/// Thread-safe: one lock around the cache, held during a fetch so that callers wait for
/// one fetch instead of making several. Cost per call once cached: a lock and a copy of
/// three strings.
public final class AWSCredentialsProvider: @unchecked Sendable {
    /// How long before `Expiration` cached credentials are fetched again (the AWS SDKs
    /// refresh in the last 5 to 15 minutes, so a slow endpoint never leaves a request
    /// signed with credentials that expire in flight).
    public static let refreshAhead: Int64 = 300
    /// Within this many seconds of `Expiration` a failed refresh is an error; before, the
    /// cached credentials are used and the next call tries again.
    public static let mustRefresh: Int64 = 60

    /// Fetches the endpoint's answer: GET `url` with the `Authorization` value given (nil:
    /// none), returning the status and body. Called with the provider's lock held.
    public typealias Fetch = (_ url: String, _ authorization: String?) throws(OutboundError) -> (status: Int, body: [UInt8])

    private enum Source {
        case fixed(AWSCredentials)
        case container(ContainerCredentials)
        case unavailable(String)
    }

    private let source: Source
    private let mutex: OpaquePointer
    private var cached: ContainerCredentials.Answer?

    /// Chooses where credentials come from; nothing is fetched yet.
    public init(environment: AWSEnvironment) {
        guard let mutex = lh_mutex_create() else { fatalError("lambda-host: out of memory") }
        self.mutex = mutex
        source = Self.source(environment)
    }

    /// Credentials valid at `now` (seconds since the epoch), fetched through `fetch` when
    /// the cache is empty or about to expire.
    ///
    /// - Throws: ``OutboundError`` `.signing` (nothing sent) naming the variables looked
    ///   at, or what the endpoint did; never a credential's value.
    public func credentials(now: Int64, fetch: Fetch) throws(OutboundError) -> AWSCredentials {
        switch source {
        case .fixed(let credentials): return credentials
        case .unavailable(let message): throw OutboundError(.signing, sent: false, "not sent: " + message)
        case .container(let endpoint):
            lh_mutex_lock(mutex)
            defer { lh_mutex_unlock(mutex) }
            if let cached, Self.fresh(cached, now: now, margin: Self.refreshAhead) { return cached.credentials }
            do throws(OutboundError) {
                let answer = try Self.fetch(endpoint, with: fetch)
                cached = answer
                return answer.credentials
            } catch {
                if let cached, Self.fresh(cached, now: now, margin: Self.mustRefresh) { return cached.credentials }
                throw error
            }
        }
    }

    private static func fresh(_ answer: ContainerCredentials.Answer, now: Int64, margin: Int64) -> Bool {
        guard let expiration = answer.expiration else { return true }
        return now < expiration - margin
    }

    private static func source(_ environment: AWSEnvironment) -> Source {
        let lookedAt = (AWSCredentials.environmentVariables + ContainerCredentials.variables).joined(separator: ", ")
        do throws(SigV4Error) {
            if environment["AWS_ACCESS_KEY_ID"] != nil || environment["AWS_SECRET_ACCESS_KEY"] != nil {
                let credentials = try AWSCredentials.fromEnvironment { environment[$0] }
                for (name, value) in [
                    ("AWS_ACCESS_KEY_ID", credentials.accessKeyId), ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
                    ("AWS_SESSION_TOKEN", credentials.sessionToken ?? "-"),
                ] where !AWSCredentials.isVisibleASCII(value) {
                    return .unavailable("\(name) has spaces or bytes that are not printable ASCII; set it to the value AWS gave")
                }
                return .fixed(credentials)
            }
            if let endpoint = try ContainerCredentials.fromEnvironment(environment) { return .container(endpoint) }
        } catch {
            return .unavailable(error.message)
        }
        return .unavailable(
            "no AWS credentials to sign with: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, nor is a container-credentials endpoint (looked at \(lookedAt)); Lambda sets them from the function's execution role, locally export them")
    }

    private static func fetch(_ endpoint: ContainerCredentials, with fetch: Fetch) throws(OutboundError) -> ContainerCredentials.Answer {
        var authorization = endpoint.token
        if let file = endpoint.tokenFile {
            guard let text = readToken(file) else {
                throw OutboundError(
                    .signing, sent: false, "not sent: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE could not be read (\(OutboundURL.redacted(file)))")
            }
            authorization = text
        }
        if let token = authorization, !token.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            throw OutboundError(.signing, sent: false, "not sent: the container authorization token has bytes that cannot be sent in a header")
        }
        let (status, body): (Int, [UInt8])
        do throws(OutboundError) {
            (status, body) = try fetch(endpoint.url, authorization)
        } catch {
            let reason = error.message.hasPrefix("not sent: ") ? String(error.message.dropFirst(10)) : error.message
            throw OutboundError(.signing, sent: false, "not sent: fetching credentials from the container-credentials endpoint failed: \(reason)")
        }
        guard status == 200 else {
            throw OutboundError(
                .signing, sent: false,
                "not sent: the container-credentials endpoint answered \(status) instead of 200 credentials\(status == 401 || status == 403 ? "; check AWS_CONTAINER_AUTHORIZATION_TOKEN" : "")")
        }
        let answer = body.withUnsafeBytes { bytes in
            Result { () throws(SigV4Error) in try ContainerCredentials.parse(bytes) }
        }
        switch answer {
        case .success(let answer): return answer
        case .failure(let error): throw OutboundError(.signing, sent: false, "not sent: " + error.message)
        }
    }

    /// The token file's text without its trailing newline, at most 16 KiB; nil when unreadable.
    private static func readToken(_ path: String) -> String? {
        var bytes = [UInt8](repeating: 0, count: 16 * 1024)
        var count = bytes.withUnsafeMutableBytes { lh_read_small_file(path, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        while count > 0, bytes[count - 1] == 10 || bytes[count - 1] == 13 { count -= 1 }
        return String(decoding: bytes[0..<count], as: UTF8.self)
    }
}
