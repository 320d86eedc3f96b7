import CLambdaSystem
import LambdaRuntimeAPI

/// Host-owned storage for one response: the head (status line and headers, parsed in
/// place) followed by the body, in one malloc'd block, plus a table of header fields.
///
/// Header names and values are NUL-terminated inside the block and the body is followed
/// by a NUL, so the host can hand C pointers to a plugin without copying. Positions are
/// ``Span`` offsets while the block may still grow; once the parser has completed a
/// response nothing reallocates, so the pointers from ``pointer(_:)`` and ``body`` stay
/// valid until ``reset()``.
///
/// A non-copyable struct owned by ``HTTPResponseParser`` rather than a class: a class's
/// stored properties pay dynamic exclusivity checks on every access, which took about a
/// third of the parse time in a measurement.
///
/// Cost: reused across requests, so no allocation per request once it has grown to the
/// largest response seen; ``reset()`` gives back memory above ``retainedBytes`` so that
/// one large body does not pin memory for the life of the process.
public struct ResponseBuffer: ~Copyable {
    /// One header field: offsets of its name (without the colon) and its trimmed value,
    /// each followed by a NUL in the block.
    public struct Field: Sendable, Equatable {
        public var name: Span
        public var value: Span
    }

    /// Capacity kept by ``reset()``: above it the block shrinks back to its initial size.
    public static let retainedBytes = 1 << 20

    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let initialCapacity: Int
    /// Bytes used: the head, then the body.
    private(set) var count = 0
    /// Where the body starts (the end of the head).
    private(set) var bodyStart = 0
    private var fields: UnsafeMutablePointer<Field>
    private var fieldCapacity: Int
    /// Number of header fields of the final response.
    public private(set) var fieldCount = 0

    /// Creates a buffer with `capacity` bytes to start with.
    public init(capacity: Int = 16 * 1024) {
        initialCapacity = max(capacity, 256)
        self.capacity = initialCapacity
        fieldCapacity = 32
        // Failing to allocate a few KiB when the client is created leaves nothing to
        // recover; input cannot reach this.
        guard let raw = malloc(initialCapacity), let table = malloc(fieldCapacity * MemoryLayout<Field>.stride) else {
            fatalError("lambda-host: out of memory")
        }
        base = raw.bindMemory(to: UInt8.self, capacity: initialCapacity)
        fields = table.bindMemory(to: Field.self, capacity: fieldCapacity)
    }

    deinit {
        free(base)
        free(fields)
    }

    /// Forgets the response (its pointers become invalid), keeping the memory up to
    /// ``retainedBytes``.
    public mutating func reset() {
        count = 0
        bodyStart = 0
        fieldCount = 0
        if capacity > Self.retainedBytes, let smaller = realloc(base, initialCapacity) {
            base = smaller.bindMemory(to: UInt8.self, capacity: initialCapacity)
            capacity = initialCapacity
        }
    }

    // MARK: Reading (after the parser completed)

    /// Field `index`, or nil outside 0 ..< ``fieldCount``.
    public func field(at index: Int) -> Field? {
        index >= 0 && index < fieldCount ? fields[index] : nil
    }

    /// A field's name or value as a NUL-terminated C string.
    public func pointer(_ span: Span) -> UnsafePointer<CChar> {
        UnsafeRawPointer(base + span.start).assumingMemoryBound(to: CChar.self)
    }

    /// A field's name or value as bytes (without the NUL).
    public func bytes(_ span: Span) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + span.start, count: span.count)
    }

    /// The body (followed by a NUL in memory, not counted).
    public var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + bodyStart, count: count - bodyStart)
    }

    /// The value of the first field named `lower` (a lower-case literal), or nil.
    /// Cost: a length compare per field, a case-insensitive compare on equal lengths.
    public func firstValue(named lower: StaticString) -> UnsafeRawBufferPointer? {
        for i in 0..<fieldCount where fields[i].name.count == lower.utf8CodeUnitCount {
            if HTTPText.matches(base + fields[i].name.start, lower) { return bytes(fields[i].value) }
        }
        return nil
    }

    // MARK: Writing (for the parser)

    /// Appends bytes to the head (or the body, once ``beginBody()`` was called).
    mutating func append(_ source: UnsafeRawPointer, _ size: Int) throws(OutboundError) {
        try reserve(count + size + 1)
        memcpy(base + count, source, size)
        count += size
    }

    /// Drops the head read so far (after an interim 1xx response).
    mutating func discardHead() {
        count = 0
        fieldCount = 0
    }

    /// Records a header field of the head being parsed.
    mutating func addField(name: Span, value: Span) throws(OutboundError) {
        if fieldCount == fieldCapacity {
            let grown = fieldCapacity * 2
            guard let table = realloc(fields, grown * MemoryLayout<Field>.stride) else {
                throw OutboundError(.responseTooLarge, sent: true, "cannot allocate a table of \(grown) response headers")
            }
            fields = table.bindMemory(to: Field.self, capacity: grown)
            fieldCapacity = grown
        }
        fields[fieldCount] = Field(name: name, value: value)
        fieldCount += 1
    }

    /// Marks the end of the head: what is appended from now on is the body.
    mutating func beginBody() { bodyStart = count }

    /// Makes room for `size` bytes in all, so a body of known length is one allocation.
    mutating func reserve(_ size: Int) throws(OutboundError) {
        guard size > capacity else { return }
        var grown = capacity
        while grown < size { grown = grown <= Int.max / 2 ? grown * 2 : size }
        guard let block = realloc(base, grown) else {
            throw OutboundError(.responseTooLarge, sent: true, "cannot allocate \(grown) bytes for the response")
        }
        base = block.bindMemory(to: UInt8.self, capacity: grown)
        capacity = grown
    }

    /// Writes the NUL after the body (room for it is always reserved by ``append(_:_:)``).
    mutating func terminateBody() throws(OutboundError) {
        try reserve(count + 1)
        base[count] = 0
    }
}
