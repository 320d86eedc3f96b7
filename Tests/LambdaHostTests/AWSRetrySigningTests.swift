import Foundation
import Glibc
import Testing

/// A retried AWS request is signed again: the real host and the `Notes` example against a
/// server of the test that drops a reused connection after reading a GET, so that the
/// pool sends the GET once more on a new connection.
@Suite struct AWSRetrySigningTests {
    /// Records what it read; the scenario runs on its own thread.
    final class Recorder: @unchecked Sendable {
        private let lock = NSCondition()
        private var requests: [TestRuntimeAPI.Request] = []

        func add(_ request: TestRuntimeAPI.Request) {
            lock.lock()
            requests.append(request)
            lock.broadcast()
            lock.unlock()
        }

        func wait(for count: Int, timeout: TimeInterval = 30) -> [TestRuntimeAPI.Request] {
            let deadline = Date().addingTimeInterval(timeout)
            lock.lock()
            defer { lock.unlock() }
            while requests.count < count, lock.wait(until: deadline) {}
            return requests
        }
    }

    static func reply(_ fd: Int32, _ body: String, type: String = "application/octet-stream") {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    @Test func aGetRetriedOnANewConnectionCarriesAFreshDateAndSignature() throws {
        let listener = try #require(RawListener(backlog: 8))
        let recorder = Recorder()
        let fd = listener.fd
        Thread.detachNewThread {
            // Connection A: the PutObject is answered and the connection kept; the GetObject
            // that follows on it is read, and the connection dropped after more than a
            // second (X-Amz-Date counts seconds), with no answer.
            let a = accept(fd, nil, nil)
            var first = RequestReader(fd: a)
            guard let put = first.next() else { close(a); return }
            recorder.add(put)
            Self.reply(a, "")
            guard let get = first.next() else { close(a); return }
            recorder.add(get)
            usleep(1_100_000)
            close(a)
            // Connection B: the retried GetObject, then DynamoDB's GetItem.
            let b = accept(fd, nil, nil)
            var second = RequestReader(fd: b)
            guard let retried = second.next() else { close(b); return }
            recorder.add(retried)
            Self.reply(b, "the note")
            guard let item = second.next() else { close(b); return }
            recorder.add(item)
            Self.reply(b, #"{"Item":{"id":{"S":"n1"},"title":{"S":"T"}}}"#, type: "application/x-amz-json-1.0")
            close(b)
        }
        let secret = "retry-test-secret-0123456789abcdefghijk"
        let runtime = try OutboundHTTPTests.Runtime(
            "libNotes.so",
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:\(listener.port)", "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "AKIDRETRY", "AWS_SECRET_ACCESS_KEY": secret, "NOTES_BUCKET": "notes", "NOTES_TABLE": "t",
            ])
        let answer = try runtime.invoke(#"{"id": "n1", "text": "the note"}"#)
        let note = try #require(jsonObject(answer), "\(answer.text)")
        #expect(note["text"] as? String == "the note" && note["title"] as? String == "T", "\(answer.text)")
        let requests = recorder.wait(for: 4)
        try #require(requests.count == 4)
        #expect(requests.map(\.method) == ["PUT", "GET", "GET", "POST"])
        let (get, retried) = (requests[1], requests[2])
        #expect(get.path == "/notes/notes/n1.txt" && retried.path == get.path)
        #expect(get.headers["x-amz-date"] != retried.headers["x-amz-date"])
        let signature = { (request: TestRuntimeAPI.Request) in request.headers["authorization"]?.components(separatedBy: "Signature=").last }
        #expect(signature(get) != nil && signature(retried) != nil && signature(get) != signature(retried))
        #expect(retried.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDRETRY/") == true)
        #expect(!runtime.host.stderr.contains(secret) && !answer.text.contains(secret))
    }
}
