/// A scanned document: the UTF-8 text and its tokens, shared by the decoder, its
/// containers and any `superDecoder()`.
///
/// The text is the caller's buffer for the call; if a decoder or container is kept past
/// it, ``keepBytes()`` copies the text so that what was kept stays valid.
final class JSONDocument {
    @exclusivity(unchecked) private(set) var base: UnsafePointer<UInt8>
    let count: Int
    /// The scanned tokens, then one `null` token (``missing``) for what is absent.
    let tokens: [JSONToken]
    /// The index of the extra `null` token: what a `superDecoder(forKey:)` of an absent key reads.
    let missing: Int
    @exclusivity(unchecked) private var copy: UnsafeMutablePointer<UInt8>?

    init(base: UnsafePointer<UInt8>, count: Int, tokens: [JSONToken]) {
        self.base = base
        self.count = count
        var tokens = tokens
        tokens.append(JSONToken(kind: .null, flags: 0, start: 0, end: 0, count: 0))
        missing = tokens.count - 1
        self.tokens = tokens
    }

    deinit { copy?.deallocate() }

    /// Copies the text into memory of its own.
    func keepBytes() {
        guard copy == nil else { return }
        let owned = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
        owned.initialize(from: base, count: count)
        copy = owned
        base = UnsafePointer(owned)
    }

    /// The index of the token after the value at `index` and its descendants.
    @inline(__always)
    func next(after index: Int) -> Int {
        let token = tokens[index]
        return token.isContainer ? token.end : index + 1
    }

    /// The text of the string token at `index`.
    @inline(__always)
    func text(_ index: Int) throws(JSONSyntaxError) -> String {
        try JSONStringText.text(of: tokens[index], in: base)
    }
}
