import CZlib

extension ZipArchive {
    /// Lambda's limit on a function's unzipped code and layers together: 250 MB.
    public static let unzippedLimit = 262_144_000

    /// The entries of the archive `bytes` (`name` is used in messages), checked as they
    /// are read: CRC-32, sizes, safe relative paths, and Lambda's 250 MB unzipped limit.
    /// Symbolic links are refused rather than followed, and set-user-ID, set-group-ID and
    /// sticky bits are dropped.
    public static func read(_ bytes: [UInt8], name: String) throws(PackagingError) -> [ZipEntry] {
        let file = ByteReader(bytes)
        func damaged(_ what: String) -> PackagingError { PackagingError(.zip, "\(name): not a readable zip archive (\(what))") }
        var end = bytes.count - 22
        let earliest = max(0, end - 0xffff)
        while end >= earliest, file.u32(end) != endOfCentralDirectory { end -= 1 }
        guard end >= earliest, let count = file.u16(end + 10), let centralOffset = file.u32(end + 16) else {
            throw damaged("no end-of-central-directory record")
        }
        var entries: [ZipEntry] = []
        var total = 0
        var position = Int(centralOffset)
        for _ in 0..<count {
            guard file.u32(position) == centralHeader, let madeBy = file.u16(position + 4),
                let flags = file.u16(position + 8), let method = file.u16(position + 10),
                let crc = file.u32(position + 16), let storedSize = file.u32(position + 20),
                let size = file.u32(position + 24), let nameLength = file.u16(position + 28),
                let extraLength = file.u16(position + 30), let commentLength = file.u16(position + 32),
                let attributes = file.u32(position + 38), let localOffset = file.u32(position + 42),
                position + 46 + Int(nameLength) <= bytes.count
            else { throw damaged("a central directory entry is cut") }
            let path = String(decoding: bytes[position + 46..<position + 46 + Int(nameLength)], as: UTF8.self)
            position += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)

            try checkPath(path, archive: name)
            guard flags & 1 == 0 else { throw PackagingError(.zip, "\(name): \(path) is encrypted") }
            total += Int(size)
            guard total <= unzippedLimit else {
                throw PackagingError(.zip, "\(name): unzipped, it is over Lambda's limit of 250 MB (262,144,000 bytes)")
            }
            let unixMode = madeBy >> 8 == 3 ? UInt16(truncatingIfNeeded: attributes >> 16) : 0
            let type = unixMode & 0o170000
            if type == 0o120000 {
                throw PackagingError(.zip, "\(name): \(path) is a symbolic link; lambda-host package does not unpack links")
            }
            if path.utf8.last == UInt8(ascii: "/") || type == 0o040000 {
                entries.append(.directory(path, mode: unixMode & 0o777 == 0 ? 0o755 : unixMode & 0o777))
                continue
            }
            let local = Int(localOffset)
            guard file.u32(local) == localHeader, let localName = file.u16(local + 26), let localExtra = file.u16(local + 28)
            else { throw damaged("\(path)'s local header is missing") }
            let start = local + 30 + Int(localName) + Int(localExtra)
            guard start + Int(storedSize) <= bytes.count else { throw damaged("\(path) is cut") }
            let stored = Array(bytes[start..<start + Int(storedSize)])
            let contents: [UInt8]
            switch method {
            case 0:
                guard storedSize == size else { throw damaged("\(path)'s sizes disagree") }
                contents = stored
            case 8:
                var inflated = [UInt8](repeating: 0, count: Int(size))
                let status = inflated.withUnsafeMutableBufferPointer {
                    lh_inflate(stored, stored.count, $0.baseAddress, Int(size))
                }
                guard status == 0 else { throw damaged("\(path) does not inflate to its recorded size") }
                contents = inflated
            default:
                throw PackagingError(.zip, "\(name): \(path) uses compression method \(method); only stored and DEFLATE are read")
            }
            guard lh_crc32(contents, contents.count) == crc else { throw damaged("\(path) fails its CRC-32") }
            entries.append(.file(path, mode: unixMode & 0o777 == 0 ? 0o644 : unixMode & 0o777, contents: contents))
        }
        return entries
    }

    /// Refuses paths that would unpack outside the target folder. The path is checked at
    /// its bytes, as the file system reads it, never at Characters: a combining mark after
    /// '/' makes one Character "/́", so a split at Characters would take "../́x" for one
    /// harmless name.
    static func checkPath(_ path: String, archive: String) throws(PackagingError) {
        let bytes = path.utf8
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let trimmed = bytes.last == UInt8(ascii: "/") ? parts.dropLast() : parts[...]
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "/"), !bytes.contains(UInt8(ascii: "\\")), !bytes.contains(0),
            !trimmed.contains(where: { $0.isEmpty || $0.elementsEqual("..".utf8) || $0.elementsEqual(".".utf8) })
        else { throw PackagingError(.zip, "\(archive): the entry '\(path)' would unpack outside its folder") }
    }
}
