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
    var keys: [any CodingKey] { keys(appending: nil) }

    /// The keys from the root, then `key`. Cost: one array of the path's length, filled
    /// from its end (an error or a `try?` that fails builds one).
    func keys(appending key: (any CodingKey)?) -> [any CodingKey] {
        var depth = 0
        var node = self
        while case .node(let parent, _) = node {
            depth += 1
            node = parent
        }
        let count = depth + (key == nil ? 0 : 1)
        guard count > 0 else { return [] }
        return [any CodingKey](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            if let key { (base + depth).initialize(to: key) }
            var node = self
            var position = depth
            while case .node(let parent, let key) = node {
                position -= 1
                (base + position).initialize(to: key)
                node = parent
            }
            initialized = count
        }
    }
}
