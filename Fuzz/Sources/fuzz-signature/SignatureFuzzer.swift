import FuzzCheck

@testable import LambdaDynamicCall

/// Fuzzes the signature parser (`cbrt(f64)->f64`). A signature that parses must write
/// itself back as exactly the text given (the grammar has one spelling), parse again to
/// the same value, and be one that libffi can prepare; one that does not parse must name
/// a position inside the text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size <= 512 else { return 0 }  // _HANDLER holds at most 128 bytes; a library's string may be longer
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let signature: Signature
    do {
        signature = try Signature(parsing: text)
    } catch {
        require(error.position >= 0 && error.position <= text.count, "position \(error.position) of \(text.count)")
        require(error.text == text && !error.reason.isEmpty, "an error without its text or reason")
        require(error.description.contains("^"), "no caret in \(error.description)")
        return 0
    }
    require(signature.text == text, "\(text.debugDescription) wrote back as \(signature.text.debugDescription)")
    require((try? Signature(parsing: signature.text)) == signature, "\(text.debugDescription) parsed again differs")
    require(signature.parameters.allSatisfy { $0.type.isParameter }, "a parameter of a result-only type")
    require(signature.result.isResult, "a result of a parameter-only type")
    require(!signature.symbol.isEmpty && signature.symbol.utf8.allSatisfy { $0 < 128 }, "symbol \(signature.symbol)")
    do {
        _ = try CallInterface(signature)
    } catch {
        require(false, "libffi cannot prepare \(text): \(error)")
    }
    return 0
}
