import Foundation
import Testing

@testable import LambdaEmulator

/// The events `serve --http` makes of HTTP requests, in process: AWS's documented shapes
/// for payload formats 2.0 and 1.0.
@Suite struct HTTPAPIEventTests {
    static func request(body: [UInt8] = [], contentType: String? = nil) -> HTTPAPIRequest {
        var headers: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:9000"), ("User-Agent", "test/1"), ("X-Multi", "one"), ("Cookie", "a=1; b=2"), ("x-multi", "two"),
            ("Cookie", "c=3"),
        ]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return HTTPAPIRequest(
            method: "POST", path: "/hello/w%20orld", rawQuery: "name=Ada&x=1&x=2&sp=a+b%21&flag", headers: headers, body: body,
            sourceIP: "127.0.0.9", timeEpochMs: 1_583_348_638_390, requestID: "rid-1")
    }

    static func decode(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func payload2CarriesPathQueryHeadersCookiesAndContext() throws {
        let event = try Self.decode(HTTPAPIEvent.make(Self.request(), format: .v2))
        #expect(event["version"] as? String == "2.0")
        #expect(event["routeKey"] as? String == "$default")
        #expect(event["rawPath"] as? String == "/hello/w%20orld")
        #expect(event["rawQueryString"] as? String == "name=Ada&x=1&x=2&sp=a+b%21&flag")
        #expect(event["cookies"] as? [String] == ["a=1", "b=2", "c=3"])
        let headers = try #require(event["headers"] as? [String: String])
        #expect(headers == ["host": "127.0.0.1:9000", "user-agent": "test/1", "x-multi": "one,two"])
        #expect(event["queryStringParameters"] as? [String: String] == ["name": "Ada", "x": "1,2", "sp": "a b!", "flag": ""])
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["accountId"] as? String == "012345678912")
        #expect(context["apiId"] as? String == "local")
        #expect(context["domainName"] as? String == "127.0.0.1")
        #expect(context["domainPrefix"] as? String == "127")
        #expect(context["requestId"] as? String == "rid-1")
        #expect(context["stage"] as? String == "$default")
        #expect(context["routeKey"] as? String == "$default")
        #expect(context["time"] as? String == "04/Mar/2020:19:03:58 +0000")
        #expect((context["timeEpoch"] as? NSNumber)?.int64Value == 1_583_348_638_390)
        let http = try #require(context["http"] as? [String: String])
        #expect(http == ["method": "POST", "path": "/hello/w%20orld", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.9", "userAgent": "test/1"])
        #expect(event["body"] == nil)
        #expect(event["isBase64Encoded"] as? Bool == false)
    }

    @Test func payload2LeavesOutWhatARequestHasNone() throws {
        let bare = HTTPAPIRequest(method: "GET", path: "/")
        let event = try Self.decode(HTTPAPIEvent.make(bare, format: .v2))
        #expect(event["cookies"] == nil && event["headers"] == nil && event["queryStringParameters"] == nil)
        #expect((event["requestContext"] as? [String: Any])?["domainName"] as? String == "localhost")
    }

    @Test(arguments: [
        ("application/json", true), ("text/plain; charset=utf-8", true), ("application/vnd.api+json", true),
        ("application/x-www-form-urlencoded", true), ("application/octet-stream", false), ("image/png", false), (nil, false),
    ] as [(String?, Bool)])
    func textBodiesGoAsTextOthersInBase64(contentType: String?, text: Bool) throws {
        let body = Array(#"{"k":"v é"}"#.utf8)
        let event = try Self.decode(HTTPAPIEvent.make(Self.request(body: body, contentType: contentType), format: .v2))
        #expect(event["isBase64Encoded"] as? Bool == !text)
        let carried = try #require(event["body"] as? String)
        #expect(text ? Array(carried.utf8) == body : Data(base64Encoded: carried).map(Array.init) == body)
    }

    @Test func bytesThatAreNotUTF8GoInBase64WhateverTheirType() throws {
        let body: [UInt8] = [0, 1, 0xFF, 0xFE]
        let event = try Self.decode(HTTPAPIEvent.make(Self.request(body: body, contentType: "text/plain"), format: .v2))
        #expect(event["isBase64Encoded"] as? Bool == true)
        #expect((event["body"] as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init) == body)
    }

    @Test func payload1IsARestAPIProxyEvent() throws {
        let event = try Self.decode(HTTPAPIEvent.make(Self.request(body: Array("hi".utf8), contentType: "text/plain"), format: .v1))
        #expect(event["version"] == nil)
        #expect(event["resource"] as? String == "/{proxy+}")
        #expect(event["path"] as? String == "/hello/w%20orld")
        #expect(event["httpMethod"] as? String == "POST")
        #expect((event["headers"] as? [String: String])?["x-multi"] == "two")
        #expect((event["multiValueHeaders"] as? [String: [String]])?["x-multi"] == ["one", "two"])
        #expect((event["multiValueHeaders"] as? [String: [String]])?["cookie"] == ["a=1; b=2", "c=3"])
        #expect((event["queryStringParameters"] as? [String: String])?["x"] == "2")
        #expect((event["multiValueQueryStringParameters"] as? [String: [String]])?["x"] == ["1", "2"])
        #expect(event["pathParameters"] as? [String: String] == ["proxy": "hello/w%20orld"])
        #expect(event["body"] as? String == "hi")
        #expect(event["isBase64Encoded"] as? Bool == false)
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["resourcePath"] as? String == "/{proxy+}")
        #expect(context["httpMethod"] as? String == "POST")
        #expect(context["requestTime"] as? String == "04/Mar/2020:19:03:58 +0000")
        #expect((context["identity"] as? [String: String])?["sourceIp"] == "127.0.0.9")
    }

    @Test func payload1HasNullsWhereARequestHasNone() throws {
        let event = try Self.decode(HTTPAPIEvent.make(HTTPAPIRequest(method: "GET", path: "/"), format: .v1))
        for key in ["headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "body"] {
            #expect(event[key] is NSNull, "\(key)")
        }
    }

    @Test func namesAndValuesThatNeedEscapingStayJSON() throws {
        let request = HTTPAPIRequest(method: "GET", path: "/\"q\"\\", rawQuery: "%22=%0A", headers: [("X-Q", "a\"b")])
        let event = try Self.decode(HTTPAPIEvent.make(request, format: .v2))
        #expect(event["rawPath"] as? String == "/\"q\"\\")
        #expect(event["queryStringParameters"] as? [String: String] == ["\"": "\n"])
    }

    @Test(arguments: [
        (Int64(0), "01/Jan/1970:00:00:00 +0000"), (951_782_400_000, "29/Feb/2000:00:00:00 +0000"),
        (1_583_348_638_390, "04/Mar/2020:19:03:58 +0000"), (4_102_444_799_000, "31/Dec/2099:23:59:59 +0000"),
    ])
    func requestTimesAreAPIGatewaysFormat(epochMs: Int64, text: String) {
        #expect(RequestTime.text(epochMs) == text)
    }
}
