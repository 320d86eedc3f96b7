import CLambdaOutbound

/// Converts between seconds since the epoch (UTC) and the two text forms AWS uses: SigV4's
/// `X-Amz-Date` (`20150830T123600Z`) and ISO 8601 (`2026-12-03T05:00:00Z`, the
/// `Expiration` of container credentials). Pure arithmetic on the proleptic Gregorian
/// calendar, no time zone database, no allocation beyond the result.
public enum AWSTimestamp {
    /// Now, in whole seconds since the epoch (CLOCK_REALTIME).
    public static func now() -> Int64 { lh_realtime_seconds() }

    /// `YYYYMMDDTHHMMSSZ` for `seconds` since the epoch; years 0...9999 (clamped).
    public static func amzDate(_ seconds: Int64) -> String {
        let clamped = min(max(seconds, minSeconds), maxSeconds)
        let (days, secondOfDay) = (floorDivide(clamped, 86_400), clamped - floorDivide(clamped, 86_400) * 86_400)
        let (year, month, day) = civil(days)
        var out: [UInt8] = []
        out.reserveCapacity(16)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(48 + (value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        digits(month, 2)
        digits(day, 2)
        out.append(84)
        digits(secondOfDay / 3600, 2)
        digits(secondOfDay / 60 % 60, 2)
        digits(secondOfDay % 60, 2)
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// Seconds since the epoch of an ISO 8601 UTC time: `YYYY-MM-DDTHH:MM:SS`, optional
    /// fraction (ignored), then `Z` or `+00:00`/`-00:00` (other offsets are applied).
    /// Nil for anything else.
    public static func parseISO8601(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
            let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
            let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2),
            (1...12).contains(month), (1...daysIn(month, year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if b[index] == 46 {
            index += 1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 { index += 1 }
            guard index > start else { return nil }
        }
        var offset: Int64 = 0
        if index == b.count - 1, b[index] == 90 || b[index] == 122 {
            offset = 0
        } else if index == b.count - 6, b[index] == 43 || b[index] == 45, b[index + 3] == 58,
            let hours = number(b, index + 1, 2), let minutes = number(b, index + 4, 2), hours < 24, minutes < 60
        {
            offset = (hours * 3600 + minutes * 60) * (b[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        return days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    private static let minSeconds: Int64 = -62_167_219_200  // 0000-01-01T00:00:00Z
    private static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for index in start..<(start + count) {
            let c = bytes[index]
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int64(c - 48)
        }
        return value
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { (a >= 0 ? a : a - b + 1) / b }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a civil date (the era method: 400-year cycles of 146,097 days).
    private static func days(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (inverse of ``days(_:_:_:)``).
    private static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
