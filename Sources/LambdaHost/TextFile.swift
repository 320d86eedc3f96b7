import CLambdaSystem

/// Reading a small text file without Foundation.
enum TextFile {
    /// The file's lines (at most 64 KiB of it), or none when it cannot be read.
    static func lines(_ path: String) -> [String] {
        let fd = lh_open_read(path)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64 * 1024)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { read(fd, $0 + count, buffer.count - count) } ?? 0
            }
            if got <= 0 { break }
            count += got
        }
        return String(decoding: bytes[0..<count], as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
    }
}
