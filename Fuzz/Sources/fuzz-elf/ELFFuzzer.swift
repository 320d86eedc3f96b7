import FuzzCheck

@testable import LambdaPackaging

/// Fuzzes the ELF reader (ELFFile), the provided.al2023 audit (ELFAudit) and the two
/// in-place edits packaging makes. A file that reads must hold only strings from inside
/// its string tables; the audit must name the file in every problem; an edit that
/// succeeds must change nothing but its own fields (the search path's string and its
/// dynamic entry; one Vernaux entry), and leave the file's size alone.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file: ELFFile
    do {
        file = try ELFFile(name: "fuzz.so", bytes: bytes)
    } catch {
        require(error.code == .notELF || error.code == .damagedELF, "\(error.code): \(error)")
        require(error.message.utf8.starts(with: "fuzz.so: ".utf8), "the message does not name the file: \(error.message)")
        return 0
    }
    require(file.bytes == bytes, "reading changed the bytes")
    require(file.machine.rawValue == UInt16(bytes[18]) | UInt16(bytes[19]) << 8, "e_machine \(file.machine)")
    let strings = file.needed + [file.soname, file.searchPath?.value].compactMap { $0 }
        + file.requirements.flatMap { [$0.library, $0.version.name] + $0.symbols } + file.versions.map(\.name)
        + Array(file.exports)
    for string in strings {
        require(!string.utf8.contains(0), "a string with a NUL: \(string.debugDescription)")
    }
    let indices = file.requirements.map(\.index)
    require(indices == indices.sorted() && Set(indices).count == indices.count, "requirement indices \(indices)")

    for architecture in [ELFMachine.x86_64, .arm64] {
        // Alone, and as the provider of its own SONAME (a library of the layer's lib/).
        let providers = [[:], [file.soname ?? "fuzz.so": file]]
        for libraries in providers {
            let audit = ELFAudit(architecture: architecture, libraries: libraries)
            let problems = audit.problems(in: file)
            require(problems.allSatisfy { $0.file == "fuzz.so" && !$0.message.isEmpty }, "a problem of another file")
            require(
                problems.contains { $0.kind == .architecture } == (file.machine != architecture),
                "the architecture check for \(file.machine) against \(architecture)")
            if !problems.isEmpty {
                let message = audit.failure(problems).message
                require(problems.allSatisfy { message.contains($0.description) }, "the failure leaves a problem out")
            }
        }
    }
    checkSearchPathEdit(file)
    checkRebind(file)
    return 0
}

/// Offsets where two byte arrays of one size differ.
private func changes(_ a: [UInt8], _ b: [UInt8]) -> [Int] {
    require(a.count == b.count, "an edit changed the size from \(a.count) to \(b.count)")
    return a.indices.filter { a[$0] != b[$0] }
}

private func checkSearchPathEdit(_ file: ELFFile) {
    guard let old = file.searchPath?.value else { return }
    // The layer's value, and shorter ones that must fit.
    for value in ["$ORIGIN/lib:$ORIGIN/../lib", "$ORIGIN", ""] where value.utf8.count <= old.utf8.count {
        var edited = file
        do {
            try edited.setSearchPath(value)
        } catch {
            continue
        }
        require(edited.searchPath?.value == value && edited.searchPath?.isRunPath == false, "the search path after the edit")
        let entry = file.layout.dynamic.first { $0.tag == ELFFile.Tag.runpath || $0.tag == ELFFile.Tag.rpath }
        for offset in changes(file.bytes, edited.bytes) {
            let inString = file.layout.dynstr.contains(offset)
            let inEntry = entry.map { ($0.offset..<$0.offset + 8).contains(offset) } ?? false
            require(inString || inEntry, "setting the search path changed byte \(offset)")
        }
    }
}

private func checkRebind(_ file: ELFFile) {
    for requirement in file.requirements.prefix(4) {
        for other in file.requirements.prefix(4) where other.version != requirement.version {
            var edited = file
            do {
                try edited.rebind(requirement, to: other.version)
            } catch {
                continue
            }
            let rebound = edited.requirements.first { $0.index == requirement.index }
            require(rebound?.version == other.version, "rebinding did not give \(other.version)")
            let entries = file.layout.vernaux.filter { $0.index == requirement.index }.map(\.offset)
            for offset in changes(file.bytes, edited.bytes) {
                require(entries.contains { ($0..<$0 + 16).contains(offset) }, "rebinding changed byte \(offset)")
            }
        }
    }
}
