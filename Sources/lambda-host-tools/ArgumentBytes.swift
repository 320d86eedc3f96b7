import ArgumentParser

/// The command line as bytes, before the argument parser reads it as text.
///
/// Swift turns argv into Strings by repairing bytes that are not UTF-8 into U+FFFD, so a
/// `--handler` or path of Latin-1 bytes would silently name another file. Every argument
/// is checked here first, and one that is not UTF-8 is a usage error naming it.
enum ArgumentBytes {
    /// A usage error for the first argument that is not UTF-8, or nil when all are.
    static func firstNonUTF8() -> ValidationError? {
        let count = Int(CommandLine.argc)
        for index in 1..<max(count, 1) {
            guard let argument = CommandLine.unsafeArgv[index], String(validatingCString: argument) == nil else { continue }
            var bytes: [UInt8] = []
            var cursor = argument
            while cursor.pointee != 0 {
                bytes.append(UInt8(bitPattern: cursor.pointee))
                cursor += 1
            }
            let previous = index > 1 ? CommandLine.unsafeArgv[index - 1].flatMap { String(validatingCString: $0) } : nil
            var what = "argument \(index) ('\(escaped(bytes))')"
            // A variable's value may be a secret: it is named, not quoted.
            if bytes.starts(with: Array("--env=".utf8)) {
                what = "argument \(index) (--env=…)"
            } else if previous == "--env" {
                what = "argument \(index)"
            }
            if let previous, previous.hasPrefix("-") { what += ", the value of \(previous)," }
            return ValidationError(
                "\(what) is not valid UTF-8; lambda-host reads its arguments as UTF-8 text, and repairing the bytes would name another file than the one given"
            )
        }
        return nil
    }

    /// `bytes` with printable ASCII as is and every other byte as `\xNN`.
    static func escaped(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        for byte in bytes.prefix(256) {
            if byte >= 32 && byte < 127 && byte != 92 {
                text.append(byte)
            } else {
                text += [92, 120, digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: text, as: UTF8.self) + (bytes.count > 256 ? "…" : "")
    }
}
