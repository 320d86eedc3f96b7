import LambdaPlugin

/// Puts and gets S3 objects, signed by the host (ABI 1.3).
///
/// ```swift
/// let s3 = S3Client(context.http)
/// try s3.putObject(bucket: "my-notes", key: "notes/n1.txt", body: Array("hello".utf8), contentType: "text/plain")
/// let bytes = try s3.getObject(bucket: "my-notes", key: "notes/n1.txt")
/// ```
///
/// The host sends to `https://<bucket>.s3.<region>.amazonaws.com/<key>` (virtual-hosted
/// style), or with the bucket in the path when ``pathStyle`` is set, the bucket is not one
/// DNS label, or the endpoint is overridden (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`:
/// moto, LocalStack, MinIO). Objects travel whole in memory: the host caps a response's
/// size, so this is for objects of a few MB at most. Other operations go through
/// ``LambdaHTTPClient/send(_:)`` with ``AWSSigning`` and ``path(bucket:key:)``.
public struct S3Client {
    /// The client the calls go through (an invocation's, or the init hook's).
    public var http: LambdaHTTPClient
    /// The region; nil: the function's own (`AWS_REGION`).
    public var region: String?
    /// Name the bucket in the path rather than in the host name.
    public var pathStyle: Bool

    public init(_ http: LambdaHTTPClient, region: String? = nil, pathStyle: Bool = false) {
        self.http = http
        self.region = region
        self.pathStyle = pathStyle
    }

    /// Stores `body` as the object `key` of `bucket` (S3 `PutObject`), replacing any.
    ///
    /// - Throws: ``AWSCallError``: AWS's refusal (`NoSuchBucket`, `AccessDenied`, ...) or,
    ///   with ``AWSCallError/httpError`` set, a call that was not sent or failed, or an
    ///   empty bucket or key.
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream"
    ) throws(AWSCallError) {
        _ = try send("PUT", bucket: bucket, key: key, headers: [("Content-Type", contentType)], body: body)
    }

    /// The bytes of the object `key` of `bucket` (S3 `GetObject`).
    ///
    /// - Throws: ``AWSCallError``: AWS's refusal (`NoSuchKey`, `NoSuchBucket`,
    ///   `AccessDenied`, ...), or as ``putObject(bucket:key:body:contentType:)`` does.
    public func getObject(bucket: String, key: String) throws(AWSCallError) -> [UInt8] {
        try send("GET", bucket: bucket, key: key, headers: [], body: []).body
    }

    /// The request path of an object, `/<bucket>/<key>`, percent-encoded as S3 signs it:
    /// every byte of the UTF-8 key but letters, digits, `-`, `.`, `_`, `~` and `/` as
    /// `%XX` (`notes/a b+c.txt` gives `notes/a%20b%2Bc.txt`); a `/` in the bucket too.
    public static func path(bucket: String, key: String) -> String {
        "/" + percentEncoded(bucket, keepingSlash: false) + "/" + percentEncoded(key, keepingSlash: true)
    }

    static func percentEncoded(_ text: String, keepingSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func send(
        _ method: String, bucket: String, key: String, headers: [(name: String, value: String)], body: [UInt8]
    ) throws(AWSCallError) -> LambdaHTTPResponse {
        guard !bucket.isEmpty, !key.isEmpty else {
            throw AWSCallError(LambdaHTTPError(.invalidRequest, "S3 \(method) needs a bucket and a key; got bucket '\(bucket)', key '\(key)'"))
        }
        let request = LambdaHTTPRequest(
            method: method, url: Self.path(bucket: bucket, key: key), headers: headers, body: body,
            aws: AWSSigning(service: "s3", region: region, s3PathStyle: pathStyle))
        let response = try http.sendToAWS(request)
        guard (200..<300).contains(response.status) else { throw AWSCallError(xmlResponse: response) }
        return response
    }
}
