/// Stops the fuzzer with `message` when a property does not hold: the trap is a crash to
/// libFuzzer, which saves the input.
public func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("property failed: \(message())", file: file, line: line) }
}
