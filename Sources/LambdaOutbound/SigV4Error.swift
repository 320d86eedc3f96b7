/// Why a request could not be signed. The message names the part of the request to fix and
/// never carries a credential.
public struct SigV4Error: Error, Sendable, CustomStringConvertible {
    /// Stable codes, the text in brackets of ``description``.
    public enum Code: String, Sendable {
        /// The date is not `YYYYMMDDTHHMMSSZ`.
        case invalidDate
        /// The method, path, query, a header, region, service or key id cannot be signed.
        case invalidRequest
        /// The environment holds no credentials to sign with.
        case missingCredentials
        /// A service or region name cannot make an endpoint.
        case invalidEndpoint
        /// An endpoint override in the environment (`AWS_ENDPOINT_URL…`) is not a usable URL.
        case invalidEndpointSetting
    }

    /// What kind of failure this is.
    public var code: Code
    /// What is wrong and what to fix.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SigV4 signing failed [\(code.rawValue)]: \(message)" }
}
