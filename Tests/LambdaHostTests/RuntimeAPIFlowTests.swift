import Foundation
import Glibc
import Testing

/// How the emulator's Runtime API paces what a runtime sends: a stream waits for a caller
/// that reads slowly instead of piling up in memory, stops at Lambda's 200 MiB, and
/// `Expect: 100-continue` is answered as curl-based runtimes expect.
@Suite struct RuntimeAPIFlowTests {
    static let mib = 1024 * 1024

    /// Plays the runtime: takes the invocation and opens a streamed `/response` to it.
    func openStream(_ emulator: Emulator) throws -> RawHTTP {
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let stream = try #require(RawHTTP(port: emulator.api, timeout: 60))
        stream.send(EmulatorResponseTests.streamHead(requestID, invocationID: invocation.headers["lambda-runtime-invocation-id"]))
        return stream
    }

    @Test func aStreamWaitsForACallerThatDoesNotRead() throws {
        let emulator = try Emulator(["--timeout", "300"])
        let caller = try #require(RawHTTP(port: emulator.invoke, timeout: 60))
        caller.send("POST \(InvokeRequestTests.path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        let stream = try openStream(emulator)
        // A send that waits 2 s means the emulator stopped reading the runtime.
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(stream.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let emulatePid = emulator.host.process.processIdentifier
        let before = ProcessWatch.residentKiB(emulatePid)
        let sender = StreamSender(fd: stream.fd, chunks: 64, chunkBytes: Self.mib)
        Thread.detachNewThread { sender.run() }
        #expect(ProcessWatch.until(60) { sender.stalled || sender.finished })
        let grown = ProcessWatch.residentKiB(emulatePid) - before
        #expect(sender.stalled, "the emulator took all 64 MiB while the caller read nothing (grew \(grown) KiB)")
        #expect(grown < 32 * 1024, "the emulator grew by \(grown) KiB holding a stream the caller did not read")
        // The caller reads: everything arrives, in order.
        let reply = try #require(ChunkedReader(fd: caller.fd).read(), "the caller's stream broke")
        #expect(reply.bodyBytes == 64 * Self.mib)
        #expect(ProcessWatch.until(30) { sender.finished })
        #expect(stream.reply()?.status == 202)
    }

    @Test func aStreamStopsAtLambdasLimitWithResponseSizeTooLarge() throws {
        let emulator = try Emulator(["--timeout", "300"])
        let caller = try #require(RawHTTP(port: emulator.invoke, timeout: 60))
        caller.send("POST \(InvokeRequestTests.path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        let stream = try openStream(emulator)
        let sender = StreamSender(fd: stream.fd, chunks: 201, chunkBytes: Self.mib)
        Thread.detachNewThread { sender.run() }
        let reply = try #require(ChunkedReader(fd: caller.fd).read(), "the caller's stream broke")
        #expect(reply.bodyBytes == 200 * Self.mib)
        #expect(reply.trailers["lambda-runtime-function-error-type"] == "Function.ResponseSizeTooLarge", "\(reply.trailers)")
        #expect(reply.trailers["x-amz-function-error"] == "Unhandled")
        let document = reply.trailers["lambda-runtime-function-error-body"].flatMap { Data(base64Encoded: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(
            document?.contains("exceeded maximum allowed payload size (209715200 bytes)") == true, "\(document ?? "none")")
        // What had arrived when the limit was crossed, in AWS's emulator's words.
        let received = document.flatMap { $0.range(of: "Response payload size (") }.flatMap { range in
            document.flatMap { Int($0[range.upperBound...].prefix { $0.isNumber }) }
        }
        #expect((received ?? 0) > 200 * Self.mib, "\(document ?? "none")")
        #expect(ProcessWatch.until(60) { sender.finished })
        let refused = stream.reply()
        #expect(refused?.status == 413, "\(refused?.text ?? "no reply")")
        #expect(refused?.text.contains("RequestEntityTooLarge") == true)
    }

    @Test func theRuntimeAPIHonoursExpectContinue() throws {
        let emulator = try Emulator(["--timeout", "120"])
        let caller = try #require(emulator.post("{}"))
        let (_, invocation) = try #require(emulator.next())
        let requestID = try #require(invocation.headers["lambda-runtime-aws-request-id"])
        let path = "/2018-06-01/runtime/invocation/\(requestID)/response"
        // As curl sends a body over 1 MiB: the head, then the body once told to continue.
        let runtime = try #require(RawHTTP(port: emulator.api, timeout: 5))
        let size = 2 * Self.mib
        runtime.send("POST \(path) HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(size)\r\n\r\n")
        #expect(runtime.reply()?.status == 100, "no 100 Continue: curl waits a second for it")
        runtime.send([UInt8](repeating: 98, count: size))
        #expect(runtime.reply()?.status == 202)
        #expect(caller.reply()?.body.count == size)

        // Too large: refused before the body, and the caller is told at once.
        let second = try #require(emulator.post("{}"))
        let (_, next) = try #require(emulator.next())
        let secondID = try #require(next.headers["lambda-runtime-aws-request-id"])
        let large = try #require(RawHTTP(port: emulator.api, timeout: 5))
        large.send(
            "POST /2018-06-01/runtime/invocation/\(secondID)/response HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(7 * Self.mib)\r\n\r\n")
        let refused = try #require(large.reply(), "no early refusal")
        #expect(refused.status == 413)
        #expect(refused.text.contains("RequestEntityTooLarge"))
        let answer = try #require(second.reply())
        #expect(answer.text.contains("Function.ResponseSizeTooLarge"), "\(answer.text)")
    }
}

/// Sends `chunks` chunks of `chunkBytes` bytes and the end of a chunked body on `fd`, from
/// its own thread, noting when a send had to wait out the socket's send timeout.
final class StreamSender: @unchecked Sendable {
    let fd: Int32
    let chunks: Int
    let chunkBytes: Int
    private let lock = NSLock()
    private var wasStalled = false
    private var done = false

    init(fd: Int32, chunks: Int, chunkBytes: Int) {
        self.fd = fd
        self.chunks = chunks
        self.chunkBytes = chunkBytes
    }

    var stalled: Bool { lock.withLock { wasStalled } }
    var finished: Bool { lock.withLock { done } }

    func run() {
        let chunk = Array((String(chunkBytes, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 97, count: chunkBytes) + [13, 10]
        for _ in 0..<chunks where send(chunk) {}
        _ = send(Array("0\r\n\r\n".utf8))
        lock.withLock { done = true }
    }

    /// Sends all of `bytes`; a send that times out counts as a stall and is retried.
    private func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                lock.withLock { wasStalled = true }
            } else {
                return false
            }
        }
        return true
    }
}

/// Reads a chunked HTTP reply from `fd` without keeping its body: its status, body length
/// and trailers.
final class ChunkedReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    struct Reply {
        var status: Int
        var bodyBytes: Int
        var trailers: [String: String]
    }

    private func fill() -> Bool {
        if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if got <= 0 { return false }
        buffer += chunk[0..<got]
        return true
    }

    private func line() -> String? {
        while true {
            if let end = buffer[start...].firstIndex(of: 10) {
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                return text.hasSuffix("\r") ? String(text.dropLast()) : text
            }
            if !fill() { return nil }
        }
    }

    private func skip(_ count: Int) -> Bool {
        var left = count
        while left > 0 {
            if start == buffer.count && !fill() { return false }
            let take = min(left, buffer.count - start)
            start += take
            left -= take
        }
        return true
    }

    func read() -> Reply? {
        guard let status = line()?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        while let header = line(), !header.isEmpty {}
        var reply = Reply(status: status, bodyBytes: 0, trailers: [:])
        while true {
            guard let size = line().flatMap({ Int($0.split(separator: ";").first ?? "", radix: 16) }) else { return nil }
            if size == 0 { break }
            guard skip(size + 2) else { return nil }
            reply.bodyBytes += size
        }
        while let field = line(), !field.isEmpty {
            guard let colon = field.firstIndex(of: ":") else { continue }
            reply.trailers[field[..<colon].lowercased()] = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return reply
    }
}
