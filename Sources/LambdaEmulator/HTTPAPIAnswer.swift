import LambdaRuntimeAPI

/// The HTTP response API Gateway or a Lambda function URL makes of a function's answer,
/// by AWS's documented rules for the payload format:
/// - 2.0: an object with `statusCode` gives that status, `headers`, `multiValueHeaders`,
///   `cookies` (one `Set-Cookie` each) and `body` (decoded when `isBase64Encoded`); any
///   other JSON is the body of a 200 with `Content-Type: application/json`.
/// - 1.0: the answer must be an object with `statusCode`, else 502, as a REST API
///   answers a malformed proxy response.
///
/// A status must be final (200 to 599); a 204's or 304's body is dropped.
/// A function error is a 502 with a JSON message, as API Gateway answers one. Header
/// names that are not HTTP tokens are dropped and control characters in values become
/// spaces, so that no answer can forge the response's framing; Content-Length,
/// Transfer-Encoding and Connection are the front end's own. Pure.
public struct HTTPAPIAnswer: Equatable, Sendable {
    public var status: Int
    /// In order; repeated names kept.
    public var headers: [Header]
    public var body: [UInt8]

    public struct Header: Equatable, Sendable {
        public var name: String
        public var value: String
    }

    /// The Content-Type of a streamed answer that starts with the function URL prelude.
    public static let streamedHTTPContentType = "application/vnd.awslambda.http-integration-response"

    /// What the front end answers for `bytes`, the function's answer.
    public static func from(_ bytes: [UInt8], format: HTTPPayloadFormat) -> HTTPAPIAnswer {
        let (parsed, failure) = parse(bytes)
        guard let value = parsed else { return malformed("the function's answer is not JSON (\(failure))") }
        guard case .object(let members) = value, let code = member("statusCode", members) else {
            if format == .v1 { return malformed("the function's answer has no statusCode, which a REST API (payload 1.0) requires") }
            return HTTPAPIAnswer(status: 200, headers: [Header(name: "Content-Type", value: "application/json")], body: bytes)
        }
        guard let status = statusCode(code) else {
            return malformed("the function's statusCode must be a number from 200 to 599; got \(code.kind)")
        }
        var answer = HTTPAPIAnswer(status: status, headers: fields(members, cookies: format == .v2), body: [])
        // Written after a 204's or 304's head, a body would be read as the next response.
        guard hasBody(status) else { return answer }
        switch member("body", members) {
        case .string(let text)?:
            if case .bool(true)? = member("isBase64Encoded", members) {
                guard let decoded = Base64.decode(text) else { return malformed("the function's body is not valid base64, though isBase64Encoded is true") }
                answer.body = decoded
            } else {
                answer.body = Array(text.utf8)
            }
        case nil, .null?:
            break
        case let other?:
            return malformed("the function's body must be a string; got \(other.kind)")
        }
        return answer
    }

    /// The status and headers in a streamed answer's prelude (`{"statusCode":201,
    /// "headers":{…},"cookies":[…]}`, the JSON before the 8 NUL bytes); nil when it is not
    /// such an object. A prelude without `statusCode` means 200.
    public static func prelude(_ bytes: [UInt8]) -> HTTPAPIAnswer? {
        guard case .object(let members)? = parse(bytes).0 else { return nil }
        let status = member("statusCode", members).map(statusCode) ?? 200
        guard let status else { return nil }
        return HTTPAPIAnswer(status: status, headers: fields(members, cookies: true), body: [])
    }

    /// A function error, as API Gateway answers one.
    public static func functionError(type: String) -> HTTPAPIAnswer {
        json(502, #"{"message":"Internal Server Error","errorType":"\#(JSONText.escaped(type))"}"#)
    }

    /// A 502 that says what is wrong with the function's answer.
    static func malformed(_ why: String) -> HTTPAPIAnswer {
        json(502, #"{"message":"Malformed Lambda proxy response: \#(JSONText.escaped(why))"}"#)
    }

    /// An answer of the front end's own, with a JSON body.
    public static func json(_ status: Int, _ text: String) -> HTTPAPIAnswer {
        HTTPAPIAnswer(status: status, headers: [Header(name: "Content-Type", value: "application/json")], body: Array(text.utf8))
    }

    /// The JSON value `bytes` hold, or nil and why not.
    private static func parse(_ bytes: [UInt8]) -> (JSONValue?, String) {
        bytes.withUnsafeBytes { raw in
            do throws(JSONReader.Failure) {
                return (try JSONReader.parse(raw), "")
            } catch {
                return (nil, error.description)
            }
        }
    }

    private static func member(_ name: String, _ members: [(String, JSONValue)]) -> JSONValue? {
        members.first { $0.0 == name }?.1
    }

    /// A final status: 1xx are interim (the request would stay unanswered), so not one.
    private static func statusCode(_ value: JSONValue) -> Int? {
        guard case .number(let text) = value, let code = Int(text), (200...599).contains(code) else { return nil }
        return code
    }

    /// Whether a response with `status` has a body: 204 and 304 have none (RFC 9110).
    static func hasBody(_ status: Int) -> Bool { status != 204 && status != 304 }

    /// `headers`, then `multiValueHeaders`, then (2.0) each of `cookies` as `Set-Cookie`.
    private static func fields(_ members: [(String, JSONValue)], cookies: Bool) -> [Header] {
        var headers: [Header] = []
        if case .object(let single)? = member("headers", members) {
            for (name, value) in single { if let text = scalar(value) { add(name, text, to: &headers) } }
        }
        if case .object(let multiple)? = member("multiValueHeaders", members) {
            for case (let name, .array(let values)) in multiple {
                for value in values { if let text = scalar(value) { add(name, text, to: &headers) } }
            }
        }
        if cookies, case .array(let list)? = member("cookies", members) {
            for case .string(let cookie) in list { add("Set-Cookie", cookie, to: &headers) }
        }
        return headers
    }

    private static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    private static let ownHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]
    private static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    private static func add(_ name: String, _ value: String, to headers: inout [Header]) {
        guard !name.isEmpty, name.utf8.allSatisfy(tokenCharacters.contains), !ownHeaders.contains(name.lowercased()) else { return }
        let clean = String(decoding: value.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        headers.append(Header(name: name, value: clean))
    }
}
