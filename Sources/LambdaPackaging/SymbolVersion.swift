/// An ELF symbol version name such as `GLIBC_2.34` or `GLIBCXX_3.4.29`, split into its
/// family and its numbers so that versions of one family compare in order.
public struct SymbolVersion: Comparable, CustomStringConvertible, Sendable {
    /// The name as written in the ELF file.
    public let name: String
    /// What precedes the last `_`: `GLIBC`, `GLIBCXX`, `CXXABI`, `GCC`, `LIBFFI_BASE`…
    public let family: String
    /// The dotted numbers after it; empty for names such as `GLIBC_PRIVATE`.
    public let numbers: [Int]

    /// Splits `name`.
    public init(_ name: String) {
        self.name = name
        guard let underscore = name.lastIndex(of: "_") else {
            family = name
            numbers = []
            return
        }
        let tail = name[name.index(after: underscore)...]
        let parts = tail.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        if parts.isEmpty || parts.contains(where: { $0 == nil }) {
            family = name
            numbers = []
        } else {
            family = String(name[..<underscore])
            numbers = parts.compactMap { $0 }
        }
    }

    public var description: String { name }

    /// Orders by family, then numerically (2.9 < 2.10).
    public static func < (lhs: SymbolVersion, rhs: SymbolVersion) -> Bool {
        if lhs.family != rhs.family { return lhs.family < rhs.family }
        for (left, right) in zip(lhs.numbers, rhs.numbers) where left != right { return left < right }
        return lhs.numbers.count < rhs.numbers.count
    }

    public static func == (lhs: SymbolVersion, rhs: SymbolVersion) -> Bool {
        lhs.family == rhs.family && lhs.numbers == rhs.numbers
    }
}
