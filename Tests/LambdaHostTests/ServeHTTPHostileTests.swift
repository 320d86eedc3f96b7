import Foundation
import Glibc
import Testing

/// `serve --http` against what a careless plugin or an odd client sends, with the real
/// binary, the HTTPAnswers fixture (whose `/raw` and `/rawstream` paths answer with the
/// request's body, byte for byte) and Python's http.client: every request gets one
/// well-formed answer, and serve lives on.
@Suite struct ServeHTTPHostileTests {
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
}
