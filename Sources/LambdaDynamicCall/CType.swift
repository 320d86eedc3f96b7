/// A C type a dynamic handler's signature may name.
///
/// | name | C type | in JSON |
/// | --- | --- | --- |
/// | `i8` `i16` `i32` `i64` | `int8_t` … `int64_t` | an integer in range |
/// | `u8` `u16` `u32` `u64` | `uint8_t` … `uint64_t` | a non-negative integer in range |
/// | `f32` `f64` | `float`, `double` | a number |
/// | `bool` | `_Bool` | `true` or `false` |
/// | `str` | `const char *`, NUL-terminated UTF-8 | a string (a result is copied; the function keeps it) |
/// | `str_free` | `char *` from `malloc` (results only) | a string, copied, then passed to `free()` |
/// | `bytes` | `const uint8_t *` then `size_t` (two C arguments) | a base64 string |
/// | `void` | nothing (results only) | `null` |
public enum CType: String, Sendable, CaseIterable {
    case i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, str, bytes, void
    /// A string result the host frees with `free()` once it has copied it.
    case strFree = "str_free"

    /// Whether the type may be a parameter (everything but `void` and `str_free`).
    public var isParameter: Bool { self != .void && self != .strFree }

    /// Whether the type may be a result (`bytes` may not: its length has no way back).
    public var isResult: Bool { self != .bytes }

    /// The range an integer type holds, as Int64 bounds (u64's upper bound is handled apart).
    var signedRange: ClosedRange<Int64>? {
        switch self {
        case .i8: Int64(Int8.min)...Int64(Int8.max)
        case .i16: Int64(Int16.min)...Int64(Int16.max)
        case .i32: Int64(Int32.min)...Int64(Int32.max)
        case .i64: Int64.min...Int64.max
        case .u8: 0...Int64(UInt8.max)
        case .u16: 0...Int64(UInt16.max)
        case .u32: 0...Int64(UInt32.max)
        default: nil
        }
    }
}
