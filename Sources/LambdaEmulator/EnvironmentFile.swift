import Glibc

/// Variables for a function, read from an env file: `docker run --env-file`'s format.
///
/// One `KEY=VALUE` a line; the value is everything after the first `=`, taken as it is
/// (no quotes removed, no `$` expanded, spaces kept). Lines that are blank or start with
/// `#` (after leading spaces) are skipped, and a trailing `\r` and a leading UTF-8 byte
/// order mark are dropped, as Docker drops them. Unlike Docker, a bare `KEY` (which Docker
/// fills from the shell) is refused: a function gets only what was written down. An error
/// never quotes a line that is not `NAME=value`: such a line (YAML, a pasted token) is
/// often a secret. Costs one read of the file and one pass over its bytes.
public enum EnvironmentFile {
    /// Parses an env file's `bytes`; `origin` names it in errors (`origin:line: …`); later
    /// lines win over earlier ones.
    public static func parse(_ bytes: [UInt8], origin: String) throws(ConfigurationError) -> [(name: String, value: String)] {
        var variables: [(name: String, value: String)] = []
        var number = 0
        let bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        // Split on bytes: as Characters, "\r\n" is one and would not split on "\n".
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = raw[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            guard let text = String(validating: trimmed, as: UTF8.self) else {
                throw ConfigurationError(.unreadableFile, "\(origin):\(number): not UTF-8 text; save the file as UTF-8")
            }
            variables.append(try variable(text, origin: "\(origin):\(number)"))
        }
        return variables
    }

    /// Splits one `KEY=VALUE` (from a line, or a `--env` flag named by `origin`).
    public static func variable(_ text: String, origin: String) throws(ConfigurationError) -> (name: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ConfigurationError(
                .malformedVariable, "\(origin): expected KEY=VALUE, got no '=' (a bare name is not taken from the shell; write NAME=value)")
        }
        let name = String(text[..<equals])
        try check(name: name, origin: origin)
        let value = String(text[text.index(after: equals)...])
        try check(value: value, of: name, origin: origin)
        return (name, value)
    }

    /// Refuses a name that is not a shell variable name. The message quotes the name only
    /// when it is made of a name's characters (and starts with a digit); otherwise it says
    /// which character is wrong and where, as the text may be a secret.
    public static func check(name: String, origin: String) throws(ConfigurationError) {
        guard !isValidName(name) else { return }
        let why: String
        if name.isEmpty {
            why = "the name before '=' is empty"
        } else if name.hasPrefix("export ") {
            why = "leave out 'export ': a line is NAME=value"
        } else if let (offset, bad) = name.unicodeScalars.enumerated().first(where: { !isNameCharacter($0.element) }) {
            why = "not a variable name: the name holds \(describe(bad)) at character \(offset + 1)"
        } else {
            why = "'\(printable(name))' is not a variable name"
        }
        throw ConfigurationError(.invalidName, "\(origin): \(why); a name is letters, digits and _, not starting with a digit")
    }

    /// Refuses a value that an environment variable cannot carry: a NUL would end the
    /// runtime's `NAME=value` string and silently cut the value.
    public static func check(value: String, of name: String, origin: String) throws(ConfigurationError) {
        if value.utf8.contains(0) {
            throw ConfigurationError(
                .malformedVariable, "\(origin): the value of \(name) holds a NUL byte, which an environment variable cannot carry")
        }
    }

    /// Whether `name` is `[A-Za-z_][A-Za-z0-9_]*`, what a shell and Lambda accept.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
        return name.unicodeScalars.allSatisfy(isNameCharacter)
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "0" && scalar <= "9") || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
    }

    /// One character of a bad name, for an error: a space, a tab, `':'`, or `U+FEFF`.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": return "a space"
        case "\t": return "a tab"
        case "!"..."~": return "'\(scalar)'"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// A name shown in an error: at most 64 characters, control characters as `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }

    /// The bytes of the file at `path` (an env file or a config file).
    public static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfigurationError(.unreadableFile, "\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got == 0 { return bytes }
            guard got > 0 else {
                throw ConfigurationError(.unreadableFile, "\(path): \(String(cString: strerror(errno)))")
            }
            bytes += chunk[0..<got]
        }
    }
}
