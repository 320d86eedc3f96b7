import Foundation
import LambdaOutbound
import Testing

/// Subsegment documents as the X-Ray daemon reads them: the header line, then JSON that a
/// real JSON parser (Foundation's) reads back with every field where X-Ray looks for it.
@Suite struct XRaySubsegmentTests {
    static let traceID = "1-5759e988-bd862e3fe1be46a994272793"
    static let parentID = "53995c3f42cd8ad8"
    static let id = "0123456789abcdef"

    /// The header line's text and the subsegment parsed, from one datagram.
    static func split(_ datagram: [UInt8]) throws -> (header: String, body: [String: Any]) {
        let newline = try #require(datagram.firstIndex(of: 10))
        let header = String(decoding: datagram[..<newline], as: UTF8.self)
        let json = try JSONSerialization.jsonObject(with: Data(datagram[(newline + 1)...]))
        return (header, try #require(json as? [String: Any]))
    }

    static func parsed(_ subsegment: XRaySubsegment) throws -> [String: Any] {
        let document = subsegment.document(traceID: traceID, parentID: parentID, id: id)
        let (header, body) = try split(document)
        #expect(header == #"{"format": "json", "version": 1}"#)
        return body
    }

    @Test func awsCallCarriesOperationRegionAndRequestID() throws {
        let subsegment = XRaySubsegment(
            name: "DynamoDB", start: 1_700_000_000.25, end: 1_700_000_000.5, method: "POST",
            url: "https://dynamodb.us-east-1.amazonaws.com/", status: 200, contentLength: 42,
            aws: .init(operation: "UpdateItem", region: "us-east-1", requestID: "ABCDEF0123"))
        let body = try Self.parsed(subsegment)
        #expect(body["type"] as? String == "subsegment")
        #expect(body["id"] as? String == Self.id)
        #expect(body["trace_id"] as? String == Self.traceID)
        #expect(body["parent_id"] as? String == Self.parentID)
        #expect(body["name"] as? String == "DynamoDB")
        #expect(body["namespace"] as? String == "aws")
        #expect(body["start_time"] as? Double == 1_700_000_000.25)
        #expect(body["end_time"] as? Double == 1_700_000_000.5)
        let http = try #require(body["http"] as? [String: Any])
        let request = try #require(http["request"] as? [String: Any])
        #expect(request["method"] as? String == "POST")
        #expect(request["url"] as? String == "https://dynamodb.us-east-1.amazonaws.com/")
        let response = try #require(http["response"] as? [String: Any])
        #expect(response["status"] as? Int == 200)
        #expect(response["content_length"] as? Int == 42)
        let aws = try #require(body["aws"] as? [String: Any])
        #expect(aws["operation"] as? String == "UpdateItem")
        #expect(aws["region"] as? String == "us-east-1")
        #expect(aws["request_id"] as? String == "ABCDEF0123")
        #expect(body["error"] == nil && body["fault"] == nil && body["throttle"] == nil && body["cause"] == nil)
    }

    @Test func plainCallIsRemoteWithoutAWSObject() throws {
        let body = try Self.parsed(
            XRaySubsegment(name: "api.example.com", start: 1, end: 2, method: "GET", url: "http://api.example.com/x", status: 204))
        #expect(body["namespace"] as? String == "remote")
        #expect(body["aws"] == nil)
        let response = try #require((body["http"] as? [String: Any])?["response"] as? [String: Any])
        #expect(response["status"] as? Int == 204)
        #expect(response["content_length"] == nil)
        let noRequestID = try Self.parsed(
            XRaySubsegment(name: "S3", start: 1, end: 2, method: "GET", url: "u", aws: .init(operation: "GetObject", region: "eu-west-1")))
        #expect((noRequestID["aws"] as? [String: Any])?.keys.sorted() == ["operation", "region"])
    }

    @Test func callWithoutResponseIsAFaultWithItsMessage() throws {
        let body = try Self.parsed(
            XRaySubsegment(
                name: "api.example.com", start: 10, end: 11, method: "GET", url: "https://api.example.com/",
                failure: "connection refused by 10.0.0.1:443"))
        #expect(body["fault"] as? Bool == true)
        #expect(body["error"] == nil)
        let http = try #require(body["http"] as? [String: Any])
        #expect(http["response"] == nil)
        let cause = try #require(body["cause"] as? [String: Any])
        let exceptions = try #require(cause["exceptions"] as? [[String: Any]])
        #expect(exceptions.count == 1)
        #expect(exceptions.first?["message"] as? String == "connection refused by 10.0.0.1:443")
    }

    @Test(arguments: [
        (200, false, false, false), (301, false, false, false), (400, true, false, false), (403, true, false, false),
        (404, true, false, false), (429, true, true, false), (499, true, false, false), (500, false, false, true),
        (503, false, false, true), (599, false, false, true), (600, false, false, false),
    ])
    func statusSetsErrorThrottleAndFaultAsTheSDKsDo(status: Int, error: Bool, throttle: Bool, fault: Bool) throws {
        let subsegment = XRaySubsegment(name: "n", start: 1, end: 2, method: "GET", url: "http://h/", status: status)
        #expect(subsegment.isError == error && subsegment.isThrottle == throttle && subsegment.isFault == fault)
        let body = try Self.parsed(subsegment)
        #expect(body["error"] as? Bool == (error ? true : nil))
        #expect(body["throttle"] as? Bool == (throttle ? true : nil))
        #expect(body["fault"] as? Bool == (fault ? true : nil))
    }

    @Test func stringsAreEscapedExactly() throws {
        let url = "http://h/a\"b\\c\u{1}d\ne\tf\u{1F}g\u{7F}h/é/🙂?q=\"x\""
        let subsegment = XRaySubsegment(name: "n", start: 1, end: 2, method: "GE\"T", url: url, failure: "bad \"reply\"\r\n")
        let document = subsegment.document(traceID: Self.traceID, parentID: Self.parentID, id: Self.id)
        let text = String(decoding: document, as: UTF8.self)
        #expect(text.contains(#""url": "http://h/a\"b\\c\u0001d\ne\tf\u001fg"#))
        // Non-ASCII goes as UTF-8, not as \u escapes.
        #expect(text.contains("h/é/🙂?q=\\\"x\\\"\""))
        #expect(!document.contains(1) && !document.contains(0x1F) && !document.contains(13))
        let body = try Self.split(document).body
        let request = try #require((body["http"] as? [String: Any])?["request"] as? [String: Any])
        #expect(request["url"] as? String == url)
        #expect(request["method"] as? String == "GE\"T")
        let exceptions = try #require((body["cause"] as? [String: Any])?["exceptions"] as? [[String: Any]])
        #expect(exceptions.first?["message"] as? String == "bad \"reply\"\r\n")
        // Exactly one newline: the one after the header line.
        #expect(document.filter { $0 == 10 }.count == 1)
    }

    @Test(arguments: [
        ("DynamoDB", "DynamoDB"),
        ("api.example.com:8443", "api.example.com:8443"),
        ("a_b.c:d/e%f&g#h=i+j\\k-l@m n", "a_b.c:d/e%f&g#h=i+j\\k-l@m n"),
        ("weird(name)<x>;\"y\"", "weirdnamexy"),
        ("tab\there\nnewline", "tab here newline"),
        ("Café ✓ 東京 ٣", "Café  東京 ٣"),
        ("", "unnamed"),
        ("(){}", "unnamed"),
        (String(repeating: "x", count: 250), String(repeating: "x", count: 200)),
        (String(repeating: "é", count: 201), String(repeating: "é", count: 200)),
    ])
    func namesAreSanitizedForXRay(name: String, expected: String) throws {
        let body = try Self.parsed(XRaySubsegment(name: name, start: 1, end: 2, method: "GET", url: "http://h/"))
        #expect(body["name"] as? String == expected)
    }

    @Test func timesAreWrittenToTheMicrosecond() throws {
        let subsegment = XRaySubsegment(
            name: "n", start: 1_700_000_000.1234567, end: 1_700_000_000.000001, method: "GET", url: "http://h/", contentLength: 7)
        let text = String(decoding: subsegment.document(traceID: Self.traceID, parentID: Self.parentID, id: Self.id), as: UTF8.self)
        #expect(text.contains("\"start_time\": 1700000000.123457,"))
        // An end before the start (the clock stepped back) is written as the start.
        #expect(text.contains("\"end_time\": 1700000000.123457,"))
        #expect(text.contains("\"response\": {\"content_length\": 7}"))
        let odd = XRaySubsegment(name: "n", start: -5, end: .nan, method: "GET", url: "http://h/")
        let oddText = String(decoding: odd.document(traceID: Self.traceID, parentID: Self.parentID, id: Self.id), as: UTF8.self)
        #expect(oddText.contains("\"start_time\": 0.000000,") && oddText.contains("\"end_time\": 0.000000,"))
        let body = try Self.parsed(XRaySubsegment(name: "n", start: 12.000042, end: 13.5, method: "GET", url: "http://h/"))
        #expect(body["start_time"] as? Double == 12.000042)
    }

    @Test func wallClockIsTheEpochInSeconds() {
        let now = XRaySubsegment.now()
        let reference = Date().timeIntervalSince1970
        #expect(abs(now - reference) < 5)
    }
}
