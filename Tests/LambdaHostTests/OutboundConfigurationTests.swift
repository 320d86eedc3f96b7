import LambdaOutbound
import Testing

/// The host's outbound settings, read from environment variables at INIT.
@Suite struct OutboundConfigurationTests {
    private func read(_ values: [String: String]) throws(ConfigurationError) -> OutboundConfiguration {
        try OutboundConfiguration(environment: { values[$0] })
    }

    @Test func defaultsWhenNothingIsSet() throws {
        let configuration = try read([:])
        #expect(configuration.allowList == nil)
        #expect(configuration.prewarm.isEmpty)
        #expect(configuration.maxResponseBytes == 6 * 1024 * 1024)
        #expect(configuration.idleTimeoutMilliseconds == 4_000)
        #expect(configuration.maxIdlePerOrigin == 4)
    }

    @Test func everySettingIsRead() throws {
        let configuration = try read([
            "LAMBDA_HOST_ALLOWED_ORIGINS": "https://api.example.com, https://*.amazonaws.com",
            "LAMBDA_HOST_PREWARM_ORIGINS": "https://api.example.com http://localhost:8080",
            "LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES": "1000",
            "LAMBDA_HOST_HTTP_IDLE_TIMEOUT_MS": "250",
            "LAMBDA_HOST_HTTP_MAX_IDLE_PER_ORIGIN": "0",
        ])
        let allowList = try #require(configuration.allowList)
        #expect(allowList.allows(try Origin.parse("https://dynamodb.us-east-1.amazonaws.com")))
        #expect(!allowList.allows(try Origin.parse("https://example.org")))
        #expect(configuration.prewarm.map(\.description) == ["https://api.example.com:443", "http://localhost:8080"])
        #expect(configuration.maxResponseBytes == 1000)
        #expect(configuration.idleTimeoutMilliseconds == 250)
        #expect(configuration.maxIdlePerOrigin == 0)
    }

    @Test func aBlankAllowListIsNoAllowList() throws {
        #expect(try read(["LAMBDA_HOST_ALLOWED_ORIGINS": " , "]).allowList == nil)
    }

    @Test(arguments: [
        ("LAMBDA_HOST_ALLOWED_ORIGINS", "api.example.com", "'api.example.com'"),
        ("LAMBDA_HOST_PREWARM_ORIGINS", "ftp://files.example.com", "ftp"),
        ("LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES", "-1", "'-1' is not a whole number from 0 to"),
        ("LAMBDA_HOST_HTTP_MAX_RESPONSE_BYTES", "99999999999999999999", "is not a whole number"),
        ("LAMBDA_HOST_HTTP_IDLE_TIMEOUT_MS", "4s", "'4s' is not a whole number"),
        ("LAMBDA_HOST_HTTP_MAX_IDLE_PER_ORIGIN", "1001", "from 0 to 1000"),
    ])
    func aValueThatCannotBeUsedIsRefusedNamingTheVariable(variable: String, value: String, message: String) {
        #expect {
            _ = try read([variable: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == variable && error.description.contains(message)
        }
    }
}
