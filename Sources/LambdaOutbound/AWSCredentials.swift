/// The credentials one SigV4 signature is made with: an access key id, its secret, and the
/// session token that temporary credentials (Lambda's, STS's) come with.
///
/// Its `description` names the access key id only, so printing a value never shows the
/// secret or the token.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    /// The access key id (`AKIA…`, `ASIA…`): not secret, it goes into `Authorization`.
    public var accessKeyId: String
    /// The secret access key: only ever an HMAC key, never written anywhere.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Whether `text` is visible ASCII without spaces (0x21 to 0x7E): what a credential or
    /// a payload hash must be to go into a header as it is.
    static func isVisibleASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    public var description: String {
        "AWSCredentials(\(accessKeyId), secret hidden\(sessionToken == nil ? "" : ", session token hidden"))"
    }
}
