import CFFI

/// libffi, loaded with `dlopen` at first use (see `cffi.h`), so that a host running a
/// plugin never maps it: about 18,000 instructions and a few system calls of every start.
public enum FFILibrary {
    /// Loads libffi if it is not loaded yet; nil, or why it cannot be loaded.
    public static func load() -> String? {
        var error = [CChar](repeating: 0, count: 256)
        guard cffi_load(&error, error.count) != 0 else { return nil }
        return String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
