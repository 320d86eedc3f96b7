import LambdaOutbound

/// X-Ray subsegments for outbound calls, as the X-Ray SDKs record their clients' calls:
/// when `AWS_XRAY_DAEMON_ADDRESS` is set and the invocation's trace header says
/// `Sampled=1`, each `http_request` sends one subsegment (name, times, method, redacted
/// URL, status; `aws.operation`, `aws.region` and the request id for AWS calls) to the
/// daemon over UDP. Costs nothing without the variable or for an unsampled invocation
/// beyond one header parse; a sampled call pays a document of a few hundred bytes and one
/// non-blocking `send`.
struct OutboundTracing {
    /// What an AWS call adds to its subsegment.
    struct AWSCall {
        var service: String
        var region: String
    }

    let emitter: XRayEmitter
    let trace: XRayTraceHeader
    let start: Double

    /// A recorder for one call, or nil when nothing is to be sent.
    init?(emitter: XRayEmitter?, trace: UnsafeRawBufferPointer?) {
        guard let emitter, let trace, let header = XRayTraceHeader(trace), header.sampled, header.parent != nil else {
            return nil
        }
        self.emitter = emitter
        self.trace = header
        start = XRaySubsegment.now()
    }

    /// The AWS request id of a response (`x-amzn-RequestId`, S3's `x-amz-request-id`).
    static func requestID(_ response: borrowing ResponseBuffer) -> String? {
        let id = response.firstValue(named: "x-amzn-requestid") ?? response.firstValue(named: "x-amz-request-id")
        return id.map { String(decoding: $0.prefix(128), as: UTF8.self) }
    }

    /// Sends the call's subsegment. `target` is the X-Amz-Target header's value, if any;
    /// `status`, `length` and `requestID` describe the response, nil when none came.
    func record(
        method: String, url: String, aws: AWSCall?, target: String?, status: Int?, length: Int?, requestID: String?,
        failure: String?
    ) {
        let name: String
        var call: XRaySubsegment.AWSCall? = nil
        if let aws {
            name = Self.displayName(aws.service)
            call = XRaySubsegment.AWSCall(
                operation: Self.operation(service: aws.service, method: method, url: url, target: target), region: aws.region,
                requestID: requestID)
        } else {
            name = (try? OutboundURL.parse(url))?.origin.host ?? "remote"
        }
        emitter.send(
            XRaySubsegment(
                name: name, start: start, end: XRaySubsegment.now(), method: method, url: OutboundURL.redacted(url), status: status,
                contentLength: length, failure: failure, aws: call),
            trace: trace)
    }

    /// The names the X-Ray SDKs give AWS services' subsegments.
    static func displayName(_ service: String) -> String {
        switch service {
        case "dynamodb": "DynamoDB"
        case "s3": "S3"
        case "sqs": "SQS"
        case "sns": "SNS"
        case "lambda": "Lambda"
        case "kinesis": "Kinesis"
        case "states": "SFN"
        case "events": "EventBridge"
        case "secretsmanager": "SecretsManager"
        case "ssm": "SSM"
        default: service
        }
    }

    /// The operation's name: the JSON protocol's `X-Amz-Target` after its `.`, the query
    /// protocol's `Action`, S3's from the method and whether a key is named, else the
    /// method.
    static func operation(service: String, method: String, url: String, target: String?) -> String {
        if let target, let dot = target.lastIndex(of: ".") { return String(target[target.index(after: dot)...]) }
        if let question = url.firstIndex(of: "?") {
            for pair in url[url.index(after: question)...].split(separator: "&") where pair.hasPrefix("Action=") {
                return String(pair.dropFirst(7).prefix { $0 != "#" })
            }
        }
        guard service == "s3", let parsed = try? OutboundURL.parse(url) else { return method }
        let path = parsed.target.prefix { $0 != "?" }
        // Virtual-hosted: the key is the whole path; path style: what follows the bucket.
        let virtual = parsed.origin.host.hasSuffix(".amazonaws.com") && !parsed.origin.host.hasPrefix("s3.")
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let hasKey = virtual ? !segments.isEmpty : segments.count > 1
        switch (method, hasKey) {
        case ("GET", true): return "GetObject"
        case ("PUT", true): return "PutObject"
        case ("HEAD", true): return "HeadObject"
        case ("DELETE", true): return "DeleteObject"
        case ("GET", false): return segments.isEmpty && !virtual ? "ListBuckets" : "ListObjects"
        case ("PUT", false): return "CreateBucket"
        case ("HEAD", false): return "HeadBucket"
        case ("DELETE", false): return "DeleteBucket"
        default: return method
        }
    }
}
