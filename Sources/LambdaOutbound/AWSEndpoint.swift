/// Where requests to an AWS service go: the regional endpoint by default, or the override
/// the AWS SDKs read from the environment, so that tests and local development (moto,
/// LocalStack) point the same plugin at a local server.
///
/// Order, as the SDKs have it: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns every
/// override off; else `AWS_ENDPOINT_URL_<SERVICE>` (the service upper-cased, `-` as `_`:
/// `AWS_ENDPOINT_URL_DYNAMODB`); else `AWS_ENDPOINT_URL`; else
/// `https://<service>.<region>.amazonaws.com` (`.amazonaws.com.cn` in the China regions).
public struct AWSEndpoint: Sendable, Equatable {
    /// The endpoint as a URL prefix: scheme, host, optional port and base path, without a
    /// trailing slash (`https://dynamodb.us-east-1.amazonaws.com`, `http://127.0.0.1:5000`).
    public var url: String
    /// Whether it came from an environment variable rather than the region.
    public var overridden: Bool

    /// The endpoint of `service` (its signing name: `dynamodb`, `s3`, `sqs`) in `region`.
    ///
    /// - Throws: ``SigV4Error``: `.invalidEndpoint` for a service or region that is not
    ///   lower-case letters, digits and `-`; `.invalidEndpointSetting` for an override that
    ///   is not an http(s) URL, naming the variable.
    public static func resolve(service: String, region: String, environment lookup: (String) -> String?) throws(SigV4Error)
        -> AWSEndpoint
    {
        guard isName(service) else {
            throw SigV4Error(.invalidEndpoint, "the service '\(service)' is not an AWS signing name such as dynamodb or s3")
        }
        let ignore = lookup("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() == "true"
        if !ignore {
            let specific = "AWS_ENDPOINT_URL_" + String(service.uppercased().map { $0 == "-" ? "_" : $0 })
            for variable in [specific, "AWS_ENDPOINT_URL"] {
                guard let value = lookup(variable), !value.isEmpty else { continue }
                return AWSEndpoint(url: try checked(value, variable: variable), overridden: true)
            }
        }
        guard isName(region) else {
            throw SigV4Error(.invalidEndpoint, "the region '\(region)' is not an AWS region such as us-east-1 (AWS_REGION)")
        }
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(url: "https://\(service).\(region).\(domain)", overridden: false)
    }

    /// An override, checked as an absolute http(s) URL with no query, its trailing slash dropped.
    private static func checked(_ value: String, variable: String) throws(SigV4Error) -> String {
        let parsed: OutboundURL
        do throws(OutboundError) {
            parsed = try OutboundURL.parse(value)
        } catch {
            throw SigV4Error(.invalidEndpointSetting, "\(variable) is not a usable endpoint: \(error.message)")
        }
        guard !parsed.target.contains("?") else {
            throw SigV4Error(.invalidEndpointSetting, "\(variable) has a query; give scheme, host, port and path only")
        }
        var url = value
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
