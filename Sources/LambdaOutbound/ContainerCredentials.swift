import LambdaRuntimeAPI

/// The container-credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, or
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` under `http://169.254.170.2`) as the AWS SDKs
/// use it: a GET with the token in `Authorization`, answered by
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`. Lambda uses it where the
/// credentials change during the environment's life (SnapStart).
public struct ContainerCredentials: Sendable {
    /// The variables read, in order, for messages.
    public static let variables = [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]

    /// Where to GET the credentials.
    public var url: String
    /// The file the token is read from at each fetch (it may be rotated), if any.
    public var tokenFile: String?
    /// The token given directly, if any (the file wins when both are set, as in the SDKs).
    public var token: String?

    /// The endpoint the environment names, or nil when it names none.
    ///
    /// - Throws: ``SigV4Error`` (`.missingCredentials`) for a URL the SDKs refuse: plain
    ///   `http` is allowed only to a loopback address or the ECS/EKS agents'
    ///   (169.254.170.2, 169.254.170.23, fd00:ec2::23), so that a token is never sent in
    ///   clear across a network.
    public static func fromEnvironment(_ environment: AWSEnvironment) throws(SigV4Error) -> ContainerCredentials? {
        let url: String
        if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            url = full
        } else if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? "" : "/") + relative
        } else {
            return nil
        }
        let parsed: OutboundURL
        do throws(OutboundError) {
            parsed = try OutboundURL.parse(url)
        } catch {
            throw SigV4Error(.missingCredentials, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a usable URL: \(error.message)")
        }
        let host = parsed.origin.host
        let local = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "169.254.170.2"
            || host == "169.254.170.23" || host == "fd00:ec2::23"
        guard parsed.origin.scheme == .https || local else {
            throw SigV4Error(
                .missingCredentials,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address or the container agent (169.254.170.2); \(host) is neither")
        }
        return ContainerCredentials(
            url: url, tokenFile: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
            token: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
    }

    /// Credentials and when they expire (seconds since the epoch; nil: never said).
    public struct Answer: Sendable {
        public var credentials: AWSCredentials
        public var expiration: Int64?
    }

    /// Reads the endpoint's answer. Every value must be printable ASCII without spaces (it
    /// goes into a header); messages name fields, never values.
    public static func parse(_ body: UnsafeRawBufferPointer) throws(SigV4Error) -> Answer {
        let json: JSONValue
        do throws(JSONReader.Failure) {
            json = try JSONReader.parse(body)
        } catch {
            throw SigV4Error(.missingCredentials, "the container-credentials endpoint answered with a body that is not JSON (at byte \(error.offset))")
        }
        guard case .object(let members) = json else {
            throw SigV4Error(.missingCredentials, "the container-credentials endpoint answered with JSON that is not an object")
        }
        func field(_ name: String, required: Bool) throws(SigV4Error) -> String? {
            guard let (_, value) = members.first(where: { $0.0 == name }) else {
                if required { throw SigV4Error(.missingCredentials, "the container-credentials endpoint's answer has no \(name)") }
                return nil
            }
            guard case .string(let text) = value, !text.isEmpty, AWSCredentials.isVisibleASCII(text) else {
                throw SigV4Error(.missingCredentials, "the container-credentials endpoint's \(name) is not a non-empty printable string")
            }
            return text
        }
        let keyID = try field("AccessKeyId", required: true) ?? ""
        let secret = try field("SecretAccessKey", required: true) ?? ""
        let token = try field("Token", required: false)
        var expiration: Int64? = nil
        if let text = try field("Expiration", required: false) {
            guard let seconds = AWSTimestamp.parseISO8601(text) else {
                throw SigV4Error(.missingCredentials, "the container-credentials endpoint's Expiration is not an ISO 8601 UTC time")
            }
            expiration = seconds
        }
        return Answer(credentials: AWSCredentials(accessKeyId: keyID, secretAccessKey: secret, sessionToken: token), expiration: expiration)
    }
}
