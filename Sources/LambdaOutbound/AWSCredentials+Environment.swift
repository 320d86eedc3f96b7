extension AWSCredentials {
    /// The variables Lambda sets for the function's execution role, in the order read.
    public static let environmentVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]

    /// The credentials in the environment, through `lookup` (getenv in the host): the key id
    /// and secret are required, the session token optional (Lambda always sets it).
    ///
    /// - Throws: ``SigV4Error`` (`.missingCredentials`) naming the variables looked at and
    ///   which are missing; never a value.
    public static func fromEnvironment(_ lookup: (String) -> String?) throws(SigV4Error) -> AWSCredentials {
        let keyID = lookup("AWS_ACCESS_KEY_ID").flatMap { $0.isEmpty ? nil : $0 }
        let secret = lookup("AWS_SECRET_ACCESS_KEY").flatMap { $0.isEmpty ? nil : $0 }
        guard let keyID, let secret else {
            let missing = [keyID == nil ? "AWS_ACCESS_KEY_ID" : nil, secret == nil ? "AWS_SECRET_ACCESS_KEY" : nil]
                .compactMap { $0 }
            throw SigV4Error(
                .missingCredentials,
                "no AWS credentials: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set "
                    + "(looked at \(environmentVariables.joined(separator: ", "))); Lambda sets them from the function's "
                    + "execution role, and locally you export them")
        }
        let token = lookup("AWS_SESSION_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyId: keyID, secretAccessKey: secret, sessionToken: token)
    }
}
