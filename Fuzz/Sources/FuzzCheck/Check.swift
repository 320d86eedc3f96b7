/// Stops the fuzzer with `message` when a property does not hold: the trap is a crash to
/// libFuzzer, which saves the input.
public func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("property failed: \(message())", file: file, line: line) }
}

/// The input framing of the fuzzers that cut a stream: a settings byte, a byte k, then
/// k % 8 two-byte (little-endian) offsets where the stream is cut, then the stream.
/// Nil when the input is too short for the offsets it announces.
public func settingsCutsAndStream(
    _ data: UnsafePointer<UInt8>?, _ size: Int
) -> (settings: UInt8, cuts: [Int], stream: [UInt8])? {
    guard size >= 2, let data else { return nil }
    let count = Int(data[1] % 8)
    guard size >= 2 + 2 * count else { return nil }
    let cuts = (0..<count).map { Int(data[2 + 2 * $0]) | Int(data[3 + 2 * $0]) << 8 }
    return (data[0], cuts, Array(UnsafeBufferPointer(start: data + 2 + 2 * count, count: size - 2 - 2 * count)))
}
