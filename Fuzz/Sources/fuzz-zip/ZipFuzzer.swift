import FuzzCheck

@testable import LambdaPackaging

/// Fuzzes the zip reader (ZipArchive.read), which `package simulate` and `--layer` run on
/// archives a user names. What it reads must be safe to unpack (relative paths without
/// `..`, permission bits only, links with relative targets, within Lambda's unzipped
/// limit), and written back with ZipArchive.write it must read again as the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let entries: [ZipEntry]
    do {
        entries = try ZipArchive.read(bytes, name: "fuzz.zip")
    } catch {
        require(error.code == .zip, "\(error.code): \(error)")
        require(error.message.utf8.starts(with: "fuzz.zip: ".utf8), "the message does not name the archive: \(error.message)")
        return 0
    }
    var total = 0
    for entry in entries {
        // At the bytes, as the file system will see the path.
        let path = Array(entry.path.utf8)
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        require(
            path.first != UInt8(ascii: "/") && !parts.contains { $0.elementsEqual("..".utf8) } && !path.contains(0),
            "path \(entry.path.debugDescription)")
        require(entry.mode <= 0o777 && entry.mode != 0, "mode \(String(entry.mode, radix: 8)) of \(entry.path)")
        switch entry.kind {
        case .directory: require(path.last == UInt8(ascii: "/") && entry.contents.isEmpty, "folder \(entry.path.debugDescription)")
        case .file: require(path.last != UInt8(ascii: "/"), "file \(entry.path.debugDescription)")
        case .symlink:
            // Whether the target stays inside is ZipArchive.checkEntries' to say; here, that it ran.
            require(
                path.last != UInt8(ascii: "/") && entry.mode == 0o777 && entry.contents.first != UInt8(ascii: "/")
                    && !entry.contents.isEmpty, "link \(entry.path.debugDescription)")
        }
        total += entry.contents.count
    }
    require(total <= ZipArchive.unzippedLimit, "\(total) bytes unzipped")

    let written: [UInt8]
    do {
        written = try ZipArchive.write(entries)
    } catch {
        require(false, "entries read cannot be written: \(error)")
        return 0
    }
    let again: [ZipEntry]
    do {
        again = try ZipArchive.read(written, name: "again.zip")
    } catch {
        require(false, "the archive written back cannot be read: \(error)")
        return 0
    }
    require(sorted(again) == sorted(entries), "the archive written back reads differently")
    return 0
}

private func sorted(_ entries: [ZipEntry]) -> [ZipEntry] {
    entries.sorted {
        $0.path.utf8.lexicographicallyPrecedes($1.path.utf8)
            || ($0.path.utf8.elementsEqual($1.path.utf8) && $0.contents.lexicographicallyPrecedes($1.contents))
    }
}
