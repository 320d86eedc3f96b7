/// A 64-bit little-endian ELF object (executable or shared library), read for what the
/// dynamic loader will ask of it: its architecture, the libraries it NEEDs, its search
/// path, and the symbol versions it requires and defines.
///
/// Reading costs one pass over the section headers and the dynamic tables; every offset
/// is checked, so a cut or damaged file gives a `PackagingError`, never a trap.
public struct ELFFile: Sendable {
    /// The name used in messages (usually the path inside the package).
    public let name: String
    /// The file's bytes, edited in place by `ELFFile+Edit`.
    public internal(set) var bytes: [UInt8]
    /// `e_machine`: the architecture.
    public let machine: ELFMachine
    /// DT_NEEDED, in order.
    public let needed: [String]
    /// DT_SONAME, if any.
    public let soname: String?
    /// DT_RUNPATH or DT_RPATH (RUNPATH wins, as in ld.so), and which of the two it is.
    public let searchPath: (value: String, isRunPath: Bool)?
    /// The symbol versions this object requires from other libraries.
    public let requirements: [VersionRequirement]
    /// The versions each exported symbol is defined with (several for compatibility
    /// symbols, such as libm's `hypotf` at GLIBC_2.2.5 and GLIBC_2.35).
    public let definitions: [String: [SymbolVersion]]
    /// The versions this object defines (its Verdef names, `GLIBC_2.2.5`…).
    public let versions: [SymbolVersion]
    /// The symbols this object defines and exports, versioned or not.
    public let exports: Set<String>
    /// The symbols this object takes from others (undefined in its dynamic symbol table).
    public let imports: Set<String>

    /// Where the edits of `ELFFile+Edit` write.
    let layout: Layout

    struct Layout: Sendable {
        /// Each dynamic entry: its tag, its value and the offset of the entry.
        var dynamic: [(tag: UInt64, value: UInt64, offset: Int)]
        /// The dynamic string table's file range.
        var dynstr: Range<Int>
        /// Each Vernaux entry's file offset, with the version index it stands for.
        var vernaux: [(offset: Int, index: UInt16)]
    }

    /// Dynamic tags used here.
    enum Tag {
        static let null: UInt64 = 0
        static let needed: UInt64 = 1
        static let soname: UInt64 = 14
        static let rpath: UInt64 = 15
        static let runpath: UInt64 = 29
    }

    /// Reads `bytes`; `name` is used in messages.
    public init(name: String, bytes: [UInt8]) throws(PackagingError) {
        self.name = name
        self.bytes = bytes
        let file = ByteReader(bytes)
        guard bytes.count >= 64, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw PackagingError(.notELF, "\(name): not an ELF file")
        }
        guard bytes[4] == 2, bytes[5] == 1 else {
            throw PackagingError(.notELF, "\(name): a 32-bit or big-endian ELF file; Lambda runs 64-bit x86_64 and arm64 only")
        }
        let damaged = PackagingError(.damagedELF, "\(name): the ELF headers are cut or damaged")
        guard let machine = file.u16(18), let sectionTable = file.index(40), let entrySize = file.u16(58),
            let sectionCount = file.u16(60)
        else { throw damaged }
        self.machine = ELFMachine(rawValue: machine)
        guard sectionTable > 0, entrySize == 64 else {
            throw PackagingError(.damagedELF, "\(name): no section headers; the audit needs them (was the file stripped with --strip-sections?)")
        }
        var sections: [Section] = []
        for number in 0..<Int(sectionCount) {
            let base = sectionTable + number * 64
            guard let type = file.u32(base + 4), let offset = file.u64(base + 24), let size = file.u64(base + 32),
                let link = file.u32(base + 40), let info = file.u32(base + 44)
            else { throw damaged }
            // SHT_NOBITS (.bss) occupies no file bytes, whatever its size.
            let occupied = type == 8 ? 0 : size
            guard offset <= UInt64(bytes.count), occupied <= UInt64(bytes.count) - offset else { throw damaged }
            let start = Int(offset)
            sections.append(Section(type: type, range: start..<start + Int(occupied), link: Int(link), info: Int(info)))
        }
        func strings(of section: Section) throws(PackagingError) -> Range<Int> {
            guard section.link < sections.count else { throw damaged }
            return sections[section.link].range
        }

        // The dynamic section: NEEDED, SONAME, RUNPATH/RPATH.
        var dynamic: [(tag: UInt64, value: UInt64, offset: Int)] = []
        var dynstr = 0..<0
        if let section = sections.first(where: { $0.type == 6 }) {
            dynstr = try strings(of: section)
            var offset = section.range.lowerBound
            while offset + 16 <= section.range.upperBound {
                guard let tag = file.u64(offset), let value = file.u64(offset + 8) else { throw damaged }
                if tag == Tag.null { break }
                dynamic.append((tag, value, offset))
                offset += 16
            }
        }
        func text(_ value: UInt64, in table: Range<Int>) throws(PackagingError) -> String {
            guard value < UInt64(table.count), let string = file.string(at: table.lowerBound + Int(value), end: table.upperBound)
            else { throw damaged }
            return string
        }
        var needed: [String] = []
        var soname: String?
        var runpath: String?
        var rpath: String?
        for entry in dynamic {
            switch entry.tag {
            case Tag.needed: needed.append(try text(entry.value, in: dynstr))
            case Tag.soname: soname = try text(entry.value, in: dynstr)
            case Tag.runpath: runpath = try text(entry.value, in: dynstr)
            case Tag.rpath: rpath = try text(entry.value, in: dynstr)
            default: break
            }
        }
        self.needed = needed
        self.soname = soname
        searchPath = runpath.map { ($0, true) } ?? rpath.map { ($0, false) }

        // Version definitions (SHT_GNU_verdef): index -> name.
        var defined: [UInt16: SymbolVersion] = [:]
        if let section = sections.first(where: { $0.type == 0x6fff_fffd }) {
            let table = try strings(of: section)
            var offset = section.range.lowerBound
            for _ in 0..<section.info {
                guard let index = file.u16(offset + 4), let aux = file.u32(offset + 12), let next = file.u32(offset + 16),
                    let nameOffset = file.u32(offset + Int(aux))
                else { throw damaged }
                defined[index] = SymbolVersion(try text(UInt64(nameOffset), in: table))
                if next == 0 { break }
                offset += Int(next)
            }
        }
        // Version requirements (SHT_GNU_verneed): index -> (library, version).
        var required: [UInt16: (library: String, version: SymbolVersion, weak: Bool)] = [:]
        var vernaux: [(offset: Int, index: UInt16)] = []
        if let section = sections.first(where: { $0.type == 0x6fff_fffe }) {
            let table = try strings(of: section)
            var offset = section.range.lowerBound
            for _ in 0..<section.info {
                guard let count = file.u16(offset + 2), let fileName = file.u32(offset + 4),
                    let aux = file.u32(offset + 8), let next = file.u32(offset + 12)
                else { throw damaged }
                let library = try text(UInt64(fileName), in: table)
                var auxOffset = offset + Int(aux)
                for _ in 0..<count {
                    guard let flags = file.u16(auxOffset + 4), let index = file.u16(auxOffset + 6),
                        let versionName = file.u32(auxOffset + 8), let auxNext = file.u32(auxOffset + 12)
                    else { throw damaged }
                    required[index] = (library, SymbolVersion(try text(UInt64(versionName), in: table)), flags & 2 != 0)
                    vernaux.append((auxOffset, index))
                    if auxNext == 0 { break }
                    auxOffset += Int(auxNext)
                }
                if next == 0 { break }
                offset += Int(next)
            }
        }

        // Symbols (SHT_DYNSYM) with their versions (SHT_GNU_versym).
        var symbolsByRequirement: [UInt16: [String]] = [:]
        var definitions: [String: [SymbolVersion]] = [:]
        var exports: Set<String> = []
        var imports: Set<String> = []
        if let symbols = sections.first(where: { $0.type == 11 }) {
            let table = try strings(of: symbols)
            let versions = sections.first(where: { $0.type == 0x6fff_ffff })
            let count = symbols.range.count / 24
            for number in 1..<max(count, 1) {
                let entry = symbols.range.lowerBound + number * 24
                guard let nameOffset = file.u32(entry), let sectionIndex = file.u16(entry + 6) else { throw damaged }
                // Without SHT_GNU_versym every symbol is unversioned (index 1, global).
                var versionIndex: UInt16 = 1
                if let versions {
                    guard let value = file.u16(versions.range.lowerBound + number * 2),
                        versions.range.lowerBound + number * 2 + 2 <= versions.range.upperBound
                    else { throw damaged }
                    versionIndex = value
                }
                let index = versionIndex & 0x7fff
                if nameOffset != 0 {
                    let symbol = try text(UInt64(nameOffset), in: table)
                    if sectionIndex != 0 { exports.insert(symbol) } else { imports.insert(symbol) }
                }
                guard index >= 2 else { continue }
                let symbol = try text(UInt64(nameOffset), in: table)
                if sectionIndex == 0 {
                    symbolsByRequirement[index, default: []].append(symbol)
                } else if let version = defined[index] {
                    definitions[symbol, default: []].append(version)
                }
            }
        }
        self.definitions = definitions
        self.exports = exports
        self.imports = imports
        versions = defined.keys.sorted().compactMap { defined[$0] }
        requirements = required.keys.sorted().compactMap { index in
            guard let requirement = required[index] else { return nil }
            return VersionRequirement(
                library: requirement.library, version: requirement.version, index: index,
                symbols: symbolsByRequirement[index, default: []].sorted(), isWeak: requirement.weak)
        }
        layout = Layout(dynamic: dynamic, dynstr: dynstr, vernaux: vernaux)
    }

    private struct Section {
        var type: UInt32
        var range: Range<Int>
        var link: Int
        var info: Int
    }
}

/// One symbol version an ELF object requires of a library, and the symbols that need it.
public struct VersionRequirement: Sendable {
    /// The library (`libm.so.6`).
    public var library: String
    /// The version (`GLIBC_2.35`).
    public var version: SymbolVersion
    /// The version index that the object's symbols refer to.
    public var index: UInt16
    /// The undefined symbols bound to this version (`hypotf`).
    public var symbols: [String]
    /// A weak requirement does not stop loading when the version is missing.
    public var isWeak: Bool
}

/// An ELF `e_machine` value, named for the two architectures Lambda runs.
public struct ELFMachine: Equatable, CustomStringConvertible, Sendable {
    /// The raw `e_machine`.
    public let rawValue: UInt16

    /// Wraps a raw value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// x86-64 (`EM_X86_64`).
    public static let x86_64 = ELFMachine(rawValue: 62)
    /// AArch64 (`EM_AARCH64`).
    public static let arm64 = ELFMachine(rawValue: 183)

    /// Lambda's name for the architecture (`x86_64`, `arm64`), or `machine N`.
    public var description: String {
        switch self {
        case .x86_64: "x86_64"
        case .arm64: "arm64"
        default: "machine \(rawValue)"
        }
    }
}
