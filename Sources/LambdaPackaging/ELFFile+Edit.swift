/// The in-place edits packaging makes. None changes the file's size or moves a section:
/// each rewrites a few fields, and each re-reads the file afterwards to prove nothing else
/// changed.
extension ELFFile {
    /// Makes the library search path `value`, as DT_RPATH.
    ///
    /// RPATH rather than RUNPATH on purpose: ld.so searches the executable's DT_RPATH for
    /// the dependencies of a `dlopen`ed plugin that has no RUNPATH of its own, which is how
    /// a Swift plugin in /var/task finds the Swift runtime in the layer's `lib/`. The new
    /// value must fit in the old string's bytes: SwiftPM gives the runtime a RUNPATH of the
    /// toolchain's library folder and `$ORIGIN` (28 bytes or more even for a toolchain in
    /// /usr), which leaves room for the layer's 26.
    public mutating func setSearchPath(_ value: String) throws(PackagingError) {
        let entries = layout.dynamic.filter { $0.tag == Tag.runpath || $0.tag == Tag.rpath }
        guard entries.count == 1, let entry = entries.first, let old = searchPath?.value else {
            throw PackagingError(
                .input, "\(name): expected exactly one RUNPATH or RPATH entry to rewrite, found \(entries.count)")
        }
        let new = Array(value.utf8)
        let start = layout.dynstr.lowerBound + Int(entry.value)
        // The old string's length in bytes, from the file: `old` holds U+FFFD (3 bytes) for
        // each byte that is not UTF-8, so its count could reach past the terminator.
        guard let end = bytes[start..<layout.dynstr.upperBound].firstIndex(of: 0) else {
            throw PackagingError(.damagedELF, "\(name): its search path has no terminator")
        }
        guard new.count <= end - start else {
            throw PackagingError(
                .input, "\(name): its search path '\(old)' is shorter than '\(value)'; link it with a longer -rpath")
        }
        var file = ByteReader(bytes)
        file.replace(at: start, with: new + [UInt8](repeating: 0, count: end - start - new.count))
        file.set(Tag.rpath, at: entry.offset, size: 8)
        let edited = try ELFFile(name: name, bytes: file.bytes)
        guard edited.searchPath?.value == value, edited.searchPath?.isRunPath == false, edited.sameLinkage(as: self)
        else {
            throw PackagingError(.damagedELF, "\(name): rewriting the search path changed more than the search path")
        }
        self = edited
    }

    /// Binds the symbols of `requirement` to `version` of the same library instead: the
    /// Vernaux entry gets the older version's name and hash. `version` must already be
    /// named in the dynamic string table (it is when another requirement uses it).
    public mutating func rebind(_ requirement: VersionRequirement, to version: SymbolVersion) throws(PackagingError) {
        guard let entry = layout.vernaux.first(where: { $0.index == requirement.index }) else {
            throw PackagingError(.damagedELF, "\(name): no version entry for \(requirement.version)")
        }
        let needle = [0] + Array(version.name.utf8) + [0]
        guard let found = bytes[layout.dynstr].firstRange(of: needle) else {
            throw PackagingError(
                .audit, "\(name): cannot bind \(requirement.symbols.joined(separator: ", ")) to \(version): the file never names that version")
        }
        var file = ByteReader(bytes)
        file.set(UInt64(Self.hash(version.name)), at: entry.offset, size: 4)
        file.set(UInt64(found.lowerBound + 1 - layout.dynstr.lowerBound), at: entry.offset + 8, size: 4)
        let edited = try ELFFile(name: name, bytes: file.bytes)
        let rebound = edited.requirements.first { $0.index == requirement.index }
        guard rebound?.version == version, rebound?.symbols == requirement.symbols, edited.needed == needed,
            edited.definitions == definitions
        else {
            throw PackagingError(.damagedELF, "\(name): rebinding \(requirement.version) changed more than that version")
        }
        self = edited
    }

    /// Removes the DT_NEEDED entry naming `library`: the entries after it move up one
    /// slot and the last slot becomes DT_NULL, so the dynamic section keeps its size.
    /// Only for a library this object takes no symbol version from.
    public mutating func dropNeeded(_ library: String) throws(PackagingError) {
        guard let position = layout.dynamic.firstIndex(where: { $0.tag == Tag.needed && neededName($0.value) == library }),
            !requirements.contains(where: { $0.library == library })
        else {
            throw PackagingError(.input, "\(name): no DT_NEEDED \(library) without symbol versions to drop")
        }
        var file = ByteReader(bytes)
        let entries = layout.dynamic
        for index in position..<entries.count - 1 {
            file.set(entries[index + 1].tag, at: entries[index].offset, size: 8)
            file.set(entries[index + 1].value, at: entries[index].offset + 8, size: 8)
        }
        if let last = entries.last {
            file.set(Tag.null, at: last.offset, size: 8)
            file.set(0, at: last.offset + 8, size: 8)
        }
        let edited = try ELFFile(name: name, bytes: file.bytes)
        var expected = needed
        expected.removeAll { $0 == library }
        guard edited.needed == expected, edited.soname == soname, edited.definitions == definitions,
            edited.exports == exports, edited.imports == imports, edited.searchPath?.value == searchPath?.value
        else {
            throw PackagingError(.damagedELF, "\(name): dropping NEEDED \(library) changed more than that entry")
        }
        self = edited
    }

    /// The string a DT_NEEDED value points at, if it is in the table.
    private func neededName(_ value: UInt64) -> String? {
        guard value < UInt64(layout.dynstr.count) else { return nil }
        return ByteReader(bytes).string(at: layout.dynstr.lowerBound + Int(value), end: layout.dynstr.upperBound)
    }

    /// True when both objects load the same way: same NEEDED, SONAME, requirements, exports.
    func sameLinkage(as other: ELFFile) -> Bool {
        needed == other.needed && soname == other.soname && definitions == other.definitions
            && requirements.map { "\($0.library) \($0.version) \($0.symbols)" }
                == other.requirements.map { "\($0.library) \($0.version) \($0.symbols)" }
    }

    /// The System V ELF hash of a name, as stored in Vernaux's `vna_hash`.
    static func hash(_ name: String) -> UInt32 {
        var hash: UInt32 = 0
        for byte in name.utf8 {
            hash = (hash << 4) &+ UInt32(byte)
            let high = hash & 0xf000_0000
            if high != 0 { hash ^= high >> 24 }
            hash &= ~high
        }
        return hash
    }
}
