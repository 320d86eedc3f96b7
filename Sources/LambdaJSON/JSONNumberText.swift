/// Reads the text of a scanned JSON number exactly: its grammar (RFC 8259), its value as
/// an integer of a given width when, and only when, it is an integer in that width's range
/// (`1e2` is 100; `1.5`, `1e400` and 128 for an Int8 are refused), and its value as a
/// Double or Float correctly rounded, refused when it overflows to infinity or when a
/// number that is not zero underflows to zero.
///
/// Cost: one pass over the digits; a float with at most 15 significant digits and a
/// small exponent is one multiplication or division (exact, after Clinger), any other goes
/// through the C library's `strtod`/`strtof`, as FoundationEssentials does.
package struct JSONNumberText {
    private let base: UnsafePointer<UInt8>
    private let start: Int
    private let end: Int
    /// Whether the number is negative.
    private let negative: Bool
    /// The digits of the integer part, then those of the fraction part, as one sequence
    /// indexed from 0: `integerDigits` and `fractionStart` locate them.
    private let integerStart: Int
    private let integerDigits: Int
    private let fractionStart: Int
    /// The first and last digits that are not zero (`first > last` for zero).
    private let first: Int
    private let last: Int
    /// The power of ten that multiplies the significant digits `first...last`.
    private let scale: Int

    /// Why a number cannot be read as an integer.
    package enum IntegerFailure: Error {
        /// It has a fraction.
        case notInteger
        /// It is an integer outside the type's range.
        case outOfRange
    }

    /// The number written in `start..<end` of `base`, or nil when the text breaks the
    /// grammar. `base` must outlive the value.
    package init?(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        self.base = base
        self.start = start
        self.end = end
        var index = start
        func isDigit(_ at: Int) -> Bool { at < end && base[at] &- UInt8(ascii: "0") < 10 }
        negative = index < end && base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard isDigit(index) else { return nil }
        let integerAt = index
        if base[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        let integerCount = index - integerAt
        integerStart = integerAt
        integerDigits = integerCount
        var fractionDigits = 0
        var fractionAt = index
        if index < end, base[index] == UInt8(ascii: ".") {
            index += 1
            fractionAt = index
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
            fractionDigits = index - fractionAt
        }
        fractionStart = fractionAt
        var exponent = 0
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            guard isDigit(index) else { return nil }
            // Past a million the value is 0 or out of every range; saturate rather than overflow.
            while isDigit(index) {
                exponent = min(exponent * 10 + Int(base[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard index == end else { return nil }
        let total = integerCount + fractionDigits
        func digit(_ k: Int) -> UInt8 {
            (k < integerCount ? base[integerAt + k] : base[fractionAt + k - integerCount]) &- UInt8(ascii: "0")
        }
        var first = 0
        while first < total, digit(first) == 0 { first += 1 }
        var last = total - 1
        while last >= first, digit(last) == 0 { last -= 1 }
        self.first = first
        self.last = last
        scale = exponent - fractionDigits + (total - 1 - last)
    }

    @inline(__always)
    private func digit(_ k: Int) -> UInt8 {
        (k < integerDigits ? base[integerStart + k] : base[fractionStart + k - integerDigits]) &- UInt8(ascii: "0")
    }

    /// How many significant digits there are (0 for zero).
    private var significantDigits: Int { first > last ? 0 : last - first + 1 }

    /// Whether the value is zero (`0`, `-0.0`, `0e7`).
    package var isZero: Bool { first > last }

    /// The value as a `T`, exactly.
    @inline(__always)
    package func integer<T: FixedWidthInteger>(as type: T.Type) -> Result<T, IntegerFailure> {
        let magnitude: UInt128
        switch self.magnitude() {
        case .success(let value): magnitude = value
        case .failure(let failure): return .failure(failure)
        }
        if negative && magnitude != 0 {
            guard T.isSigned, magnitude <= UInt128(T.min.magnitude) else { return .failure(.outOfRange) }
            return .success(T(truncatingIfNeeded: 0 &- magnitude))
        }
        guard let value = T(exactly: magnitude) else { return .failure(.outOfRange) }
        return .success(value)
    }

    /// The absolute value, when it is an integer that fits in 128 bits (one function for
    /// every width, so that each width adds only its range check to a plugin).
    private func magnitude() -> Result<UInt128, IntegerFailure> {
        guard !isZero else { return .success(0) }
        guard scale >= 0 else { return .failure(.notInteger) }
        // UInt128's largest value has 39 digits.
        guard significantDigits + scale <= 39 else { return .failure(.outOfRange) }
        // Nineteen digits always fit in 64 bits; the rest in 128 (checked).
        var small: UInt64 = 0
        var k = first
        let end = last + 1 + scale
        while k < end, k - first < 19 {
            small = small &* 10 &+ UInt64(k <= last ? digit(k) : 0)
            k += 1
        }
        var magnitude = UInt128(small)
        while k < end {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt128(k <= last ? digit(k) : 0))
            guard !overflow, !carry else { return .failure(.outOfRange) }
            magnitude = sum
            k += 1
        }
        return .success(magnitude)
    }

    /// The significant digits as one integer when they fit in 15 digits (exact in a Double).
    private var smallMantissa: UInt64? {
        guard significantDigits <= 15 else { return nil }
        var value: UInt64 = 0
        for k in first..<(last + 1) { value = value * 10 + UInt64(digit(k)) }
        return value
    }

    /// The nearest Double; nil when it overflows, or underflows to zero from a number that
    /// is not zero.
    package func double() -> Double? {
        if isZero { return negative ? -0.0 : 0.0 }
        if let mantissa = smallMantissa, (-22...22).contains(scale) {
            let value = scale >= 0 ? Double(mantissa) * Self.powers[scale] : Double(mantissa) / Self.powers[-scale]
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite, value != 0 else { return nil }
        return value
    }

    /// The nearest Float, on the same terms as ``double()``.
    package func float() -> Float? {
        if isZero { return negative ? -0.0 : 0.0 }
        if let mantissa = smallMantissa, mantissa < 1 << 24, (-10...10).contains(scale) {
            let value = scale >= 0 ? Float(mantissa) * Float(Self.powers[scale]) : Float(mantissa) / Float(Self.powers[-scale])
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        guard let value = Float(text), value.isFinite, value != 0 else { return nil }
        return value
    }

    /// 10⁰ through 10²², each exact in a Double (and through 10¹⁰ in a Float).
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]
}
