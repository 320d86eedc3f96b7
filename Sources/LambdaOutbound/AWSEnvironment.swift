import CLambdaOutbound

/// The `AWS_*` environment variables, copied once at INIT: credentials, region, endpoint
/// overrides and the container-credentials settings. A copy, because the host signs from
/// any thread and `getenv` is not safe while anything calls `setenv`.
///
/// Its `description` lists names only: values include the secret key and the token.
public struct AWSEnvironment: Sendable, CustomStringConvertible {
    /// Two arrays of strings, not a dictionary nor an array of pairs: a handful of entries,
    /// and making a Dictionary's or a tuple array's type metadata at INIT cost more (80,000
    /// to 100,000 instructions) than every lookup after.
    private var names: [String] = []
    private var values: [String] = []

    /// No variables.
    public init() {}

    /// The variables among `entries` (name, value) whose names start with `AWS_`.
    public init<Entries: Sequence<(String, String)>>(_ entries: Entries) {
        for (name, value) in entries where name.hasPrefix("AWS_") { set(name, value) }
    }

    /// The value of `name`, nil when unset or empty.
    public subscript(_ name: String) -> String? {
        guard let index = names.firstIndex(of: name), !values[index].isEmpty else { return nil }
        return values[index]
    }

    private mutating func set(_ name: String, _ value: String) {
        if let index = names.firstIndex(of: name) {
            values[index] = value
        } else {
            names.append(name)
            values.append(value)
        }
    }

    /// The region requests are signed for when the plugin names none: `AWS_REGION` (Lambda
    /// sets it), else `AWS_DEFAULT_REGION`.
    public var region: String? { self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] }

    public var description: String { "AWSEnvironment(\(names.sorted().joined(separator: ", ")))" }
}

extension AWSEnvironment {
    /// The process's `AWS_*` variables now (the host reads them once, at INIT). Other
    /// variables are skipped by their first four bytes, without making a String of them.
    public static func current() -> AWSEnvironment {
        var environment = AWSEnvironment()
        guard var cursor = lh_environment() else { return environment }
        while let entry = cursor.pointee {
            cursor += 1
            // "AWS_": a NUL ends the comparison early for a shorter entry.
            guard entry[0] == 65, entry[1] == 87, entry[2] == 83, entry[3] == 95 else { continue }
            let text = String(cString: entry)
            if let equals = text.utf8.firstIndex(of: 61) {
                environment.set(String(text[..<equals]), String(text[text.index(after: equals)...]))
            }
        }
        return environment
    }
}
