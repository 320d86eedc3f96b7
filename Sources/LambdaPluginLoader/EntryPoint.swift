import CLambdaPlugin

/// The entry point every plugin exports, `lambda_plugin_v1`, and what to say when a
/// library lacks it. The packaging tools use the same rules on ELF files they cannot
/// load (another architecture), so that both give the same verdict and message.
public enum EntryPoint {
    /// `LAMBDA_PLUGIN_ENTRY_SYMBOL`.
    public static let symbol = LAMBDA_PLUGIN_ENTRY_SYMBOL

    /// The C++-mangled names among `names` that carry the C name `name` (the entry
    /// point's by default): what a C++ compiler makes of it without C linkage, at
    /// namespace scope (`_Z16lambda_plugin_v1v`) or inside a namespace
    /// (`_ZN3foo16lambda_plugin_v1Ev`). The Itanium ABI writes an identifier as its
    /// length, then its text, hence the 16.
    public static func mangledNames(of name: String = symbol, in names: some Sequence<String>) -> [String] {
        let identifier = Array("\(name.utf8.count)\(name)".utf8)
        return names.filter { $0.hasPrefix("_Z") && contains(Array($0.utf8), identifier) }.sorted()
    }

    /// Whether `bytes` holds `part` somewhere (the host has no StringProcessing).
    private static func contains(_ bytes: [UInt8], _ part: [UInt8]) -> Bool {
        guard bytes.count >= part.count else { return false }
        return (0...(bytes.count - part.count)).contains { bytes[$0..<$0 + part.count].elementsEqual(part) }
    }

    /// The error for a library that does not export the entry point: C++ names that
    /// carry it (`mangled`) mean it was compiled without C linkage, which gets its own
    /// advice; without them the library is not a plugin at all.
    public static func missing(path: String, mangled: [String]) -> PluginLoadError {
        if let first = mangled.first {
            return PluginLoadError(
                .missingEntryPoint,
                "\(path) does not export \(symbol)() under its C name, but exports the C++-mangled \(first): "
                    + "compile the entry point with C linkage (extern \"C\"); LAMBDA_PLUGIN_DEFINE from "
                    + "lambda_plugin.h does this in C++ too, and so does declaring it inside extern \"C\" { }")
        }
        return PluginLoadError(
            .missingEntryPoint,
            "\(path) does not export \(symbol)(), so it is not a lambda-host plugin; "
                + "C: add LAMBDA_PLUGIN_DEFINE(...) from lambda_plugin.h; Swift: add @c public func lambda_plugin_v1() "
                + "returning LambdaPluginDescriptor.register(name:version:); for a plain C function, give its "
                + "signature in _HANDLER (lib.so:f(x:f64)->f64), export it as the string lambda_signature_<function>, "
                + "or write it in <library>.signatures beside the library")
    }
}
