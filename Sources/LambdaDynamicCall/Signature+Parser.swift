extension Signature {
    /// Parses a signature (see ``Signature`` for the grammar).
    ///
    /// - Throws: ``SignatureError`` with the position of the first fault.
    public init(parsing text: String) throws(SignatureError) {
        var parser = Parser(text: text)
        self = try parser.signature()
    }
}

/// A recursive-descent parser over the signature's characters; positions count
/// characters from 0.
private struct Parser {
    let text: String
    let characters: [Character]
    var index = 0

    init(text: String) {
        self.text = text
        characters = Array(text)
    }

    mutating func signature() throws(SignatureError) -> Signature {
        if let space = characters.firstIndex(where: { $0.isWhitespace }) {
            throw fault(at: space, "white space is not allowed (Lambda's Handler field has none)")
        }
        let symbol = try identifier(what: "a function name")
        try expect("(", after: "the function name")
        var parameters: [Signature.Parameter] = []
        if peek != ")" {
            repeat {
                parameters.append(try parameter(number: parameters.count + 1))
            } while accept(",")
        }
        try expect(")", after: "the parameters")
        guard accept("-"), accept(">") else {
            throw fault(at: index, "expected '->' and the result type")
        }
        let resultStart = index
        let result = try type(what: "a result type")
        guard result.isResult else {
            throw fault(at: resultStart, "'bytes' cannot be a result; return a str, or write bytes to a buffer you are given")
        }
        guard index == characters.count else {
            throw fault(at: index, "unexpected '\(characters[index])' after the result type")
        }
        return Signature(symbol: symbol, parameters: parameters, result: result)
    }

    mutating func parameter(number: Int) throws(SignatureError) -> Signature.Parameter {
        let start = index
        let first = try identifier(what: "a parameter type or name")
        if accept(":") {
            let typeStart = index
            let type = try type(what: "a type for parameter '\(first)'")
            guard type.isParameter else { throw fault(at: typeStart, "a parameter cannot be \(type.rawValue)") }
            return .init(name: first, type: type)
        }
        guard let type = CType(rawValue: first) else {
            throw fault(at: start, "'\(first)' is not a type; give 'name:type' or a type (\(Self.typeList))")
        }
        guard type.isParameter else { throw fault(at: start, "a parameter cannot be \(type.rawValue)") }
        return .init(name: nil, type: type)
    }

    mutating func type(what: String) throws(SignatureError) -> CType {
        let start = index
        let name = try identifier(what: what)
        guard let type = CType(rawValue: name) else {
            throw fault(at: start, "'\(name)' is not a type (\(Self.typeList))")
        }
        return type
    }

    mutating func identifier(what: String) throws(SignatureError) -> String {
        let start = index
        while index < characters.count, characters[index] == "_" || characters[index].isASCII
            && (characters[index].isLetter || (index > start && characters[index].isNumber))
        {
            index += 1
        }
        guard index > start else {
            let found = index < characters.count ? "'\(characters[index])'" : "the end"
            throw fault(at: start, "expected \(what), found \(found)")
        }
        return String(characters[start..<index])
    }

    var peek: Character? { index < characters.count ? characters[index] : nil }

    mutating func accept(_ character: Character) -> Bool {
        guard peek == character else { return false }
        index += 1
        return true
    }

    mutating func expect(_ character: Character, after what: String) throws(SignatureError) {
        guard accept(character) else {
            let found = peek.map { "'\($0)'" } ?? "the end"
            throw fault(at: index, "expected '\(character)' after \(what), found \(found)")
        }
    }

    func fault(at position: Int, _ reason: String) -> SignatureError {
        SignatureError(text: text, position: position, reason: reason)
    }

    static let typeList = CType.allCases.filter(\.isParameter).map(\.rawValue).joined(separator: ", ")
}
