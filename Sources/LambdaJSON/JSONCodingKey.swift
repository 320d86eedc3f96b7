/// The coding keys the coders make themselves: an array element's index, `super`, and a
/// member name met while reading. An index's text is made only when asked.
struct JSONCodingKey: CodingKey, Sendable {
    private let name: String
    let intValue: Int?

    init(stringValue: String) {
        name = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        name = ""
        self.intValue = intValue
    }

    var stringValue: String { intValue.map { "Index \($0)" } ?? name }

    /// The key of `superEncoder()` and `superDecoder()`.
    static let `super` = JSONCodingKey(stringValue: "super")
}
