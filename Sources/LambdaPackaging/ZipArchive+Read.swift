import CZlib

extension ZipArchive {
    /// Lambda's limit on a function's unzipped code and layers together: 250 MB.
    public static let unzippedLimit = 262_144_000

    /// The entries of the archive `bytes` (`name` is used in messages), checked as they
    /// are read: CRC-32, sizes, safe relative paths, and Lambda's 250 MB unzipped limit.
    /// A symbolic link is read as one when its target stays inside the archive (see
    /// `checkEntries`); set-user-ID, set-group-ID and sticky bits are dropped.
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
            let isLink = type == 0o120000
            if isLink && path.utf8.last == UInt8(ascii: "/") {
                throw PackagingError(.zip, "\(name): \(path) is a symbolic link whose name is a folder's (it ends with /)")
            }
            if !isLink && (path.utf8.last == UInt8(ascii: "/") || type == 0o040000) {
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
            guard isLink else {
                entries.append(.file(path, mode: unixMode & 0o777 == 0 ? 0o644 : unixMode & 0o777, contents: contents))
                continue
            }
            let target = String(decoding: contents, as: UTF8.self)
            guard target.utf8.elementsEqual(contents) else {
                throw PackagingError(.zip, "\(name): the symbolic link \(path) has a target that is not UTF-8")
            }
            entries.append(.symlink(path, target: target))
        }
        try checkEntries(entries, archive: name)
        return entries
    }

    /// Refuses entries that could unpack outside the folder the archive unpacks into: a
    /// path that `checkPath` refuses, and a symbolic link that could lead out. A link's
    /// target must be relative, non-empty, without NUL, under `PATH_MAX`, and must not
    /// climb above the root with `..`, counted from the link's own folder. Counting by text
    /// holds only where no step goes through a link (`..` after a link climbs from where
    /// the link points), so a target may not pass through another link of the archive, and
    /// no entry may lie inside a link (unpacking it would write wherever the link points).
    /// Costs a set of the links' paths and a walk of each path.
    static func checkEntries(_ entries: [ZipEntry], archive: String) throws(PackagingError) {
        let slash = UInt8(ascii: "/")
        func parts(_ path: String) -> [[UInt8]] {
            path.utf8.split(separator: slash, omittingEmptySubsequences: true).map { Array($0) }
        }
        func joined(_ parts: [[UInt8]]) -> [UInt8] { Array(parts.joined(separator: [slash])) }
        let links = Set(entries.filter { $0.kind == .symlink }.map { joined(parts($0.path)) })
        for entry in entries {
            try checkPath(entry.path, archive: archive)
            guard !links.isEmpty else { continue }
            let place = parts(entry.path)
            for depth in place.indices.dropLast() where links.contains(joined(Array(place[...depth]))) {
                throw PackagingError(
                    .zip, "\(archive): the entry '\(entry.path)' lies inside a symbolic link of the archive, so it would unpack wherever the link points")
            }
            guard entry.kind == .symlink else { continue }
            func refuse(_ why: String) -> PackagingError {
                let shown = String(decoding: entry.contents.prefix(256), as: UTF8.self)
                return PackagingError(.zip, "\(archive): the symbolic link '\(entry.path)' -> '\(shown)' \(why)")
            }
            let target = entry.contents
            guard !target.isEmpty, target.first != slash, !target.contains(0), target.count < 4096 else {
                throw refuse("must have a relative target of 1 to 4,095 bytes")
            }
            var folder = Array(place.dropLast())
            let steps = target.split(separator: slash, omittingEmptySubsequences: false)
            for (index, step) in steps.enumerated() {
                if step.isEmpty || step.elementsEqual(".".utf8) { continue }
                if step.elementsEqual("..".utf8) {
                    guard folder.popLast() != nil else { throw refuse("leads outside the archive's folder") }
                    continue
                }
                folder.append(Array(step))
                if index < steps.count - 1 && links.contains(joined(folder)) {
                    throw refuse("goes through another link of the archive; point at the file itself")
                }
            }
        }
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
