/// A run of bytes inside a ``RuntimeAPIConnection``'s receive buffer, as offsets, so
/// that it stays right when the buffer grows. `start < 0` means absent.
public struct Span: Sendable, Equatable {
    /// Offset of the first byte, or -1 when absent.
    public var start: Int
    /// Number of bytes.
    public var count: Int

    /// The absent span.
    public static let absent = Span(start: -1, count: 0)

    /// Creates a span of `count` bytes at `start`.
    public init(start: Int, count: Int) {
        self.start = start
        self.count = count
    }

    /// Whether the span is present.
    public var isPresent: Bool { start >= 0 }
}
