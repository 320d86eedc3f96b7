import CLambdaSystem

/// A shared object opened with `dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)`.
///
/// NOW makes a missing symbol fail here, at INIT, where it can be reported; LOCAL keeps
/// two plugins from seeing each other's symbols; NODELETE keeps the image mapped for the
/// life of the process, because a Swift image can never be unloaded safely. There is
/// therefore no close.
public struct SharedLibrary: @unchecked Sendable {
    /// The path it was opened from.
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// Opens the library at `path`.
    ///
    /// - Throws: ``PluginLoadError`` `.loadFailed` with `dlerror()`'s text.
    public init(path: String) throws(PluginLoadError) {
        self.path = path
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLoadError(.loadFailed, "cannot load \(path): \(reason)")
        }
        self.handle = handle
    }

    /// The address of an exported symbol (the library's or a dependency's), or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        return dlsym(handle, name)
    }

    /// The address of a function this library itself defines, to be called as `role`
    /// ("the handler"). Nil when nothing defines `name`. Throws `code` when calling it
    /// would not run the library's code: `name` is data or a linker symbol (`_end`,
    /// `__bss_start`: STT_NOTYPE), a function outside every executable segment, or a
    /// symbol of a library this one depends on. Costs one dlsym and one hash lookup.
    public func function(_ name: String, as role: String, code: PluginLoadError.Code) throws(PluginLoadError)
        -> UnsafeMutableRawPointer?
    {
        var found = lh_symbol()
        let kind = lh_find_function(UnsafeMutableRawPointer(handle), name, &found)
        let refusal: String
        switch lh_symbol_kind(rawValue: UInt32(bitPattern: kind)) {
        case LH_SYMBOL_FUNCTION: return found.address
        case LH_SYMBOL_ABSENT: return nil
        case LH_SYMBOL_NOT_FUNCTION:
            refusal = "defines '\(name)' as \(Self.describe(elfType: found.elf_type)), not as a function"
        case LH_SYMBOL_NOT_IN_CODE:
            refusal = "defines '\(name)' as a function, but at an address outside its executable segments"
        case LH_SYMBOL_ELSEWHERE:
            let owner = found.defined_in.map { String(cString: $0) } ?? "another library"
            refusal = "does not define '\(name)' itself: it comes from \(owner), a library it depends on"
        default:
            refusal = "has no dynamic symbol table this host can read, so '\(name)' cannot be checked to be a function"
        }
        throw PluginLoadError(code, "\(path) \(refusal), so it cannot be \(role)")
    }

    /// Checks that `address`, a function pointer the library handed out (its descriptor's
    /// handler), lies in this library's own code, so that calling it runs the library's
    /// code. Throws `code` naming `field` when it lies in another library, in none, or in
    /// this one's data. Costs one dladdr1 and one walk of the loaded objects.
    public func checkOwnFunction(_ address: UnsafeRawPointer, field: String, as role: String, code: PluginLoadError.Code)
        throws(PluginLoadError)
    {
        var found = lh_symbol()
        let kind = lh_function_in_library(UnsafeMutableRawPointer(handle), address, &found)
        let refusal: String
        switch lh_symbol_kind(rawValue: UInt32(bitPattern: kind)) {
        case LH_SYMBOL_FUNCTION: return
        case LH_SYMBOL_NOT_IN_CODE:
            refusal = "points into the library's data, outside its executable segments"
        case LH_SYMBOL_ELSEWHERE:
            refusal = found.defined_in.map { "points into \(String(cString: $0)), not into this library" }
                ?? "points into no loaded library"
        default:
            refusal = "cannot be checked: the library's link map cannot be read"
        }
        throw PluginLoadError(
            code, "\(path): \(field) \(refusal), so it cannot be \(role); set it to a function the plugin defines")
    }

    /// The names of every symbol this library defines and exports (its `.dynsym`
    /// definitions); empty when its tables cannot be read. One pass over the table: for
    /// error paths.
    public func definedSymbols() -> [String] {
        final class Names { var all: [String] = [] }
        let names = Names()
        _ = lh_each_defined_symbol(
            UnsafeMutableRawPointer(handle),
            { name, context in
                guard let name, let context else { return }
                Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().all.append(String(cString: name))
            }, Unmanaged.passUnretained(names).toOpaque())
        return names.all
    }

    /// An ELF symbol type in words, for messages.
    static func describe(elfType: Int32) -> String {
        switch elfType {
        case 0: "a symbol without a type (STT_NOTYPE, such as the linker's _end, _edata and __bss_start)"
        case 1: "data (STT_OBJECT)"
        case 3: "a section (STT_SECTION)"
        case 5: "common data (STT_COMMON)"
        case 6: "thread-local data (STT_TLS)"
        default: "a symbol of ELF type \(elfType)"
        }
    }
}
