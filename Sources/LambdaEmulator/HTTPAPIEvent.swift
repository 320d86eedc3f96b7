import Glibc
import LambdaRuntimeAPI

/// The payload format of the events `serve --http` makes: what API Gateway calls the
/// Lambda proxy integration's payload format version.
public enum HTTPPayloadFormat: String, Sendable, CaseIterable {
    /// REST API (API Gateway v1): `httpMethod`, `path`, `multiValueHeaders`, …
    case v1 = "1.0"
    /// HTTP API and Lambda function URLs: `rawPath`, `rawQueryString`, `cookies`, …
    case v2 = "2.0"
}

/// Makes the event that API Gateway or a Lambda function URL would hand a function for an
/// HTTP request, from AWS's documented shapes: payload format 2.0 (function URLs, HTTP
/// APIs) or 1.0 (REST APIs, as a `/{proxy+}` resource). Pure; the account is the
/// emulator's (012345678912), the API id `local`, the stage `$default`.
///
/// Cost: one pass over the request; the body is copied once (twice in base64).
public enum HTTPAPIEvent {
    static let accountID = "012345678912"
    static let apiID = "local"

    /// The event for `request`, as JSON bytes.
    public static func make(_ request: HTTPAPIRequest, format: HTTPPayloadFormat) -> [UInt8] {
        Array((format == .v2 ? v2(request) : v1(request)).utf8)
    }

    /// Payload format 2.0: headers lower-cased with repeated ones joined by commas, the
    /// `Cookie` headers split into `cookies`, the query's repeated parameters joined by
    /// commas; empty collections left out, as API Gateway leaves them out.
    static func v2(_ request: HTTPAPIRequest) -> String {
        var json = #"{"version":"2.0","routeKey":"$default","rawPath":"# + quoted(request.path)
        json += #","rawQueryString":"# + quoted(request.rawQuery)
        let cookies = request.cookies
        if !cookies.isEmpty { json += #","cookies":["# + cookies.map(quoted).joined(separator: ",") + "]" }
        let headers = request.grouped(skipping: ["cookie"])
        if !headers.isEmpty {
            json += #","headers":"# + object(headers.map { ($0.name, quoted($0.values.joined(separator: ","))) })
        }
        let query = request.queryParameters
        if !query.isEmpty {
            json += #","queryStringParameters":"# + object(query.map { ($0.name, quoted($0.values.joined(separator: ","))) })
        }
        let (domain, prefix) = domain(request)
        json += #","requestContext":{"accountId":"# + quoted(accountID) + #","apiId":"# + quoted(apiID)
        json += #","domainName":"# + quoted(domain) + #","domainPrefix":"# + quoted(prefix)
        json += #","http":{"method":"# + quoted(request.method) + #","path":"# + quoted(request.path)
        json += #","protocol":"# + quoted(request.proto) + #","sourceIp":"# + quoted(request.sourceIP)
        json += #","userAgent":"# + quoted(request.values("user-agent").first ?? "") + "}"
        json += #","requestId":"# + quoted(request.requestID) + #","routeKey":"$default","stage":"$default""#
        json += #","time":"# + quoted(RequestTime.text(request.timeEpochMs)) + #","timeEpoch":"# + String(request.timeEpochMs) + "}"
        json += body(request, absent: "") + "}"
        return json
    }

    /// Payload format 1.0, as a REST API's `/{proxy+}` resource hands it on: `headers`
    /// and `queryStringParameters` with each name's last value, the `multiValue…` forms
    /// with all of them, null when there are none.
    static func v1(_ request: HTTPAPIRequest) -> String {
        let headers = request.grouped()
        let query = request.queryParameters
        let proxy = String(request.path.drop { $0 == "/" })
        var json = #"{"resource":"/{proxy+}","path":"# + quoted(request.path) + #","httpMethod":"# + quoted(request.method)
        json += #","headers":"# + (headers.isEmpty ? "null" : object(headers.map { ($0.name, quoted($0.values.last ?? "")) }))
        json += #","multiValueHeaders":"# + (headers.isEmpty ? "null" : object(headers.map { ($0.name, array($0.values)) }))
        json += #","queryStringParameters":"# + (query.isEmpty ? "null" : object(query.map { ($0.name, quoted($0.values.last ?? "")) }))
        json += #","multiValueQueryStringParameters":"# + (query.isEmpty ? "null" : object(query.map { ($0.name, array($0.values)) }))
        json += #","pathParameters":"# + (proxy.isEmpty ? "null" : #"{"proxy":"# + quoted(proxy) + "}")
        json += #","stageVariables":null"#
        let (domain, prefix) = domain(request)
        json += #","requestContext":{"accountId":"# + quoted(accountID) + #","apiId":"# + quoted(apiID)
        json += #","domainName":"# + quoted(domain) + #","domainPrefix":"# + quoted(prefix)
        json += #","extendedRequestId":"# + quoted(request.requestID) + #","httpMethod":"# + quoted(request.method)
        json += #","identity":{"sourceIp":"# + quoted(request.sourceIP)
        json += #","userAgent":"# + quoted(request.values("user-agent").first ?? "") + "}"
        json += #","path":"# + quoted(request.path) + #","protocol":"# + quoted(request.proto)
        json += #","requestId":"# + quoted(request.requestID) + #","requestTime":"# + quoted(RequestTime.text(request.timeEpochMs))
        json += #","requestTimeEpoch":"# + String(request.timeEpochMs)
        json += #","resourceId":"local","resourcePath":"/{proxy+}","stage":"$default"}"#
        json += body(request, absent: #","body":null"#) + "}"
        return json
    }

    /// `,"body":…,"isBase64Encoded":…`: text as is, anything else in base64; no body is
    /// null in 1.0 and left out in 2.0 (`absent`).
    private static func body(_ request: HTTPAPIRequest, absent: String) -> String {
        if request.body.isEmpty { return absent + #","isBase64Encoded":false"# }
        if request.bodyIsText {
            return #","body":"# + quoted(String(decoding: request.body, as: UTF8.self)) + #","isBase64Encoded":false"#
        }
        return #","body":""# + Base64.encode(request.body) + #"","isBase64Encoded":true"#
    }

    /// The host the request named (without its port), and its first label.
    private static func domain(_ request: HTTPAPIRequest) -> (String, String) {
        let host = request.values("host").first ?? "localhost"
        // "[::1]:9000" keeps its brackets; "localhost:9000" loses its port.
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.prefix { $0 != ":" })
        let domain = name.isEmpty ? "localhost" : name
        return (domain, String(domain.prefix { $0 != "." }))
    }

    private static func quoted(_ text: String) -> String { "\"" + JSONText.escaped(text) + "\"" }

    private static func array(_ values: [String]) -> String { "[" + values.map(quoted).joined(separator: ",") + "]" }

    private static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}

/// API Gateway's request time, `12/Mar/2020:19:03:58 +0000`, from epoch milliseconds.
enum RequestTime {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func text(_ epochMs: Int64) -> String {
        var seconds = time_t(epochMs >= 0 ? epochMs / 1000 : 0)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil, (0..<12).contains(parts.tm_mon) else { return "01/Jan/1970:00:00:00 +0000" }
        let month = months[Int(parts.tm_mon)]
        return "\(two(parts.tm_mday))/\(month)/\(1900 + Int(parts.tm_year)):\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
