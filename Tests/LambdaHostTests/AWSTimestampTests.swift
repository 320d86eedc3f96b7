import LambdaOutbound
import Testing

/// The two time formats of AWS requests, against known instants.
@Suite struct AWSTimestampTests {
    @Test(arguments: [
        (Int64(0), "19700101T000000Z"),
        (1_440_938_160, "20150830T123600Z"),
        (951_782_400, "20000229T000000Z"),
        (1_709_251_199, "20240229T235959Z"),
        (4_107_542_400, "21000301T000000Z"),
        (-1, "19691231T235959Z"),
    ])
    func amzDate(seconds: Int64, text: String) {
        #expect(AWSTimestamp.amzDate(seconds) == text)
    }

    @Test(arguments: [
        ("2015-08-30T12:36:00Z", Int64(1_440_938_160)),
        ("2015-08-30T12:36:00.123456Z", 1_440_938_160),
        ("2015-08-30T13:36:00+01:00", 1_440_938_160),
        ("2015-08-30t12:36:00z", 1_440_938_160),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
    ])
    func iso8601(text: String, seconds: Int64) {
        #expect(AWSTimestamp.parseISO8601(text) == seconds)
    }

    @Test(arguments: [
        "2023-02-29T00:00:00Z", "2015-08-30 12:36:00Z", "2015-08-30T12:36:00", "2015-13-01T00:00:00Z", "2015-08-30T24:00:00Z",
        "2015-08-30T12:36:00.Z", "2015-08-30T12:36:00+0100", "", "tomorrow at noon",
    ])
    func notISO8601(text: String) {
        #expect(AWSTimestamp.parseISO8601(text) == nil)
    }

    @Test func nowIsTheWallClock() {
        // After this file was written, and before the year 2100.
        #expect(AWSTimestamp.now() > 1_796_000_000 && AWSTimestamp.now() < 4_102_444_800)
    }
}
