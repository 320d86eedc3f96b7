/// Makes a ``LambdaHTTPRequest`` a call to an AWS service that the host signs (ABI 1.3).
///
/// ```swift
/// var request = LambdaHTTPRequest(method: "GET", url: "/my-bucket/notes/n1.txt")
/// request.aws = AWSSigning(service: "s3")
/// let response = try context.http.send(request)
/// ```
///
/// The host adds Signature Version 4 with the function's own credentials (`Authorization`,
/// `X-Amz-Date`, `X-Amz-Security-Token`, and `X-Amz-Content-Sha256` for S3; do not set
/// them), and sends a URL given as a path and query (`/`, `/bucket/key?x=1`) to the
/// service's endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else
/// `https://<service>.<region>.amazonaws.com`. The plugin carries no SDK and sees no
/// credential. ``AWSJSONClient`` and ``S3Client`` build such requests for the common
/// cases.
public struct AWSSigning: Sendable, Equatable {
    /// The service's signing name: `dynamodb`, `s3`, `sqs`.
    public var service: String
    /// The region, e.g. `eu-west-1`; nil: the function's own (`AWS_REGION`).
    public var region: String?
    /// For S3: name the bucket in the path (`https://s3.<region>.amazonaws.com/bucket/key`)
    /// rather than in the host name. The host does so anyway for a bucket that is not one
    /// DNS label and for an overridden endpoint.
    public var s3PathStyle: Bool

    public init(service: String, region: String? = nil, s3PathStyle: Bool = false) {
        self.service = service
        self.region = region
        self.s3PathStyle = s3PathStyle
    }
}
