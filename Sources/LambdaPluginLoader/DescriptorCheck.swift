import CLambdaPlugin

/// The checks a plugin's descriptor must pass before anything else of it runs; each
/// failure names the field that differs.
enum DescriptorCheck {
    /// The size of a v1.0 descriptor: the least a plugin may declare.
    static let minimumDescriptorSize = 56

    /// Finds `lambda_plugin_v1` and calls it.
    static func entryDescriptor(of library: SharedLibrary) throws(PluginLoadError) -> UnsafePointer<lambda_plugin_descriptor> {
        let entryName = LAMBDA_PLUGIN_ENTRY_SYMBOL
        guard let symbol = library.symbol(entryName) else {
            throw PluginLoadError(
                .missingEntryPoint,
                "\(library.path) does not export \(entryName)(), so it is not a lambda-host plugin; "
                    + "C: add LAMBDA_PLUGIN_DEFINE(...) from lambda_plugin.h; Swift: add @c public func lambda_plugin_v1() "
                    + "returning LambdaPluginDescriptor.register(name:version:); for a plain C function, give its "
                    + "signature in _HANDLER (lib.so:f(x:f64)->f64), export it as the string lambda_signature_<function>, "
                    + "or write it in <library>.signatures beside the library")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<lambda_plugin_descriptor>?
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let descriptor = entry() else {
            throw PluginLoadError(.abiMismatch, "\(library.path): \(entryName)() returned NULL instead of a descriptor")
        }
        return descriptor
    }

    /// Checks magic, ABI version, size and toolchain.
    static func verify(_ descriptor: UnsafePointer<lambda_plugin_descriptor>, path: String) throws(PluginLoadError) {
        let d = descriptor.pointee
        func mismatch(_ text: String) -> PluginLoadError {
            PluginLoadError(.abiMismatch, "\(path): \(text)")
        }
        guard d.magic == LAMBDA_PLUGIN_MAGIC else {
            throw mismatch(
                "descriptor field 'magic' is 0x\(String(d.magic, radix: 16)), expected 0x\(String(LAMBDA_PLUGIN_MAGIC, radix: 16)); the entry point does not return a lambda_plugin_descriptor"
            )
        }
        guard Int32(d.abi_major) == LAMBDA_PLUGIN_ABI_MAJOR else {
            throw mismatch(
                "descriptor field 'abi_major' is \(d.abi_major), this host speaks ABI \(LAMBDA_PLUGIN_ABI_MAJOR); rebuild the plugin against this layer's lambda_plugin.h"
            )
        }
        guard Int32(d.abi_minor) <= LAMBDA_PLUGIN_ABI_MINOR else {
            throw mismatch(
                "descriptor field 'abi_minor' is \(d.abi_minor), newer than this host's ABI \(LAMBDA_PLUGIN_ABI_MAJOR).\(LAMBDA_PLUGIN_ABI_MINOR); use a newer lambda-host layer"
            )
        }
        guard Int(d.struct_size) >= minimumDescriptorSize else {
            throw mismatch(
                "descriptor field 'struct_size' is \(d.struct_size), smaller than a v1.0 descriptor (\(minimumDescriptorSize) bytes)"
            )
        }
        guard d.name != nil else {
            throw mismatch("descriptor field 'name' is NULL; give the plugin a name")
        }
        if let toolchain = d.swift_toolchain {
            let plugin = String(cString: toolchain)
            let host = String(cString: lambda_plugin_swift_toolchain())
            guard plugin == host else {
                throw mismatch(
                    "descriptor field 'swift_toolchain' is \(plugin), but this host was built with Swift \(host); Swift has no stable ABI on Linux, so build the plugin with Swift \(host)"
                )
            }
        }
    }
}
