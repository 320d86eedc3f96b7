import CLambdaSystem
import LambdaOutbound

/// The ABI 1.3 part of `http_request`: a request that names an AWS service is sent to
/// the service's endpoint and signed with the function's credentials.
enum AWSRequest {
    /// The most bytes of a service or region name read.
    static let maxNameBytes = 64

    /// Where the request goes and how to sign it.
    struct Prepared {
        /// The absolute URL, allocated; the caller deallocates it.
        var url: UnsafeMutableBufferPointer<UInt8>
        var signing: AWSRequestSigning
    }

    /// Resolves the endpoint, finds the credentials (fetching them from the
    /// container-credentials endpoint through `session` when that is their source) and
    /// hashes the payload.
    ///
    /// - Throws: `.invalidRequest` for a name or URL the plugin got wrong, `.signing` when
    ///   there is no region or no credentials (nothing is sent either way).
    static func prepare(
        service serviceText: UnsafePointer<CChar>, region regionText: UnsafePointer<CChar>?, url: UnsafeBufferPointer<UInt8>,
        pathStyle: Bool, body: UnsafeRawBufferPointer, session: OutboundSession, deadline: Int64, outbound: OutboundState
    ) throws(OutboundError) -> Prepared {
        let service = try name(serviceText, "request.aws_service")
        let environment = outbound.configuration.aws
        guard let region = try regionText.map({ (text) throws(OutboundError) in try name(text, "request.aws_region") }) ?? environment.region
        else {
            throw OutboundError(
                .signing, sent: false, "not sent: no region to sign for; set AWS_REGION (Lambda sets it) or request.aws_region")
        }
        let endpoint: AWSEndpoint
        do throws(SigV4Error) {
            endpoint = try AWSEndpoint.resolve(service: service, region: region) { environment[$0] }
        } catch {
            // A bad name is the plugin's to fix; a bad override is the function's configuration.
            throw OutboundError(
                error.code == .invalidEndpointSetting ? .signing : .invalidRequest, sent: false,
                error.code == .invalidEndpointSetting ? "not sent: " + error.message : error.message)
        }
        let given = String(decoding: url, as: UTF8.self)
        let target = url.first == 47 ? endpoint.url(path: given, service: service, pathStyle: pathStyle) : given
        let credentials = try outbound.credentials.credentials(now: AWSTimestamp.now()) { (address, token) throws(OutboundError) in
            try session.fetch(address, headers: token.map { [("Authorization", $0)] } ?? [], deadline: deadline)
        }
        let signing = AWSRequestSigning(
            signer: SigV4Signer(region: region, service: service, options: AWSRequestSigning.options(service: service)),
            credentials: credentials, payloadHash: try AWSRequestSigning.payloadHash(body))
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: target.utf8.count)
        _ = bytes.initialize(from: target.utf8)
        return Prepared(url: bytes, signing: signing)
    }

    private static func name(_ text: UnsafePointer<CChar>, _ field: String) throws(OutboundError) -> String {
        let length = strnlen(text, maxNameBytes + 1)
        guard length > 0, length <= maxNameBytes else {
            throw OutboundError(.invalidRequest, sent: false, "\(field) is empty or longer than \(maxNameBytes) bytes; give a name such as dynamodb or us-east-1")
        }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }
}
