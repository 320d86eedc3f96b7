/// An error type as the emulator passes it on to an invoker, in a header or trailer.
///
/// A runtime names its error's type in `Lambda-Runtime-Function-Error-Type`, a header it
/// may fill with anything. The invoker gets it back in a header (`X-Lambda-Error-Type`)
/// or a trailer, so it must be short and printable: an invalid header would fail the
/// whole reply, and a long one is more than callers take (curl refuses a trailer line of
/// 4 KiB). A type that is not is reported as `Runtime.Unknown`, the type AWS's emulator
/// gives an init error whose type it cannot use.
enum ErrorTypeHeader {
    /// The longest type passed on as it is.
    static let maxLength = 256

    /// `type` if it is at most ``maxLength`` visible ASCII characters, else `Runtime.Unknown`.
    static func clean(_ type: String) -> String {
        let bytes = type.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength, bytes.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return "Runtime.Unknown"
        }
        return type
    }
}
