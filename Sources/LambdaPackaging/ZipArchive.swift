import CZlib

/// Zip archives as Lambda reads them: DEFLATE or stored entries with Unix permission
/// bits, symbolic links as Info-ZIP writes them (`zip --symlinks`: Unix type `S_IFLNK` in
/// the external attributes, the target as the stored contents), no ZIP64, no encryption.
///
/// Writing is reproducible: entries go in path order, every timestamp is 1980-01-01
/// 00:00 (zip's epoch), there are no extra fields, and DEFLATE runs at a fixed level, so
/// the same entries always give the same bytes. Costs one DEFLATE pass over the data.
public enum ZipArchive {
    static let localHeader: UInt32 = 0x0403_4b50
    static let centralHeader: UInt32 = 0x0201_4b50
    static let endOfCentralDirectory: UInt32 = 0x0605_4b50
    /// 1980-01-01 in MS-DOS date format; the time is 00:00:00.
    static let fixedDate: UInt16 = (1 << 5) | 1
    /// "Made by" Unix (3), zip 2.0: readers then honour the permission bits.
    static let madeBy: UInt16 = (3 << 8) | 20

    /// The archive holding `entries`, sorted by path.
    public static func write(_ entries: [ZipEntry]) throws(PackagingError) -> [UInt8] {
        var output = LittleEndianWriter()
        var central = LittleEndianWriter()
        let sorted = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        guard sorted.count < 0xffff else { throw PackagingError(.zip, "more than 65,534 entries need ZIP64, which is not written") }
        try checkEntries(sorted, archive: "the archive")
        for entry in sorted {
            let name = Array(entry.path.utf8)
            let crc = lh_crc32(entry.contents, entry.contents.count)
            var method: UInt16 = 0
            var stored = entry.contents
            if entry.kind == .file && !entry.contents.isEmpty {
                let compressed = try deflate(entry.contents)
                if compressed.count < entry.contents.count {
                    method = 8
                    stored = compressed
                }
            }
            guard output.bytes.count < 0xffff_ffff, stored.count < 0xffff_ffff, entry.contents.count < 0xffff_ffff,
                name.count < 0xffff
            else { throw PackagingError(.zip, "\(entry.path): too large for a zip without ZIP64") }
            let offset = UInt32(output.bytes.count)
            let type: UInt32
            switch entry.kind {
            case .file: type = 0o100000
            case .directory: type = 0o040000
            case .symlink: type = 0o120000
            }
            // High 16 bits: the Unix mode; low bits: MS-DOS's directory flag.
            let attributes = (type | UInt32(entry.mode & 0o777)) << 16 | (entry.kind == .directory ? 0x10 : 0)

            let fields = HeaderFields(
                method: method, crc: crc, storedSize: UInt32(stored.count), size: UInt32(entry.contents.count),
                nameLength: UInt16(name.count))
            output.u32(localHeader)
            output.fields(fields)
            output.bytes += name
            output.bytes += stored

            central.u32(centralHeader)
            central.u16(madeBy)
            central.fields(fields)
            central.u16(0)
            central.u16(0)
            central.u16(0)
            central.u32(attributes)
            central.u32(offset)
            central.bytes += name
        }
        guard output.bytes.count + central.bytes.count < 0xffff_ffff else {
            throw PackagingError(.zip, "the archive is over 4 GiB, which needs ZIP64")
        }
        let centralOffset = UInt32(output.bytes.count)
        output.bytes += central.bytes
        output.u32(endOfCentralDirectory)
        output.u16(0)
        output.u16(0)
        output.u16(UInt16(sorted.count))
        output.u16(UInt16(sorted.count))
        output.u32(UInt32(central.bytes.count))
        output.u32(centralOffset)
        output.u16(0)
        return output.bytes
    }

    static func deflate(_ bytes: [UInt8]) throws(PackagingError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: lh_deflate_bound(bytes.count))
        var length = output.count
        let status = output.withUnsafeMutableBufferPointer { lh_deflate(bytes, bytes.count, $0.baseAddress, &length) }
        guard status == 0 else { throw PackagingError(.zip, "DEFLATE failed on \(bytes.count) bytes") }
        output.removeSubrange(length...)
        return output
    }
}

/// The fields a local header and its central directory entry share, from "version
/// needed" to "extra field length".
struct HeaderFields {
    var method: UInt16
    var crc: UInt32
    var storedSize: UInt32
    var size: UInt32
    var nameLength: UInt16
}

/// Appends little-endian integers to a byte array.
struct LittleEndianWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    /// Version needed 2.0, no flags, the method, the fixed time and date, CRC-32, sizes,
    /// the name's length and no extra field.
    mutating func fields(_ fields: HeaderFields) {
        u16(20)
        u16(0)
        u16(fields.method)
        u16(0)
        u16(ZipArchive.fixedDate)
        u32(fields.crc)
        u32(fields.storedSize)
        u32(fields.size)
        u16(fields.nameLength)
        u16(0)
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
