/// A value as encoded, before it is written: the tree the encoder's containers build.
/// Arrays and objects are shared references, because a container handed out earlier may
/// still add to them (a nested container, a `superEncoder()` written when it goes away).
enum JSONEncodedValue {
    case null
    case bool(Bool)
    case string(String)
    case signed(Int64)
    case unsigned(UInt64)
    /// A number already written as JSON text (a float, a 128-bit integer).
    case number(String)
    case array(JSONArrayBuilder)
    case object(JSONObjectBuilder)
}

/// An array being encoded.
final class JSONArrayBuilder {
    // The coders use one thread at a time; no dynamic exclusivity checks on their own state.
    @exclusivity(unchecked) var values: [JSONEncodedValue] = []
}

/// An object being encoded: its members in the order first set. Setting a name again
/// replaces its value in place, with names compared as Swift compares Strings, as the
/// dictionary of FoundationEssentials' encoder does. Cost: a linear search of the names
/// for the few members a struct has; a hash table from the 17th member on.
final class JSONObjectBuilder {
    @exclusivity(unchecked) private(set) var members: [(key: String, value: JSONEncodedValue)] = []
    @exclusivity(unchecked) private var table: [String: Int]?

    /// The position of `key`, or nil.
    private func position(of key: String) -> Int? {
        if let table { return table[key] }
        return members.firstIndex { $0.key == key }
    }

    func set(_ value: JSONEncodedValue, for key: String) {
        if let position = position(of: key) {
            members[position].value = value
            return
        }
        members.append((key, value))
        if table != nil {
            table?[key] = members.count - 1
        } else if members.count > 16 {
            var built: [String: Int] = [:]
            for (position, member) in members.enumerated() { built[member.key] = position }
            table = built
        }
    }

    /// The object under `key`: the one already there, or a new one in place of anything else.
    func object(for key: String) -> JSONObjectBuilder {
        if let position = position(of: key), case .object(let object) = members[position].value { return object }
        let object = JSONObjectBuilder()
        set(.object(object), for: key)
        return object
    }

    /// The array under `key`: the one already there, or a new one in place of anything else.
    func array(for key: String) -> JSONArrayBuilder {
        if let position = position(of: key), case .array(let array) = members[position].value { return array }
        let array = JSONArrayBuilder()
        set(.array(array), for: key)
        return array
    }
}
