/// A C function's signature, as written in `_HANDLER` after the library:
/// `distance(lat1:f64,lon1:f64,lat2:f64,lon2:f64)->f64`, or without names,
/// `cbrt(f64)->f64`.
///
/// Grammar (no white space, as Lambda's Handler field allows none):
///
/// ```
/// function  := symbol "(" [ parameter { "," parameter } ] ")" "->" result
/// parameter := [ name ":" ] type
/// symbol, name := C identifier
/// type      := i8 | i16 | i32 | i64 | u8 | u16 | u32 | u64 | f32 | f64 | bool | str | bytes
/// result    := type except bytes | str_free | void
/// ```
public struct Signature: Equatable, Sendable {
    /// One parameter: its name (nil when given by position only) and type.
    public struct Parameter: Equatable, Sendable {
        /// The name an event object uses for it, or nil.
        public var name: String?
        /// Its C type.
        public var type: CType
    }

    /// The function's symbol.
    public var symbol: String
    /// The parameters, in order.
    public var parameters: [Parameter]
    /// The result type.
    public var result: CType

    /// The signature written back in the grammar's form.
    public var text: String {
        let list = parameters.map { ($0.name.map { $0 + ":" } ?? "") + $0.type.rawValue }.joined(separator: ",")
        return "\(symbol)(\(list))->\(result.rawValue)"
    }
}

/// A signature that does not follow the grammar: where, and what was expected.
public struct SignatureError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The signature as given.
    public var text: String
    /// The offset (in characters, from 0) of the fault.
    public var position: Int
    /// What was wrong there.
    public var reason: String

    /// The reason, the signature, and a caret under the fault.
    public var description: String {
        "\(reason) at position \(position) of the signature:\n  \(text)\n  \(String(repeating: " ", count: position))^"
    }
}
