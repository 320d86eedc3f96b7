import Foundation
import Testing

@testable import LambdaEmulator

/// What `serve --http` makes of a function's answer, in process, and where its router
/// sends each path.
@Suite struct HTTPAPIAnswerTests {
    static func answer(_ text: String, _ format: HTTPPayloadFormat = .v2) -> HTTPAPIAnswer {
        HTTPAPIAnswer.from(Array(text.utf8), format: format)
    }

    static func header(_ name: String, _ value: String) -> HTTPAPIAnswer.Header { .init(name: name, value: value) }

    @Test func anObjectWithStatusCodeSetsStatusHeadersAndCookies() {
        let got = Self.answer(
            #"{"statusCode":201,"headers":{"X-A":"1","X-N":5},"multiValueHeaders":{"X-M":["a","b"]},"cookies":["s=1","t=2"],"body":"made"}"#)
        #expect(got.status == 201)
        #expect(got.headers == [
            Self.header("X-A", "1"), Self.header("X-N", "5"), Self.header("X-M", "a"), Self.header("X-M", "b"),
            Self.header("Set-Cookie", "s=1"), Self.header("Set-Cookie", "t=2"),
        ])
        #expect(got.body == Array("made".utf8))
    }

    @Test func aBase64BodyIsDecoded() {
        #expect(Self.answer(#"{"statusCode":200,"body":"AAH/","isBase64Encoded":true}"#).body == [0, 1, 0xFF])
        #expect(Self.answer(#"{"statusCode":200,"body":"AAH/","isBase64Encoded":false}"#).body == Array("AAH/".utf8))
        #expect(Self.answer(#"{"statusCode":200,"body":"not base64!","isBase64Encoded":true}"#).status == 502)
    }

    @Test(arguments: [#"{"message":"hi"}"#, #""text""#, "[1,2]", "42", "null"])
    func anyOtherJSONIsA200JSONBodyIn2(text: String) {
        let got = Self.answer(text)
        #expect(got.status == 200)
        #expect(got.headers == [Self.header("Content-Type", "application/json")])
        #expect(got.body == Array(text.utf8))
    }

    @Test(arguments: [#"{"message":"hi"}"#, "[1]"])
    func payload1RequiresStatusCode(text: String) {
        let got = Self.answer(text, .v1)
        #expect(got.status == 502)
        #expect(String(decoding: got.body, as: UTF8.self).contains("statusCode"))
    }

    @Test func payload1TakesNoCookiesField() {
        let got = Self.answer(#"{"statusCode":200,"cookies":["s=1"],"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]}}"#, .v1)
        #expect(got.headers == [Self.header("Set-Cookie", "a=1"), Self.header("Set-Cookie", "b=2")])
    }

    @Test(arguments: ["not json", #"{"statusCode":"200"}"#, #"{"statusCode":99}"#, #"{"statusCode":600}"#, #"{"statusCode":200,"body":3}"#])
    func malformedAnswersAre502WithAReason(text: String) throws {
        let got = Self.answer(text)
        #expect(got.status == 502)
        let message = try #require(try JSONSerialization.jsonObject(with: Data(got.body)) as? [String: String])["message"]
        #expect(message?.hasPrefix("Malformed Lambda proxy response: ") == true)
    }

    /// A 1xx is never a final status: it would leave the request unanswered.
    @Test(arguments: [100, 101, 103, 199])
    func anInformationalStatusIsMalformed(status: Int) throws {
        let got = Self.answer(#"{"statusCode":\#(status),"body":"x"}"#)
        #expect(got.status == 502)
        let message = try #require(try JSONSerialization.jsonObject(with: Data(got.body)) as? [String: String])["message"]
        #expect(message?.contains("from 200 to 599") == true, "\(message ?? "")")
        #expect(HTTPAPIAnswer.prelude(Array(#"{"statusCode":\#(status)}"#.utf8)) == nil)
    }

    @Test(arguments: [204, 304])
    func aBodylessStatusHasNoBody(status: Int) {
        let got = Self.answer(#"{"statusCode":\#(status),"headers":{"X-S":"1"},"body":"stray"}"#)
        #expect(got == HTTPAPIAnswer(status: status, headers: [Self.header("X-S", "1")], body: []))
    }

    @Test func headersCannotBreakTheResponsesFraming() {
        let got = Self.answer(
            #"{"statusCode":200,"headers":{"X-Bad\r\nInjected":"1","X-Ok":"a\r\nInjected: 1","Content-Length":"999","Transfer-Encoding":"chunked"}}"#)
        #expect(got.headers == [Self.header("X-Ok", "a  Injected: 1")])
    }

    @Test func aFunctionErrorIsA502() {
        let got = HTTPAPIAnswer.functionError(type: "Runtime.ExitError")
        #expect(got.status == 502)
        #expect(String(decoding: got.body, as: UTF8.self) == #"{"message":"Internal Server Error","errorType":"Runtime.ExitError"}"#)
    }

    @Test func aStreamedPreludeGivesStatusAndHeaders() {
        let prelude = HTTPAPIAnswer.prelude(Array(#"{"statusCode":202,"headers":{"X-S":"y"},"cookies":["c=1"]}"#.utf8))
        #expect(prelude == HTTPAPIAnswer(status: 202, headers: [Self.header("X-S", "y"), Self.header("Set-Cookie", "c=1")], body: []))
        #expect(HTTPAPIAnswer.prelude(Array("{}".utf8))?.status == 200)
        #expect(HTTPAPIAnswer.prelude(Array("[]".utf8)) == nil)
        #expect(HTTPFrontStream.delimiterEnd(in: Array("{}".utf8) + [0, 0, 0, 0, 0, 0, 0, 0] + Array("body".utf8)) == 10)
        #expect(HTTPFrontStream.delimiterEnd(in: Array("{}".utf8) + [0, 0, 0, 0, 0, 0, 0]) == nil)
    }

    @Test func oneUnnamedFunctionTakesEveryPath() {
        let router = FunctionRouter(names: ["function"], http: true, prefixed: false)
        #expect(router.route("/a/b") == .http("function", path: "/a/b"))
        #expect(router.route("/2015-03-31/functions/function/invocations") == .invoke("function"))
        #expect(router.route("/2015-03-31/functions/other/invocations") == .unknownFunction("other"))
        let named = FunctionRouter(names: ["hello"], http: false, prefixed: false)
        #expect(named.route("/2015-03-31/functions/function/invocations") == .invoke("hello"))
        #expect(named.route("/2015-03-31/functions/hello/invocations") == .invoke("hello"))
        #expect(named.route("/a") == .notFound)
    }

    /// A GET to an invoke path, or a path that is none, is told the invoke path of the
    /// functions served, never RIE's `function` when that is not one of them.
    @Test func aRequestThatIsNoInvokeIsToldTheInvokePathsThereAre() {
        let several = FunctionRouter(names: ["a", "ab"], http: false, prefixed: true)
        #expect(several.notAnInvokeBody(for: several.route("/2015-03-31/functions/ab/invocations")).contains("POST events to /2015-03-31/functions/ab/invocations"))
        #expect(several.notAnInvokeBody(for: several.route("/other")).contains("POST events to /2015-03-31/functions/NAME/invocations, NAME one of: a, ab"))
        let single = FunctionRouter(names: ["hello"], http: false, prefixed: false)
        #expect(single.notAnInvokeBody(for: single.route("/2015-03-31/functions/function/invocations")).contains("/2015-03-31/functions/function/invocations"))
        #expect(single.notAnInvokeBody(for: single.route("/other")).contains("/2015-03-31/functions/function/invocations"))
        let named = FunctionRouter(names: ["hello"], http: true, prefixed: true)
        #expect(named.notAnInvokeBody(for: named.route("/2015-03-31/functions/hello/invocations")).contains("/functions/hello/invocations"))
    }

    @Test func severalFunctionsAreRoutedByTheirPrefix() throws {
        let router = FunctionRouter(names: ["users", "orders"], http: true, prefixed: true)
        #expect(router.route("/users/42") == .http("users", path: "/42"))
        #expect(router.route("/users") == .http("users", path: "/"))
        #expect(router.route("/users/") == .http("users", path: "/"))
        #expect(router.route("/usersx/1") == .unknownFunction("usersx"))
        #expect(router.route("/") == .unknownFunction(""))
        #expect(router.route("/2015-03-31/functions/orders/invocations") == .invoke("orders"))
        #expect(router.route("/2015-03-31/functions/function/invocations") == .unknownFunction("function"))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(router.unknownFunctionBody("x").utf8)) as? [String: Any])
        #expect(body["functions"] as? [String] == ["users", "orders"])
        #expect((body["errorMessage"] as? String)?.contains("users, orders") == true)
    }
}
