/// A parsed `_HANDLER` value: which library to load and which symbol to call.
///
/// Accepted forms (Lambda's Handler field allows at most 128 characters, no white space):
///
/// | `_HANDLER` | library files tried | symbol |
/// | --- | --- | --- |
/// | `libhello.so` | `libhello.so` | the descriptor's `handler` (ABI 1.4), else `handler` |
/// | `libhello.so:greet` | `libhello.so` | `greet` |
/// | `hello.greet` (AWS habit) | `libhello.so`, `hello.so` | `greet` |
/// | `hello` | `libhello.so`, `hello.so` | the descriptor's `handler`, else `handler` |
/// | `lib/libhello.so:greet` | `lib/libhello.so` (below a root) | `greet` |
///
/// Parsing costs a few small allocations, once, at INIT.
public struct HandlerSpec: Equatable, Sendable {
    /// `_HANDLER` as it was given.
    public var text: String
    /// The file names (or relative or absolute paths) to try, in order.
    public var candidates: [String]
    /// The handler symbol.
    public var symbol: String
    /// Whether `_HANDLER` names the library alone, so that ``symbol`` is
    /// ``defaultSymbol`` by default rather than by choice: the host then calls the
    /// descriptor's `handler` when the plugin sets one (ABI 1.4). An explicit symbol, even
    /// `lib.so:handler`, always wins.
    public var symbolIsDefault: Bool
    /// For a plain C function called through libffi, its signature as written after the
    /// library (`cbrt(f64)->f64`), and where it starts in `_HANDLER`; nil for a plugin.
    public var signature: (text: String, offset: Int)?

    public static func == (a: HandlerSpec, b: HandlerSpec) -> Bool {
        a.text == b.text && a.candidates == b.candidates && a.symbol == b.symbol && a.symbolIsDefault == b.symbolIsDefault
            && a.signature?.text == b.signature?.text
    }

    /// Lambda's limit on the Handler field.
    public static let maxLength = 128

    /// `_HANDLER` as its bytes are: the text when it is UTF-8.
    ///
    /// - Throws: ``PluginLoadError`` `.malformedHandler` when it is not: Swift would repair
    ///   the bytes into U+FFFD, and loading the repaired name would open another file than
    ///   the one the bytes name.
    public static func text(of bytes: UnsafePointer<CChar>) throws(PluginLoadError) -> String {
        if let text = String(validatingCString: bytes) { return text }
        throw PluginLoadError(
            .malformedHandler,
            "_HANDLER is not valid UTF-8 (shown here with U+FFFD for each byte that is not: "
                + "'\(shown(String(cString: bytes)))'); name the library and symbol in UTF-8 text")
    }

    /// Parses a `_HANDLER` value.
    ///
    /// - Throws: ``PluginLoadError`` with code `.malformedHandler` or `.pathEscapesRoot`.
    public init(_ text: String) throws(PluginLoadError) {
        self.text = text
        let example = "set it to libhello.so, libhello.so:handler or hello.handler"
        guard !text.isEmpty else {
            throw PluginLoadError(.malformedHandler, "_HANDLER is empty; \(example)")
        }
        guard text.utf8.count <= Self.maxLength else {
            throw PluginLoadError(
                .malformedHandler, "_HANDLER is \(text.utf8.count) bytes long; Lambda allows at most 128")
        }
        if let bad = text.utf8.first(where: { $0 <= 32 || $0 == 127 }) {
            throw PluginLoadError(
                .malformedHandler, "_HANDLER '\(Self.shown(text))' contains a space or control character (byte \(bad)); \(example)")
        }

        // The text is split at its bytes ':', '.', '/' and '(' (UTF-8 view), never at
        // Characters: a combining mark after '/' makes one Character "/́" that is not "/",
        // and the short form would then name a different file than the bytes do.
        let utf8 = text.utf8
        var library: String
        var symbol: String
        var expand: Bool
        var defaulted = false
        if let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
            library = String(text[..<colon])
            symbol = String(text[utf8.index(after: colon)...])
            if symbol.isEmpty { (symbol, defaulted) = (Self.defaultSymbol, true) }
            expand = false
            if let parenthesis = symbol.utf8.firstIndex(of: UInt8(ascii: "(")) {
                // A plain C function with its signature: libm.so.6:cbrt(f64)->f64
                signature = (symbol, text[..<colon].count + 1)
                symbol = String(symbol[..<parenthesis])
            }
        } else if Self.isLibraryFileName(text) {
            library = text
            symbol = Self.defaultSymbol
            defaulted = true
            expand = false
        } else if let dot = utf8.lastIndex(of: UInt8(ascii: ".")), utf8[..<dot].last != UInt8(ascii: "/") {
            library = String(text[..<dot])
            symbol = String(text[utf8.index(after: dot)...])
            expand = !Self.isLibraryFileName(library)
        } else {
            library = text
            symbol = Self.defaultSymbol
            defaulted = true
            expand = true
        }
        guard !library.isEmpty else {
            throw PluginLoadError(.malformedHandler, "_HANDLER '\(text)' names no library; \(example)")
        }
        // A signature's own parser names a bad symbol, with its position.
        guard signature != nil || Self.isIdentifier(symbol) else {
            throw PluginLoadError(
                .malformedHandler,
                "_HANDLER '\(text)' names the symbol '\(symbol)', which is not a C identifier; \(example)")
        }
        if library.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .contains(where: { $0.elementsEqual("..".utf8) })
        {
            throw PluginLoadError(
                .pathEscapesRoot,
                "_HANDLER '\(text)' uses '..'; a handler library must stay inside LAMBDA_TASK_ROOT or the layer (/opt)")
        }
        if library.utf8.last == UInt8(ascii: "/") {
            throw PluginLoadError(.malformedHandler, "_HANDLER '\(text)' names a folder, not a library; \(example)")
        }
        self.symbol = symbol
        symbolIsDefault = defaulted
        if expand {
            // hello -> libhello.so, hello.so (in the same folder when a path is given)
            let slash = library.utf8.lastIndex(of: UInt8(ascii: "/"))
            let nameStart = slash.map { library.utf8.index(after: $0) } ?? library.startIndex
            let folder = String(library[..<nameStart])
            let name = String(library[nameStart...])
            candidates = name.utf8.starts(with: "lib".utf8)
                ? ["\(folder)\(name).so"]
                : ["\(folder)lib\(name).so", "\(folder)\(name).so"]
        } else {
            candidates = [library]
        }
    }

    /// The symbol used when `_HANDLER` names a library only.
    public static let defaultSymbol = "handler"

    /// Whether a name looks like a shared object: `x.so`, or `x.so.1.2` with a version.
    public static func isLibraryFileName(_ name: String) -> Bool {
        if name.utf8.suffix(3).elementsEqual(".so".utf8) { return true }
        // Walk back over the version digits and dots, then expect ".so".
        let bytes = Array(name.utf8)
        var i = bytes.count
        while i > 0 && ((48...57).contains(bytes[i - 1]) || bytes[i - 1] == 46) { i -= 1 }
        guard i < bytes.count, i >= 3 else { return false }
        // bytes[i...] is ".6" or ".6.1"; the three bytes before it must be ".so".
        return bytes[i] == 46 && bytes[i - 3] == 46 && bytes[i - 2] == 115 && bytes[i - 1] == 111
    }

    /// `text` for a message: control characters as `\xNN`, so that they never reach a log
    /// raw, and no more than ``maxLength`` characters.
    static func shown(_ text: String) -> String {
        var shown = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == maxLength { return shown + "…" }
            if scalar.value < 32 || scalar.value == 127 {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                shown += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Whether a string is a C identifier.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(48...57).contains(first) else { return false }
        return text.utf8.allSatisfy { c in
            (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) || c == 95
        }
    }
}
