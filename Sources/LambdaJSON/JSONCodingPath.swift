/// The coding path to a value, as a list linked from the value back to the root, so that
/// going one level down shares its parent's path instead of copying an array. The array
/// that `codingPath` asks for is built only when asked (an error, or a type that reads it).
indirect enum JSONCodingPath {
    case root
    case node(parent: JSONCodingPath, key: any CodingKey)

    /// This path with `key` appended.
    func appending(_ key: (any CodingKey)?) -> JSONCodingPath {
        guard let key else { return self }
        return .node(parent: self, key: key)
    }

    /// The keys from the root.
    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while case .node(let parent, let key) = node {
            keys.append(key)
            node = parent
        }
        return keys.reversed()
    }

    /// The keys from the root, then `key`.
    func keys(appending key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return keys }
        return keys + [key]
    }
}
