import Foundation
import LambdaOutbound

/// What moto holds before it checks signatures, made through its own HTTP API while every
/// action is still allowed.
extension MotoServer {
    /// The policy of the user and the role.
    static let policyDocument = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*","s3:*","sqs:*"],"Resource":"*"}]}
        """#

    /// Makes the user, its key and policy, the role and its STS credentials, ``table`` and
    /// ``bucket``, then turns checking on: the user's and the session's credentials.
    ///
    /// Unauthenticated requests still carry an `Authorization` header (``Signing/scopeOnly``):
    /// moto's server picks the service from the signature's scope, and a request without
    /// one goes to S3. The count of unauthenticated actions is moto's
    /// `INITIAL_NO_AUTH_ACTION_COUNT` (infinite unless set); `POST /moto-api/reset-auth`
    /// with the body `0` sets it to zero and resets the count, so every later action is
    /// checked. Its body must not be form-encoded (moto reads the raw body): `text/plain`.
    static func prepare(port: Int) throws -> (user: AWSCredentials, session: AWSCredentials) {
        let iam = { (parameters: [(String, String)]) in try query(port: port, "iam", version: "2010-05-08", parameters) }
        let user = try iam([("Action", "CreateUser"), ("UserName", principal)])
        let key = try iam([("Action", "CreateAccessKey"), ("UserName", principal)])
        let policy = try iam([("Action", "CreatePolicy"), ("PolicyName", principal), ("PolicyDocument", policyDocument)])
        guard let userArn = xmlValue("Arn", in: user), let policyArn = xmlValue("Arn", in: policy) else {
            throw Failure(description: "moto's CreateUser or CreatePolicy reply has no Arn")
        }
        guard let keyID = xmlValue("AccessKeyId", in: key), let secret = xmlValue("SecretAccessKey", in: key) else {
            throw Failure(description: "moto's CreateAccessKey reply has no AccessKeyId or SecretAccessKey")
        }
        _ = try iam([("Action", "AttachUserPolicy"), ("UserName", principal), ("PolicyArn", policyArn)])
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\#(userArn)"},"Action":"sts:AssumeRole"}]}"#
        let role = try iam([("Action", "CreateRole"), ("RoleName", principal), ("AssumeRolePolicyDocument", trust)])
        guard let roleArn = xmlValue("Arn", in: role) else { throw Failure(description: "moto's CreateRole reply has no Arn") }
        _ = try iam([("Action", "AttachRolePolicy"), ("RoleName", principal), ("PolicyArn", policyArn)])
        let assumed = try query(
            port: port, "sts", version: "2011-06-15",
            [("Action", "AssumeRole"), ("RoleArn", roleArn), ("RoleSessionName", principal), ("DurationSeconds", "3600")])
        guard let sessionID = xmlValue("AccessKeyId", in: assumed), let sessionSecret = xmlValue("SecretAccessKey", in: assumed),
            let token = xmlValue("SessionToken", in: assumed)
        else { throw Failure(description: "moto's AssumeRole reply has no AccessKeyId, SecretAccessKey or SessionToken") }

        let created = try send(
            port: port, "dynamodb",
            headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "DynamoDB_20120810.CreateTable")],
            body: Array(createTableRequest(table).utf8), signing: .scopeOnly)
        guard created.status == 200 else { throw Failure(description: "CreateTable \(table): \(created.status) \(created.text)") }
        let bucketMade = try send(port: port, "s3", method: "PUT", path: "/" + bucket, signing: .scopeOnly)
        guard bucketMade.status == 200 else { throw Failure(description: "CreateBucket \(bucket): \(bucketMade.status) \(bucketMade.text)") }

        let reset = try send(
            port: port, "moto-api", path: "/moto-api/reset-auth", headers: [("Content-Type", "text/plain")], body: Array("0".utf8),
            signing: .none)
        guard reset.status == 200, reset.text.contains(#""status": "ok""#) else {
            throw Failure(description: "moto did not turn checking on: \(reset.status) \(reset.text)")
        }
        return (
            AWSCredentials(accessKeyId: keyID, secretAccessKey: secret),
            AWSCredentials(accessKeyId: sessionID, secretAccessKey: sessionSecret, sessionToken: token)
        )
    }

    /// One call of a query-protocol service (IAM, STS): form-encoded `parameters` and
    /// `Version`; the reply's XML. A failure's message holds moto's reply, which for these
    /// calls never holds a secret (only a 200 of CreateAccessKey or AssumeRole does).
    private static func query(port: Int, _ service: String, version: String, _ parameters: [(String, String)]) throws -> String {
        let form = (parameters + [("Version", version)])
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }
            .joined(separator: "&")
        let reply = try send(
            port: port, service, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(form.utf8), signing: .scopeOnly)
        guard reply.status == 200 else {
            throw Failure(description: "\(service) \(parameters.first?.1 ?? ""): moto answered \(reply.status): \(reply.text.prefix(1000))")
        }
        return reply.text
    }

    /// The text of the first `<tag>` element of `xml` (moto's values here need no unescaping).
    static func xmlValue(_ tag: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(tag)>"), let end = xml.range(of: "</\(tag)>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}
