import Foundation
import Glibc
import Testing

extension ServeHTTPTests {
    /// `serve --http` against what a careless plugin or an odd client sends, with the real
    /// binary, the HTTPAnswers fixture (whose `/raw` and `/rawstream` paths answer with the
    /// request's body, byte for byte) and Python's http.client: every request gets one
    /// well-formed answer, and serve lives on.
    @Suite struct Hostile {
        /// Python that sends `answer` (base64) to `path` for the fixture to answer with, then
        /// a second request on the same connection, and shows both replies.
        static let twoOnOneConnection = """
            answer = base64.b64decode(sys.argv[1])
            conn.request("POST", sys.argv[2], body=answer, headers={"Content-Type": "application/octet-stream"})
            first = conn.getresponse()
            first_body = first.read()
            conn.request("GET", "/next")
            second = conn.getresponse()
            show(first, first_body, second_status=second.status, second_body=base64.b64encode(second.read()).decode())
            """

        static func sendTwo(_ answer: [UInt8], to path: String, port: Int) throws -> [String: Any] {
            try ServeHTTPTests.python(twoOnOneConnection, port: port, [Data(answer).base64EncodedString(), path])
        }

        /// A final status of 1xx cannot end a request (SwiftNIO traps on it): a 502 that says
        /// so, in a plain and in a streamed answer, and the connection serves the next request.
        @Test(arguments: [(100, "/raw"), (101, "/raw"), (199, "/raw"), (100, "/rawstream"), (103, "/rawstream")])
        func anInformationalStatusIsA502AndServeLivesOn(status: Int, path: String) throws {
            let folder = try TemporaryFolder()
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", try ServeHTTPTests.answersPlugin(in: folder)])
            var answer = Array(#"{"statusCode":\#(status),"body":"x"}"#.utf8)
            if path == "/rawstream" { answer = Array(#"{"statusCode":\#(status)}"#.utf8) + [UInt8](repeating: 0, count: 8) + Array("x".utf8) }
            let reply = try Self.sendTwo(answer, to: path, port: port)
            #expect(reply["status"] as? Int == 502, "\(reply) \(host.stderr)")
            let text = String(decoding: ServeHTTPTests.body(reply), as: UTF8.self)
            #expect(text.contains("statusCode"), "\(text)")
            #expect(reply["second_status"] as? Int == 200, "\(reply)")
            #expect(host.process.isRunning, "\(host.stderr)")
        }

        /// Python that writes `answer` (base64) for the fixture's `path` and a second request
        /// in one write (pipelined), then prints all the bytes that come back, in base64.
        static let pipelined = """
            import base64, socket, sys
            answer = base64.b64decode(sys.argv[1])
            s = socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=60)
            first = b"POST %s HTTP/1.1\\r\\nHost: a\\r\\nContent-Type: application/octet-stream\\r\\nContent-Length: %d\\r\\n\\r\\n" % (sys.argv[2].encode(), len(answer))
            s.sendall(first + answer + b"GET /next HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n")
            got = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                got += chunk
            print(base64.b64encode(got).decode())
            """

        /// 204 and 304 carry no body (RFC 9110): one a plugin gives anyway is dropped, rather
        /// than written after the head where the client reads it as the start of the next response.
        @Test(arguments: [(204, "/raw"), (304, "/raw"), (204, "/rawstream"), (304, "/rawstream")])
        func aBodylessStatusDropsTheBodyAndTheNextResponseStaysInStep(status: Int, path: String) throws {
            let folder = try TemporaryFolder()
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", try ServeHTTPTests.answersPlugin(in: folder)])
            var answer = Array(#"{"statusCode":\#(status),"headers":{"X-S":"1"},"body":"stray"}"#.utf8)
            if path == "/rawstream" { answer = Array(#"{"statusCode":\#(status),"headers":{"X-S":"1"}}"#.utf8) + [UInt8](repeating: 0, count: 8) + Array("stray".utf8) }
            let outcome = try runCommand("/usr/bin/env", ["python3", "-c", Self.pipelined, Data(answer).base64EncodedString(), path, String(port)])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let bytes = Data(base64Encoded: outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.components(separatedBy: "\r\n\r\n")
            // The first head, nothing between it and the second's, and the second's body.
            #expect(parts.count == 3, "\(text)")
            #expect(parts.first?.hasPrefix("HTTP/1.1 \(status) ") == true, "\(text)")
            #expect(parts.dropFirst().first?.hasPrefix("HTTP/1.1 200 OK") == true, "\(text)")
            #expect(parts.last == #"{"plain":true}"#, "\(text) \(host.stderr)")
        }

        /// Python that writes `bytes` (base64) in one write and reads until the server ends
        /// the connection or 20 s pass: `{"ended": …, "got": base64}`.
        static let exchange = """
            import base64, json, socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=20)
            s.sendall(base64.b64decode(sys.argv[1]))
            got, ended = b"", False
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        ended = True
                        break
                    got += chunk
            except socket.timeout:
                pass
            print(json.dumps(dict(ended=ended, got=base64.b64encode(got).decode())))
            """

        static func exchange(_ bytes: String, port: Int) throws -> (ended: Bool, text: String) {
            let outcome = try runCommand("/usr/bin/env", ["python3", "-c", exchange, Data(bytes.utf8).base64EncodedString(), String(port)])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let reply = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.stdout)")
            let got = (reply["got"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
            return (reply["ended"] as? Bool == true, String(decoding: got, as: UTF8.self))
        }

        /// After a request that asks to upgrade, SwiftNIO parses nothing more on the
        /// connection: the request is answered with `Connection: close` and the connection
        /// ends, rather than leaving the client's next request unanswered forever.
        @Test(arguments: ["/up", "/2015-03-31/functions/function/invocations"])
        func anUpgradeRequestIsAnsweredAndItsConnectionEnds(path: String) throws {
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
            let request = "POST \(path) HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 2\r\n\r\n{}"
            let got = try Self.exchange(request + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n", port: port)
            #expect(got.ended, "\(got.text)")
            #expect(got.text.hasPrefix("HTTP/1.1 200 OK\r\n") && got.text.contains("Connection: close\r\n"), "\(got.text)")
            _ = host
        }

        /// A request SwiftNIO cannot parse (a control character in a header) gets its 400,
        /// and the connection ends, as the 400's `Connection: close` says.
        @Test func anUnparsableRequestGets400AndItsConnectionEnds() throws {
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
            let got = try Self.exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{1}b\r\n\r\n", port: port)
            #expect(got.ended, "\(got.text)")
            #expect(got.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(got.text)")
            #expect(try ServeHTTPTests.curl(["http://127.0.0.1:\(port)/after"]).status == 200)
            _ = host
        }

        /// A body within 6 MiB can make an event over 6 MiB (a binary one goes in base64):
        /// that is the request's fault, a 413 that says why, not the function's 502.
        @Test(arguments: [("text/plain", 6 * 1024 * 1024), ("application/octet-stream", 5 * 1024 * 1024)])
        func aBodyWhoseEventIsOver6MiBGets413(type: String, size: Int) throws {
            let folder = try TemporaryFolder()
            try Data(repeating: UInt8(ascii: "a"), count: size).write(to: URL(fileURLWithPath: folder.path + "/big"))
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", BuildProducts.plugin("Echo")])
            let reply = try ServeHTTPTests.curl(["-H", "Expect:", "-H", "Content-Type: \(type)", "--data-binary", "@" + folder.path + "/big", "http://127.0.0.1:\(port)/up"])
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.text.contains("the event made of this request is"), "\(reply.text)")
            #expect(try ServeHTTPTests.curl(["http://127.0.0.1:\(port)/after"]).status == 200)
            _ = host
        }

        /// An HTTP/1.0 client cannot read a chunked body (RFC 9112, 6.1): its streamed answer
        /// comes unframed, ended by the end of the connection.
        @Test func anHTTP10ClientGetsAStreamWithoutChunks() throws {
            let folder = try TemporaryFolder()
            let marker = folder.path + "/marker"
            FileManager.default.createFile(atPath: marker, contents: Data())
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", try ServeHTTPTests.answersPlugin(in: folder)])
            let got = try Self.exchange("GET /stream HTTP/1.0\r\nX-Marker: \(marker)\r\n\r\n", port: port)
            #expect(got.ended, "\(got.text)")
            #expect(got.text.hasPrefix("HTTP/1.0 202 Accepted\r\n"), "\(got.text)")
            #expect(!got.text.lowercased().contains("transfer-encoding"), "\(got.text)")
            #expect(got.text.hasSuffix("\r\n\r\nfirst\nsecond\n"), "\(got.text)")
            _ = host
        }

        /// A function that fails after its stream's status and first bytes: the body ends
        /// where it stands without its last chunk, so that curl reports it incomplete
        /// (exit 18) rather than taking the partial body for the whole.
        @Test func aStreamCutByAnErrorDoesNotLookWhole() throws {
            let folder = try TemporaryFolder()
            let (host, port) = try ServeHTTPTests.serve(["--http", "--handler", try ServeHTTPTests.answersPlugin(in: folder)])
            let outcome = try runCommand("/usr/bin/curl", ["-sS", "--max-time", "30", "-i", "http://127.0.0.1:\(port)/cut"])
            #expect(outcome.status == 18, "\(outcome.stdout) \(outcome.stderr)")
            #expect(outcome.stdout.hasPrefix("HTTP/1.1 200 OK"), "\(outcome.stdout)")
            #expect(outcome.stdout.hasSuffix("partial"), "\(outcome.stdout)")
            #expect(host.waitForLog("its body cut short"), "\(host.stderr)")
            #expect(try ServeHTTPTests.curl(["http://127.0.0.1:\(port)/status"]).status == 201, "\(host.stderr)")
        }
    }
}
