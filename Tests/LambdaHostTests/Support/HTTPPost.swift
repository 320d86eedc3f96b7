import Foundation
import Glibc

/// A minimal HTTP/1.1 client over a real socket: one POST, `Connection: close`.
enum HTTPPost {
    struct Reply {
        var status: Int
        var headers: [String: String]  // lower-cased names
        var body: String
    }

    /// A TCP connection to 127.0.0.1:`port`, or nil.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func send(
        port: Int, path: String, body: String, method: String = "POST", headers: [(String, String)] = []
    ) -> Reply? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n" + body
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return nil }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { break }
            response += chunk[0..<got]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        var lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: fields, body: String(text[split.upperBound...]))
    }

    /// POSTs an event to the invoke endpoint and returns every read of the reply with
    /// the time it arrived (the reply is read until the server closes).
    static func timedInvoke(port: Int, _ event: String) -> [(at: Date, text: String)] {
        guard let fd = connect(port: port) else { return [] }
        defer { close(fd) }
        let request = Array(
            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(event.utf8.count)\r\n\r\n\(event)".utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reads: [(at: Date, text: String)] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { return reads }
            reads.append((Date(), String(decoding: chunk[0..<got], as: UTF8.self)))
        }
    }

    /// POSTs an event to the RIE-compatible invoke endpoint.
    static func invoke(port: Int, _ event: String, headers: [(String, String)] = []) -> Reply? {
        send(port: port, path: "/2015-03-31/functions/function/invocations", body: event, headers: headers)
    }
}
