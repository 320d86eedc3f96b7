@testable import LambdaDynamicCall
@testable import LambdaRuntimeAPI

/// Writes a JSONValue back as JSON text: strings escaped only where JSON requires it
/// (quote, backslash, control characters), everything else as its UTF-8 bytes, numbers
/// as they were read, members in order. Reading the text again must give the same value.
func write(_ value: JSONValue, into out: inout [UInt8]) {
    switch value {
    case .null: out += Array("null".utf8)
    case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
    case .number(let text): out += Array(text.utf8)
    case .string(let text): write(string: text, into: &out)
    case .array(let elements):
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(element, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .object(let members):
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(string: member.0, into: &out)
            out.append(UInt8(ascii: ":"))
            write(member.1, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

private func write(string: String, into out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
        case 0..<32: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// Whether every object in `value` names each member once, byte for byte; and how deep
/// the value nests.
func check(_ value: JSONValue, depth: Int = 1) -> (uniqueNames: Bool, depth: Int) {
    switch value {
    case .array(let elements):
        return elements.reduce((true, depth)) { result, element in
            let inner = check(element, depth: depth + 1)
            return (result.0 && inner.uniqueNames, max(result.1, inner.depth))
        }
    case .object(let members):
        let names = Set(members.map { Array($0.0.utf8) })
        return members.reduce((names.count == members.count, depth)) { result, member in
            let inner = check(member.1, depth: depth + 1)
            return (result.0 && inner.uniqueNames, max(result.1, inner.depth))
        }
    default:
        return (true, depth)
    }
}
