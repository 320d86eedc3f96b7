import Foundation
import CLambdaOutbound
import Glibc

/// A UDP socket on a free loopback port, standing in for the daemon.
final class UDPListener {
    let fd: Int32
    let port: Int

    init?(ipv6: Bool = false) {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var port: UInt16 = 0
        let bound: Bool
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            bound = Self.bind(fd, &address) { port = UInt16(bigEndian: $0.sin6_port) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            bound = Self.bind(fd, &address) { port = UInt16(bigEndian: $0.sin_port) }
        }
        guard bound else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.port = Int(port)
    }

    private static func bind<Address>(_ fd: Int32, _ address: inout Address, port: (Address) -> Void) -> Bool {
        var length = socklen_t(MemoryLayout<Address>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        if ok { port(address) }
        return ok
    }

    deinit { close(fd) }

    /// The next datagram, or nil when none came before the deadline.
    func receive(withinMs timeout: Int64) -> [UInt8]? {
        let deadline = lh_monotonic_ms() + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline - lh_monotonic_ms()
            guard left > 0 else { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(left)) > 0 else { continue }
            let size = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if size >= 0 { return Array(buffer[..<size]) }
        }
    }
}
