import Glibc

/// The identifiers the emulator makes up for each invocation, in Lambda's formats, and
/// the wall clock its deadlines are given in.
enum EmulatorIdentifiers {
    /// Milliseconds since the epoch.
    static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// `digits` random lower-case hexadecimal digits.
    static func hex(_ digits: Int) -> String {
        var text = ""
        while text.count < digits {
            let chunk = String(UInt64.random(in: .min ... .max), radix: 16)
            text += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        return String(text.prefix(digits))
    }

    /// A random request id in the 8-4-4-4-12 form.
    static func uuid() -> String {
        let h = hex(32)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(h.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    /// An X-Ray trace header for a new, unsampled trace.
    static func traceID() -> String {
        let seconds = String(nowMs() / 1000, radix: 16)
        return "Root=1-\(seconds)-\(hex(24));Parent=\(hex(16));Sampled=0"
    }
}
