import CLambdaPlugin

/// Reads the host's `lambda_host_api` field by field, so that a plugin built with this SDK
/// runs on a host built with an older header: such a host's table is shorter, and a field
/// past its `struct_size` is absent rather than read out of bounds. The Swift form of the
/// C header's `LAMBDA_HOST_HAS`.
///
/// Never `host.pointee`: that copies the whole struct as this SDK knows it, reading past
/// the end of an older host's table.
///
/// Cost: one offset lookup and two loads per field read.
package struct HostTable {
    package let host: UnsafePointer<lambda_host_api>

    package init(host: UnsafePointer<lambda_host_api>) {
        self.host = host
    }

    /// The host's ABI minor version (`abi_minor`): in the first 8 bytes, which every
    /// host's table has. A field's presence says whether a function exists; the minor says
    /// what a host does with fields of a plugin's own structs (a host before 1.3 ignores a
    /// request's `aws_service` and would send the request unsigned).
    package var abiMinor: UInt16 {
        UnsafeRawPointer(host).load(fromByteOffset: MemoryLayout<lambda_host_api>.offset(of: \.abi_minor) ?? 6, as: UInt16.self)
    }

    /// The function in `field`, or nil when the host's table ends before it (or holds NULL).
    package func function<Function>(_ field: KeyPath<lambda_host_api, Function?>) -> Function? {
        guard let offset = MemoryLayout<lambda_host_api>.offset(of: field),
            Int(UnsafeRawPointer(host).load(as: UInt32.self)) >= offset + MemoryLayout<Function?>.size
        else { return nil }
        return UnsafeRawPointer(host).load(fromByteOffset: offset, as: Function?.self)
    }
}
