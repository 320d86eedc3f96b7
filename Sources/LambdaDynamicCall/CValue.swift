/// A value crossing into or out of a C function called through libffi.
public enum CValue: Equatable, Sendable {
    /// Any signed integer type (narrowed to the parameter's width when passed).
    case signed(Int64)
    /// Any unsigned integer type.
    case unsigned(UInt64)
    /// `f32`.
    case float(Float)
    /// `f64`.
    case double(Double)
    /// `bool`.
    case bool(Bool)
    /// `str`: a copy is passed NUL-terminated; nil passes NULL.
    case string(String?)
    /// `bytes`: passed as a pointer to a copy and its length.
    case bytes([UInt8])
    /// The result of a `void` function.
    case void
}
