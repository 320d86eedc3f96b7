import Glibc

/// Lines for a developer, on the tool's stderr: the runtime's own output goes there too,
/// so what the emulator says shows in order with it.
public enum StandardError {
    /// Writes `line` and a newline with one `write(2)`, so that lines from several
    /// threads never interleave mid-line.
    public static let line: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(2, base + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
