/// The coding keys the coders make themselves: an array element's index, `super`, and a
/// member name met while reading. An index's text is made only when asked, and the key
/// fits in an existential's inline buffer (17 bytes), so that passing one as
/// `any CodingKey` allocates nothing.
enum JSONCodingKey: CodingKey, Sendable {
    case index(Int)
    case name(String)

    init(stringValue: String) { self = .name(stringValue) }
    init(intValue: Int) { self = .index(intValue) }

    var stringValue: String {
        switch self {
        case .index(let index): "Index \(index)"
        case .name(let name): name
        }
    }

    var intValue: Int? {
        switch self {
        case .index(let index): index
        case .name: nil
        }
    }

    /// The key of `superEncoder()` and `superDecoder()`.
    static let `super` = JSONCodingKey.name("super")
}
