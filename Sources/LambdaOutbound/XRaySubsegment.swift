import CLambdaSystem
import LambdaRuntimeAPI

/// One outbound call as an X-Ray subsegment, sent on its own to the daemon (the way the
/// X-Ray SDKs record a call of their HTTP and AWS clients).
///
/// The caller fills in what it saw; ``document(traceID:parentID:id:)`` writes the datagram.
/// Status rules are the SDKs': 429 sets `throttle` and `error`, another 4xx `error`, a 5xx
/// `fault`; a call that failed (``failure`` set) sets `fault` and carries the message as
/// the cause. Nothing here looks at headers or bodies, so the document holds only what the
/// caller put in: the URL as given (redact it first), the failure message as given.
public struct XRaySubsegment: Sendable {
    /// What makes a call an AWS call in X-Ray (`namespace: "aws"` and the `aws` object,
    /// from which X-Ray draws the service's node in the trace map).
    public struct AWSCall: Equatable, Sendable {
        /// The API operation, e.g. `UpdateItem`.
        public var operation: String
        /// The region the request was signed for, e.g. `us-east-1`.
        public var region: String
        /// The `x-amzn-RequestId` (or S3's `x-amz-request-id`) of the response, if any.
        public var requestID: String?

        public init(operation: String, region: String, requestID: String? = nil) {
            self.operation = operation
            self.region = region
            self.requestID = requestID
        }
    }

    /// The node's name in the trace map: the service (`DynamoDB`) for AWS calls, the host
    /// for others. Written with the characters X-Ray refuses left out, at most 200.
    public var name: String
    /// When the call started and ended, in seconds since the epoch (written to the
    /// microsecond).
    public var start: Double
    public var end: Double
    /// The request's method, e.g. `GET`.
    public var method: String
    /// The request's URL, written as given: the caller leaves out what must not be seen.
    public var url: String
    /// The response's status code, or nil when no response came.
    public var status: Int?
    /// The response body's length in bytes, when known.
    public var contentLength: Int?
    /// Why the call failed before a whole response came (e.g. `connection refused`), or nil.
    /// Shown in X-Ray as the exception's message, so it must hold no secret.
    public var failure: String?
    /// The operation and region of an AWS call; nil for plain HTTP (`namespace: "remote"`).
    public var aws: AWSCall?

    public init(
        name: String, start: Double, end: Double, method: String, url: String, status: Int? = nil,
        contentLength: Int? = nil, failure: String? = nil, aws: AWSCall? = nil
    ) {
        self.name = name
        self.start = start
        self.end = end
        self.method = method
        self.url = url
        self.status = status
        self.contentLength = contentLength
        self.failure = failure
        self.aws = aws
    }

    /// The wall clock (CLOCK_REALTIME) in seconds since the epoch, for ``start`` and
    /// ``end``. One vDSO call, no system call.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Whether X-Ray counts the call as a client error (a 4xx).
    public var isError: Bool { status.map { $0 >= 400 && $0 < 500 } ?? false }
    /// Whether X-Ray counts the call as throttled (429).
    public var isThrottle: Bool { status == 429 }
    /// Whether X-Ray counts the call as a fault: a 5xx, or no whole response.
    public var isFault: Bool { failure != nil || status.map { $0 >= 500 && $0 < 600 } ?? false }

    /// The datagram for the daemon: the header line `{"format": "json", "version": 1}`, a
    /// newline, and this subsegment as one JSON object with `type: "subsegment"` and the
    /// given trace, parent and own (16 hex) ids. Strings are JSON-escaped (control bytes as
    /// `\u00XX`, invalid UTF-8 as U+FFFD), so no value can break the document.
    /// Cost: about 300 bytes plus the URL, written once.
    public func document(traceID: String, parentID: String, id: String) -> [UInt8] {
        var writer = ByteWriter(capacity: 384 + url.utf8.count)
        write(into: &writer, traceID: traceID, parentID: parentID, id: id)
        return Array(writer.bytes)
    }

    /// Writes ``document(traceID:parentID:id:)`` into a (reused) writer.
    func write(into out: inout ByteWriter, traceID: String, parentID: String, id: String) {
        out.append("{\"format\": \"json\", \"version\": 1}\n{\"type\": \"subsegment\", \"id\": ")
        Self.string(id, &out)
        out.append(", \"trace_id\": ")
        Self.string(traceID, &out)
        out.append(", \"parent_id\": ")
        Self.string(parentID, &out)
        out.append(", \"name\": ")
        Self.string(Self.sanitized(name), &out)
        out.append(", \"start_time\": ")
        Self.seconds(start, &out)
        out.append(", \"end_time\": ")
        Self.seconds(max(end, start), &out)
        out.append(aws == nil ? ", \"namespace\": \"remote\"" : ", \"namespace\": \"aws\"")
        out.append(", \"http\": {\"request\": {\"method\": ")
        Self.string(method, &out)
        out.append(", \"url\": ")
        Self.string(url, &out)
        out.append("}")
        if status != nil || contentLength != nil {
            out.append(", \"response\": {")
            if let status {
                out.append("\"status\": ")
                out.append(decimal: status)
            }
            if let contentLength {
                out.append(status == nil ? "\"content_length\": " : ", \"content_length\": ")
                out.append(decimal: contentLength)
            }
            out.append("}")
        }
        out.append("}")
        if isError { out.append(", \"error\": true") }
        if isThrottle { out.append(", \"throttle\": true") }
        if isFault { out.append(", \"fault\": true") }
        if let failure {
            out.append(", \"cause\": {\"exceptions\": [{\"message\": ")
            Self.string(failure, &out)
            out.append("}]}")
        }
        if let aws {
            out.append(", \"aws\": {\"operation\": ")
            Self.string(aws.operation, &out)
            out.append(", \"region\": ")
            Self.string(aws.region, &out)
            if let requestID = aws.requestID {
                out.append(", \"request_id\": ")
                Self.string(requestID, &out)
            }
            out.append("}")
        }
        out.append("}")
    }

    // MARK: Values

    /// A JSON string: quotes around the escaped text.
    private static func string(_ text: String, _ out: inout ByteWriter) {
        var text = text
        out.append(34)
        text.withUTF8 { out.append(jsonEscaped: UnsafeRawBufferPointer($0)) }
        out.append(34)
    }

    /// Seconds with six decimals (`1700000000.123456`), exact for the microseconds X-Ray
    /// keeps; a value that is not a time since the epoch (negative, not finite) is written
    /// as 0 rather than trapping.
    private static func seconds(_ value: Double, _ out: inout ByteWriter) {
        // Adding a half and truncating rounds without libm, which the host does not link.
        let micros = value * 1_000_000 + 0.5
        let total = micros.isFinite && micros >= 0 && micros < 9.0e18 ? Int(micros) : 0
        out.append(decimal: total / 1_000_000)
        out.append(46)  // '.'
        var fraction = total % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48, 48, 48)
        withUnsafeMutableBytes(of: &digits) { d in
            for i in stride(from: 5, through: 0, by: -1) {
                d[i] = UInt8(48 + fraction % 10)
                fraction /= 10
            }
            out.append(UnsafeRawBufferPointer(d))
        }
    }

    /// The name as X-Ray takes it: Unicode letters and numbers, spaces (other white space
    /// becomes a space) and `_ . : / % & # = + \ - @`; other characters are left out, at
    /// most 200 are kept, and an empty result is `unnamed`. Cost: one pass over the name.
    static func sanitized(_ name: String) -> String {
        var out = String.UnicodeScalarView()
        var kept = 0
        for scalar in name.unicodeScalars where kept < 200 {
            let keep: Unicode.Scalar?
            switch scalar {
            case "_", ".", ":", "/", "%", "&", "#", "=", "+", "\\", "-", "@", " ": keep = scalar
            default:
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                    .decimalNumber, .letterNumber, .otherNumber:
                    keep = scalar
                default:
                    keep = scalar.properties.isWhitespace ? " " : nil
                }
            }
            if let keep {
                out.append(keep)
                kept += 1
            }
        }
        return out.isEmpty ? "unnamed" : String(out)
    }
}
