import Glibc

/// A socket on a free port of 127.0.0.1, to make a port busy: listening with `backlog`, or
/// (nil) only bound, so that the port refuses connections.
final class RawListener {
    let fd: Int32
    let port: Int
    /// Its address, the port filled in.
    let address: sockaddr_in

    init?(backlog: Int32? = 1) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && backlog.map { listen(fd, $0) == 0 } ?? true
                    && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.address = address
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
