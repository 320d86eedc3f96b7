import CLambdaPlugin

/// The checks a plugin's descriptor must pass before anything else of it runs; each
/// failure names the field that differs.
enum DescriptorCheck {
    /// The size of a v1.0 descriptor: the least a plugin may declare.
    static let minimumDescriptorSize = 56

    /// Finds `lambda_plugin_v1` and calls it. Nil when the library has no entry point at
    /// all, under its C name or a C++ one: a plain C library, which may still serve a
    /// dynamic handler.
    ///
    /// - Throws: ``PluginLoadError`` `.missingEntryPoint` when the entry point is data, not
    ///   the library's own, or C++-mangled; `.abiMismatch` when it returns NULL.
    static func entryDescriptor(of library: SharedLibrary) throws(PluginLoadError)
        -> UnsafePointer<lambda_plugin_descriptor>?
    {
        let entryName = EntryPoint.symbol
        guard let symbol = try library.function(entryName, as: "the plugin's entry point", code: .missingEntryPoint) else {
            let mangled = EntryPoint.mangledNames(in: library.definedSymbols())
            guard mangled.isEmpty else { throw EntryPoint.missing(path: library.path, mangled: mangled) }
            return nil
        }
        typealias Entry = @convention(c) () -> UnsafePointer<lambda_plugin_descriptor>?
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let descriptor = entry() else {
            throw PluginLoadError(.abiMismatch, "\(library.path): \(entryName)() returned NULL instead of a descriptor")
        }
        return descriptor
    }

    /// Checks magic, ABI version, size, name and toolchain, and returns the descriptor as
    /// this host knows it: the plugin's `struct_size` bytes copied over a zeroed one, so
    /// that a field an older plugin lacks (the 1.4 `handler` of a 1.0 plugin) reads as
    /// zero, never as whatever follows the plugin's shorter struct in its memory. The
    /// first fields are read one by one until `struct_size` says how much there is.
    static func verify(_ descriptor: UnsafePointer<lambda_plugin_descriptor>, path: String) throws(PluginLoadError)
        -> lambda_plugin_descriptor
    {
        func field<T>(_ key: KeyPath<lambda_plugin_descriptor, T>) -> T {
            let offset = MemoryLayout<lambda_plugin_descriptor>.offset(of: key) ?? 0
            return UnsafeRawPointer(descriptor).load(fromByteOffset: offset, as: T.self)
        }
        func mismatch(_ text: String) -> PluginLoadError {
            PluginLoadError(.abiMismatch, "\(path): \(text)")
        }
        let magic = field(\.magic)
        guard magic == LAMBDA_PLUGIN_MAGIC else {
            throw mismatch(
                "descriptor field 'magic' is 0x\(String(magic, radix: 16)), expected 0x\(String(LAMBDA_PLUGIN_MAGIC, radix: 16)); the entry point does not return a lambda_plugin_descriptor"
            )
        }
        var d = lambda_plugin_descriptor()
        (d.abi_major, d.abi_minor, d.struct_size) = (field(\.abi_major), field(\.abi_minor), field(\.struct_size))
        guard Int32(d.abi_major) == LAMBDA_PLUGIN_ABI_MAJOR else {
            throw mismatch(
                "descriptor field 'abi_major' is \(d.abi_major), this host speaks ABI \(LAMBDA_PLUGIN_ABI_MAJOR); rebuild the plugin against this layer's lambda_plugin.h"
            )
        }
        guard Int32(d.abi_minor) <= LAMBDA_PLUGIN_ABI_MINOR else {
            throw mismatch(
                "descriptor field 'abi_minor' is \(d.abi_minor): the plugin needs a host of ABI \(d.abi_major).\(d.abi_minor) or later, and this host speaks ABI \(LAMBDA_PLUGIN_ABI_MAJOR).\(LAMBDA_PLUGIN_ABI_MINOR); use a newer lambda-host layer"
            )
        }
        guard Int(d.struct_size) >= minimumDescriptorSize else {
            throw mismatch(
                "descriptor field 'struct_size' is \(d.struct_size), smaller than a v1.0 descriptor (\(minimumDescriptorSize) bytes)"
            )
        }
        guard Int(d.struct_size) <= MemoryLayout<lambda_plugin_descriptor>.size else {
            throw mismatch(
                "descriptor field 'struct_size' is \(d.struct_size), larger than this host's ABI \(LAMBDA_PLUGIN_ABI_MAJOR).\(LAMBDA_PLUGIN_ABI_MINOR) descriptor (\(MemoryLayout<lambda_plugin_descriptor>.size) bytes) although 'abi_minor' is \(d.abi_minor); the descriptor is damaged or was not built from lambda_plugin.h"
            )
        }
        let size = Int(d.struct_size)
        d = lambda_plugin_descriptor()
        withUnsafeMutableBytes(of: &d) { copy in
            copy.copyMemory(from: UnsafeRawBufferPointer(start: descriptor, count: size))
        }
        guard let name = d.name else {
            throw mismatch("descriptor field 'name' is NULL; give the plugin a name")
        }
        guard String(validatingCString: name) != nil else {
            throw mismatch("descriptor field 'name' is not valid UTF-8; give the plugin a UTF-8 name")
        }
        if let version = d.version, String(validatingCString: version) == nil {
            throw mismatch("descriptor field 'version' is not valid UTF-8; give the plugin a UTF-8 version, or NULL")
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
        return d
    }
}
