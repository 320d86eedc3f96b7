import Glibc

/// Variables for a function, read from an env file: `docker run --env-file`'s format.
///
/// One `KEY=VALUE` a line; the value is everything after the first `=`, taken as it is
/// (no quotes removed, no `$` expanded, spaces kept). Lines that are blank or start with
/// `#` (after leading spaces) are skipped, and a trailing `\r` is dropped. Unlike Docker,
/// a bare `KEY` (which Docker fills from the shell) is refused: a function gets only what
/// was written down. Costs one read of the file and one pass over its bytes.
public enum EnvironmentFile {
    /// Reads and parses the file at `path`; later lines win over earlier ones.
    public static func load(path: String) throws(ConfigurationError) -> [(name: String, value: String)] {
        try parse(try readFile(path), origin: path)
    }

    /// Parses an env file's `bytes`; `origin` names it in errors (`origin:line: …`).
    public static func parse(_ bytes: [UInt8], origin: String) throws(ConfigurationError) -> [(name: String, value: String)] {
        var variables: [(name: String, value: String)] = []
        var number = 0
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
        return (name, String(text[text.index(after: equals)...]))
    }

    /// Refuses a name that is not a shell variable name.
    public static func check(name: String, origin: String) throws(ConfigurationError) {
        guard isValidName(name) else {
            throw ConfigurationError(
                .invalidName,
                "\(origin): '\(printable(name))' is not a variable name: use letters, digits and _, not starting with a digit")
        }
    }

    /// Whether `name` is `[A-Za-z_][A-Za-z0-9_]*`, what a shell and Lambda accept.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: "_")
        }
    }

    /// A name shown in an error: at most 64 characters, control characters as `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }

    /// The bytes of the file at `path`.
    static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
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
