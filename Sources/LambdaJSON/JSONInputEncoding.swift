/// The encodings of JSON text that FoundationEssentials' JSONDecoder reads, and so the
/// Codable decoder too (RFC 4627, section 3): UTF-8 with or without its byte-order mark,
/// and UTF-16 or UTF-32 of either byte order, told by a byte-order mark or by where the
/// first characters' zero bytes fall. Lambda events are UTF-8; the rest costs nothing
/// unless it is used.
package enum JSONInputEncoding {
    case utf8, utf16BigEndian, utf16LittleEndian, utf32BigEndian, utf32LittleEndian

    /// Calls `body` with the UTF-8 text of `bytes`: the bytes themselves (past a UTF-8
    /// byte-order mark), or their transcoding from UTF-16 or UTF-32.
    ///
    /// - Throws: ``JSONSyntaxError`` when UTF-16 or UTF-32 input does not transcode whole.
    package static func withUTF8<R>(
        _ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        let (encoding, mark) = detect(bytes)
        let text = UnsafeRawBufferPointer(rebasing: bytes[mark...])
        guard encoding != .utf8 else { return try body(text) }
        guard let utf8 = transcode(text, from: encoding) else {
            throw JSONSyntaxError(.notUTF8, at: mark, "the input looks like \(encoding) but does not transcode to UTF-8 whole")
        }
        return try utf8.withUnsafeBytes { try body($0) }
    }

    /// The encoding and the length of its byte-order mark, from the first four bytes.
    static func detect(_ bytes: UnsafeRawBufferPointer) -> (JSONInputEncoding, mark: Int) {
        func at(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
        switch (at(0), at(1), at(2), at(3)) {
        case (0, 0, 0xFE, 0xFF): return (.utf32BigEndian, 4)
        case (0xFE, 0xFF, 0, 0): return (.utf32LittleEndian, 4)
        case (0xFE, 0xFF, _, _): return (.utf16BigEndian, 2)
        case (0xFF, 0xFE, _, _): return (.utf16LittleEndian, 2)
        case (0xEF, 0xBB, 0xBF, _): return (.utf8, 3)
        case (0, 0, 0, let d?) where d != 0: return (.utf32BigEndian, 0)
        case (0, let b?, 0, let d?) where b != 0 && d != 0: return (.utf16BigEndian, 0)
        case (let a?, 0, 0, 0) where a != 0: return (.utf32LittleEndian, 0)
        case (let a?, 0, let c?, 0) where a != 0 && c != 0: return (.utf16LittleEndian, 0)
        case (0, let b?, nil, nil) where b != 0: return (.utf16BigEndian, 0)
        case (let a?, 0, nil, nil) where a != 0: return (.utf16LittleEndian, 0)
        default: return (.utf8, 0)
        }
    }

    private static func transcode(_ bytes: UnsafeRawBufferPointer, from encoding: JSONInputEncoding) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        switch encoding {
        case .utf16BigEndian, .utf16LittleEndian:
            guard bytes.count % 2 == 0 else { return nil }
            let big = encoding == .utf16BigEndian
            let units = stride(from: 0, to: bytes.count, by: 2).lazy.map { i -> UInt16 in
                big ? UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) : UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i])
            }
            let failed = Swift.transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: true) { out.append($0) }
            return failed ? nil : out
        case .utf32BigEndian, .utf32LittleEndian:
            guard bytes.count % 4 == 0 else { return nil }
            let big = encoding == .utf32BigEndian
            for i in stride(from: 0, to: bytes.count, by: 4) {
                let quad = (0..<4).map { UInt32(bytes[i + (big ? $0 : 3 - $0)]) }
                guard let scalar = Unicode.Scalar(quad[0] << 24 | quad[1] << 16 | quad[2] << 8 | quad[3]) else { return nil }
                UTF8.encode(scalar) { out.append($0) }
            }
            return out
        case .utf8:
            return Array(bytes)
        }
    }
}
