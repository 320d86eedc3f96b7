import FuzzCheck

@testable import LambdaPluginLoader

/// Fuzzes the parsing of `_HANDLER` (HandlerSpec). A value that parses must name only
/// files made of its own bytes (the library as written, or `lib<name>.so` / `<name>.so`
/// for the short forms), never a path with a `..` part or a folder, and a C identifier
/// or a signature; a value that does not parse gets a `Runtime.*` error with a message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // _HANDLER reaches the host as bytes; as text it is what its bytes spell.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let spec: HandlerSpec
    do {
        spec = try HandlerSpec(text)
    } catch {
        require(error.code == .malformedHandler || error.code == .pathEscapesRoot, "\(text.debugDescription): \(error.code)")
        require(error.code.errorType.hasPrefix("Runtime."), "error type \(error.code.errorType)")
        require(!error.message.isEmpty, "an error without a message")
        return 0
    }
    let bytes = Array(text.utf8)
    require(!bytes.isEmpty && bytes.count <= HandlerSpec.maxLength, "accepted \(bytes.count) bytes")
    require(!bytes.contains { $0 <= 32 || $0 == 127 }, "accepted a space or control character: \(text.debugDescription)")
    require(spec.text == text, "the text changed")
    require(!spec.candidates.isEmpty && spec.candidates.count <= 2, "candidates \(spec.candidates)")
    for candidate in spec.candidates {
        require(!candidate.isEmpty && !candidate.hasSuffix("/"), "the candidate \(candidate.debugDescription) is not a file")
        require(
            !candidate.split(separator: "/", omittingEmptySubsequences: false).contains(".."),
            "the candidate \(candidate.debugDescription) leaves the roots")
        require(madeOfTheText(candidate, bytes), "\(text.debugDescription) names \(candidate.debugDescription)")
    }
    if let signature = spec.signature {
        // The signature is the text after the first ':', and the symbol starts it.
        require(bytes == Array(spec.candidates[0].utf8) + [58] + Array(signature.text.utf8), "signature \(signature.text)")
        require(signature.text.utf8.starts(with: Array(spec.symbol.utf8) + [40]), "symbol \(spec.symbol) of \(signature.text)")
    } else {
        require(HandlerSpec.isIdentifier(spec.symbol), "the symbol \(spec.symbol.debugDescription) is not a C identifier")
    }
    let again = try? HandlerSpec(text)
    require(again == spec, "parsing twice differs")
    return 0
}

/// Whether `candidate` is a prefix of `text`, or `lib<name>.so` or `<name>.so` for a
/// prefix `<folder><name>` of it (the short forms).
private func madeOfTheText(_ candidate: String, _ text: [UInt8]) -> Bool {
    let bytes = Array(candidate.utf8)
    if text.starts(with: bytes) { return true }
    guard bytes.count >= 3, bytes.suffix(3).elementsEqual(".so".utf8) else { return false }
    let stem = Array(bytes.dropLast(3))
    if text.starts(with: stem) { return true }
    let slash = stem.lastIndex(of: 47).map { $0 + 1 } ?? 0
    guard stem[slash...].starts(with: "lib".utf8) else { return false }
    return text.starts(with: stem[..<slash] + stem[(slash + 3)...])
}
