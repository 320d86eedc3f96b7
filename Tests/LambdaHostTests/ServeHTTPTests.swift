import Foundation
import Glibc
import Testing

/// `serve --http` with the real binary, real plugins (Echo, and the HTTPAnswers C fixture
/// compiled here) and real clients: curl and Python's http.client.
@Suite struct ServeHTTPTests {
    /// The HTTPAnswers fixture, compiled once per test into `folder`.
    static func answersPlugin(in folder: TemporaryFolder) throws -> String {
        try FixtureCompiler.library(folder.path + "/libHTTPAnswers.so", from: [FixtureCompiler.source("HTTPAnswers/http_answers.c")])
    }

    /// A `serve` with `arguments` after `serve --port 0`, and its port.
    static func serve(_ arguments: [String]) throws -> (HostProcess, Int) {
        let host = try HostProcess(handler: nil, api: nil, arguments: ["serve", "--port", "0"] + arguments)
        let port = try #require(host.invokePort(), "serve did not start: \(host.stderr)")
        #expect(host.waitForLog("lambda-host serve: started"), "\(host.stderr)")
        return (host, port)
    }

    struct Reply {
        var status: Int
        /// Names lower-cased, in order, repeated ones kept.
        var headers: [(String, String)]
        var body: Data

        func values(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] { try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any]) }
    }

    /// Runs curl with `arguments`; its reply's head and body are read from files, so that
    /// a binary body stays bytes.
    static func curl(_ arguments: [String]) throws -> Reply {
        let folder = try TemporaryFolder()
        let outcome = try runCommand(
            "/usr/bin/curl", ["-sS", "--max-time", "60", "-D", folder.path + "/head", "-o", folder.path + "/body"] + arguments)
        #expect(outcome.status == 0, "curl \(arguments): \(outcome.stderr)")
        let head = (try? String(contentsOfFile: folder.path + "/head", encoding: .utf8)) ?? ""
        let lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Reply(status: status, headers: headers, body: (try? Data(contentsOf: URL(fileURLWithPath: folder.path + "/body"))) ?? Data())
    }

    /// Runs a Python script that talks to the port with http.client and prints one JSON
    /// object: `{"status", "headers": [[name, value]...], "body": base64}` at least.
    static func python(_ script: String, port: Int, _ arguments: [String] = []) throws -> [String: Any] {
        let prologue = """
            import base64, http.client, json, sys
            conn = http.client.HTTPConnection("127.0.0.1", \(port), timeout=60)
            def show(resp, body, **extra):
                print(json.dumps(dict(status=resp.status, headers=[[k.lower(), v] for k, v in resp.getheaders()],
                                      body=base64.b64encode(body).decode(), **extra)))

            """
        let outcome = try runCommand("/usr/bin/env", ["python3", "-c", prologue + script] + arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.stdout)")
    }

    static func body(_ reply: [String: Any]) -> Data { (reply["body"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data() }

    @Test func aGetWithQueryAndCookiesBecomesTheEventAPIGatewayMakes() throws {
        let (host, port) = try Self.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
        let reply = try Self.curl([
            "-b", "a=1; b=2", "-H", "X-Multi: one", "-H", "X-Multi: two", "http://127.0.0.1:\(port)/hello/world?name=Ada&x=1&x=2&sp=a+b%21",
        ])
        #expect(reply.status == 200)
        #expect(reply.values("content-type") == ["application/json"])
        let event = try reply.json()
        #expect(event["version"] as? String == "2.0")
        #expect(event["rawPath"] as? String == "/hello/world")
        #expect(event["rawQueryString"] as? String == "name=Ada&x=1&x=2&sp=a+b%21")
        #expect(event["cookies"] as? [String] == ["a=1", "b=2"])
        let headers = try #require(event["headers"] as? [String: String])
        #expect(headers["x-multi"] == "one,two")
        #expect(headers["cookie"] == nil)
        #expect(headers["user-agent"]?.hasPrefix("curl/") == true)
        #expect(event["queryStringParameters"] as? [String: String] == ["name": "Ada", "x": "1,2", "sp": "a b!"])
        let context = try #require(event["requestContext"] as? [String: Any])
        let http = try #require(context["http"] as? [String: String])
        #expect(http["method"] == "GET" && http["path"] == "/hello/world" && http["sourceIp"] == "127.0.0.1")
        #expect(http["protocol"] == "HTTP/1.1" && http["userAgent"]?.hasPrefix("curl/") == true)
        let epoch = try #require((context["timeEpoch"] as? NSNumber)?.doubleValue)
        #expect(abs(epoch / 1000 - Date().timeIntervalSince1970) < 120)
        #expect((context["requestId"] as? String)?.count == 36)

        let viaPython = try Self.python(
            """
            conn.request("GET", "/q?k=v", headers={"Cookie": "s=1", "User-Agent": "py"})
            resp = conn.getresponse()
            show(resp, resp.read())
            """, port: port)
        let pythonEvent = try #require(try JSONSerialization.jsonObject(with: Self.body(viaPython)) as? [String: Any])
        #expect(pythonEvent["cookies"] as? [String] == ["s=1"])
        #expect(pythonEvent["queryStringParameters"] as? [String: String] == ["k": "v"])
        #expect(((pythonEvent["requestContext"] as? [String: Any])?["http"] as? [String: String])?["userAgent"] == "py")
        _ = host
    }

    @Test func aBinaryPostGoesInBase64AndComesBackAsTheSameBytes() throws {
        let folder = try TemporaryFolder()
        let answers = try Self.answersPlugin(in: folder)
        let bytes = Data((0...255).map { UInt8($0) } + (0...255).reversed().map { UInt8($0) })
        try bytes.write(to: URL(fileURLWithPath: folder.path + "/body.bin"))
        let (echo, echoPort) = try Self.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
        let event = try Self.curl([
            "--data-binary", "@" + folder.path + "/body.bin", "-H", "Content-Type: application/octet-stream", "http://127.0.0.1:\(echoPort)/up",
        ]).json()
        #expect(event["isBase64Encoded"] as? Bool == true)
        #expect((event["body"] as? String).flatMap { Data(base64Encoded: $0) } == bytes)

        let (mirror, port) = try Self.serve(["--http", "--handler", answers])
        let reply = try Self.python(
            """
            conn.request("POST", "/mirror", body=bytes(range(256)) + bytes(reversed(range(256))), headers={"Content-Type": "image/png"})
            resp = conn.getresponse()
            show(resp, resp.read())
            """, port: port)
        #expect(reply["status"] as? Int == 200)
        #expect(Self.body(reply) == bytes)
        let viaCurl = try Self.curl(["--data-binary", "@" + folder.path + "/body.bin", "http://127.0.0.1:\(port)/mirror"])
        #expect(viaCurl.body == bytes)
        #expect(viaCurl.values("content-type") == ["application/octet-stream"])
        _ = (echo, mirror)
    }

    @Test func aHandlerSetsStatusHeadersAndCookies() throws {
        let folder = try TemporaryFolder()
        let (host, port) = try Self.serve(["--http", "--handler", try Self.answersPlugin(in: folder)])
        let reply = try Self.curl(["http://127.0.0.1:\(port)/status"])
        #expect(reply.status == 201)
        #expect(reply.values("x-probe") == ["yes"])
        #expect(reply.values("x-many") == ["a", "b"])
        #expect(reply.values("set-cookie") == ["s=1; Path=/", "t=2; HttpOnly"])
        #expect(reply.values("content-type") == ["text/plain"])
        #expect(reply.text == "created")
        let viaPython = try Self.python(
            """
            conn.request("GET", "/status")
            resp = conn.getresponse()
            show(resp, resp.read(), cookies=resp.headers.get_all("Set-Cookie"))
            """, port: port)
        #expect(viaPython["status"] as? Int == 201)
        #expect(viaPython["cookies"] as? [String] == ["s=1; Path=/", "t=2; HttpOnly"])
        #expect(String(decoding: Self.body(viaPython), as: UTF8.self) == "created")

        let plain = try Self.curl(["http://127.0.0.1:\(port)/other"])
        #expect(plain.status == 200 && plain.text == #"{"plain":true}"# && plain.values("content-type") == ["application/json"])
        let failed = try Self.curl(["http://127.0.0.1:\(port)/fail"])
        #expect(failed.status == 502)
        #expect(try failed.json()["message"] as? String == "Internal Server Error")
        #expect(host.waitForLog("function: GET /fail: function error, answered 502: "), "\(host.stderr)")
        #expect(host.stderr.contains("asked to fail"), "\(host.stderr)")
        _ = host
    }

    /// The fixture writes "first", then waits for a file that the client makes only once
    /// it holds the status, the headers and that chunk: "second" can only come if they
    /// arrived before the body's end.
    @Test func aStreamedAnswersStatusAndHeadersArriveBeforeItsBodyEnds() throws {
        let folder = try TemporaryFolder()
        let (host, port) = try Self.serve(["--http", "--handler", try Self.answersPlugin(in: folder)])
        let marker = folder.path + "/marker"
        let reply = try Self.python(
            """
            conn.request("GET", "/stream", headers={"X-Marker": sys.argv[1]})
            resp = conn.getresponse()
            first = resp.read1()
            open(sys.argv[1], "w").close()
            rest = resp.read()
            show(resp, rest, first=first.decode())
            """, port: port, [marker])
        #expect(reply["status"] as? Int == 202)
        let headers = (reply["headers"] as? [[String]]) ?? []
        #expect(headers.contains(["x-stream", "yes"]) && headers.contains(["set-cookie", "c=1; Path=/"]), "\(headers)")
        #expect(headers.contains(["content-type", "text/plain"]), "\(headers)")
        #expect(reply["first"] as? String == "first\n")
        #expect(String(decoding: Self.body(reply), as: UTF8.self) == "second\n")
        _ = host
    }

    @Test func twoFunctionsShareOnePort() throws {
        let folder = try TemporaryFolder()
        let (host, port) = try Self.serve([
            "--http", "--function", "echo=" + BuildProducts.plugin("Echo"), "--function", "answers=" + (try Self.answersPlugin(in: folder)),
        ])
        let event = try Self.curl(["http://127.0.0.1:\(port)/echo/a/b?x=1"]).json()
        #expect(event["rawPath"] as? String == "/a/b")
        #expect(((event["requestContext"] as? [String: Any])?["http"] as? [String: String])?["path"] == "/a/b")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/echo"]).json()["rawPath"] as? String == "/")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/answers/status"]).status == 201)
        let invoked = try Self.curl(["-d", #"{"direct":1}"#, "http://127.0.0.1:\(port)/2015-03-31/functions/echo/invocations"])
        #expect(invoked.status == 200 && invoked.text == #"{"direct":1}"#)
        let unknown = try Self.curl(["http://127.0.0.1:\(port)/nope/x"])
        #expect(unknown.status == 404)
        #expect(try unknown.json()["functions"] as? [String] == ["echo", "answers"])
        let unnamed = try Self.curl(["-d", "{}", "http://127.0.0.1:\(port)/2015-03-31/functions/function/invocations"])
        #expect(unnamed.status == 404)
        // Each function runs in its own runtime, under its own name.
        #expect(host.stderr.contains("POST events to http://127.0.0.1:\(port)/2015-03-31/functions/answers/invocations"))
    }

    /// Rebuilding one function's .so reloads that function alone. (The answers are JSON
    /// numbers, which the front end passes on as 200 application/json.)
    @Test func eachFunctionReloadsOnItsOwn() throws {
        let folder = try TemporaryFolder()
        let first = folder.path + "/libfirst.so"
        let second = folder.path + "/libsecond.so"
        try ServeCommandTests.plugin(answering: "11", to: first)
        try ServeCommandTests.plugin(answering: "21", to: second)
        try ServeCommandTests.plugin(answering: "22", to: folder.path + "/next.so")
        let (host, port) = try Self.serve(["--http", "--watch", "--function", "one=" + first, "--function", "two=" + second])
        #expect(host.waitForLog("watching \(second)"), "\(host.stderr)")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/two/x"]).text == "21")
        #expect(rename(folder.path + "/next.so", second) == 0)
        #expect(host.waitForLog("reloaded \(second) (build 2)"), "\(host.stderr)")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/two/x"]).text == "22")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/one/x"]).text == "11")
        #expect(!host.stderr.contains("reloaded \(first)"), "\(host.stderr)")
    }

    @Test func theInvokePathStillAnswersWithoutHTTPAndNamesItsFunctions() throws {
        let (host, port) = try Self.serve(["--handler", BuildProducts.plugin("Echo")])
        #expect(try Self.curl(["-d", "{}", "http://127.0.0.1:\(port)/2015-03-31/functions/function/invocations"]).text == "{}")
        let unknown = try Self.curl(["-d", "{}", "http://127.0.0.1:\(port)/2015-03-31/functions/other/invocations"])
        #expect(unknown.status == 404)
        #expect(try unknown.json()["functions"] as? [String] == ["function"])
        #expect(try Self.curl(["http://127.0.0.1:\(port)/hello"]).status == 404)
        _ = host
    }

    @Test(arguments: [
        (["--handler", "libEcho.so", "--function", "a=libEcho.so"], "either --handler"), ([], "or --config FILE"),
        (["--function", "noequals"], "NAME=HANDLER"), (["--function", "bad name=libEcho.so"], "1 to 64"),
        (["--function", "a=libEcho.so", "--function", "a=libEcho.so"], "named twice"),
        (["--function", "a=libm.so.6:cbrt(f64)->f64", "--watch"], "nothing to watch"),
        (["--handler", "libEcho.so", "--payload-format", "3.0"], "--payload-format"),
    ])
    func flagsThatCannotServeAreRefusedWithServesUsage(arguments: [String], words: String) throws {
        let outcome = try runCommand(
            "/usr/bin/timeout", ["30", BuildProducts.host, "serve", "--port", "0", "--task-root", BuildProducts.folder.path] + arguments)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(words), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Usage: lambda-host serve"), "\(outcome.stderr)")
    }

    @Test func payloadFormat1IsARestAPIEventAndAnswer() throws {
        let folder = try TemporaryFolder()
        let (host, port) = try Self.serve(["--http", "--payload-format", "1.0", "--handler", try Self.answersPlugin(in: folder)])
        let event = try Self.curl(["-H", "X-Multi: one", "-H", "X-Multi: two", "http://127.0.0.1:\(port)/a/event?x=1&x=2"]).json()
        #expect(event["httpMethod"] as? String == "GET")
        #expect(event["path"] as? String == "/a/event")
        #expect(event["resource"] as? String == "/{proxy+}")
        #expect(event["pathParameters"] as? [String: String] == ["proxy": "a/event"])
        #expect((event["multiValueHeaders"] as? [String: [String]])?["x-multi"] == ["one", "two"])
        #expect((event["headers"] as? [String: String])?["x-multi"] == "two")
        #expect(event["multiValueQueryStringParameters"] as? [String: [String]] == ["x": ["1", "2"]])
        #expect(event["queryStringParameters"] as? [String: String] == ["x": "2"])
        #expect((event["requestContext"] as? [String: Any])?["resourcePath"] as? String == "/{proxy+}")
        let status = try Self.curl(["http://127.0.0.1:\(port)/status"])
        #expect(status.status == 201 && status.values("x-many") == ["a", "b"] && status.text == "created")
        // A REST API takes no cookies field, and an answer without statusCode is malformed.
        #expect(status.values("set-cookie").isEmpty)
        let plain = try Self.curl(["http://127.0.0.1:\(port)/other"])
        #expect(plain.status == 502)
        _ = host
    }

    @Test func aBodyOver6MiBGets413() throws {
        let folder = try TemporaryFolder()
        try Data(count: 6 * 1024 * 1024 + 1).write(to: URL(fileURLWithPath: folder.path + "/big"))
        let (host, port) = try Self.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
        let reply = try Self.curl(["--data-binary", "@" + folder.path + "/big", "http://127.0.0.1:\(port)/up"])
        #expect(reply.status == 413)
        #expect(try Self.curl(["http://127.0.0.1:\(port)/after"]).status == 200)
        _ = host
    }

    static let wrk = "/usr/bin/wrk"

    /// serve's resident memory (VmRSS), in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// wrk's summary: requests done, and the error lines it prints only when there were any.
    static func load(port: Int, seconds: Int) throws -> (requests: Int, errors: [String], output: String) {
        let outcome = try runCommand(wrk, ["-t2", "-c50", "-d\(seconds)s", "--timeout", "10s", "http://127.0.0.1:\(port)/load?k=v"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let done = lines.first { $0.contains(" requests in ") }.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        let errors = lines.filter { $0.hasPrefix("Socket errors") || $0.hasPrefix("Non-2xx") }
        return (done, errors, outcome.stdout)
    }

    /// 50 connections for 10 s: every request answered 200, no socket error, and serve's
    /// memory as it was after a warm-up.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: wrk), "wrk is not installed (Debian package wrk; .ci/run installs it)"))
    func fiftyConnectionsForTenSecondsAreAllAnsweredInFlatMemory() throws {
        let (host, port) = try Self.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
        let pid = host.process.processIdentifier
        let warm = try Self.load(port: port, seconds: 2)
        #expect(warm.errors.isEmpty, "\(warm.output)")
        let before = try #require(Self.residentKiB(pid))
        let run = try Self.load(port: port, seconds: 10)
        let after = try #require(Self.residentKiB(pid))
        #expect(run.errors.isEmpty, "\(run.output)")
        #expect(run.requests > 1000, "\(run.output)")
        #expect(after - before < 4 * 1024, "VmRSS \(before) KiB before, \(after) KiB after: \(run.output)")
        print("serve --http under wrk -c50 -d10s: \(run.requests) requests, VmRSS \(before) -> \(after) KiB")
        #expect(try Self.curl(["http://127.0.0.1:\(port)/after"]).status == 200)
    }
}
