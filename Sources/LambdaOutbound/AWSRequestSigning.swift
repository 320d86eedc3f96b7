import CLambdaOutbound

/// What the host needs to sign one AWS request, and signs each attempt with: a retried
/// request is signed again, with a fresh date, as the AWS SDKs do.
///
/// Cost per attempt: copying the request's headers into the signer's form (a few small
/// arrays) and the signer's five HMACs and two SHA-256 passes; the payload is hashed once,
/// before the first attempt.
public struct AWSRequestSigning: Sendable {
    public var signer: SigV4Signer
    public var credentials: AWSCredentials
    /// The payload's SHA-256, 64 lower-case hex digits.
    public var payloadHash: String

    public init(signer: SigV4Signer, credentials: AWSCredentials, payloadHash: String) {
        self.signer = signer
        self.credentials = credentials
        self.payloadHash = payloadHash
    }

    /// The signer's options for `service`: S3 signs its paths as written and wants the
    /// payload's hash in a header; every other service normalises and encodes the path.
    public static func options(service: String) -> SigV4Signer.Options {
        service == "s3" ? .s3 : SigV4Signer.Options()
    }

    /// The SHA-256 of a plugin's body, read through the kernel's checked copy, so that a
    /// body_size larger than the plugin's memory is refused instead of faulting the host.
    ///
    /// - Throws: `.invalidRequest` when the body is not readable for all of its size.
    public static func payloadHash(_ body: UnsafeRawBufferPointer) throws(OutboundError) -> String {
        var context = lh_sha256_context()
        lh_sha256_init(&context)
        if let base = body.baseAddress, body.count > 0 {
            let chunk = 16 * 1024
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            defer { scratch.deallocate() }
            var offset = 0
            while offset < body.count {
                let take = min(chunk, body.count - offset)
                guard lh_copy_checked(scratch, base + offset, take) == 0 else {
                    throw OutboundError.invalid(
                        "request.body is not readable for all of its body_size (\(body.count)) bytes; give the body's true size")
                }
                lh_sha256_update(&context, scratch, take)
                offset += take
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { lh_sha256_final(&context, $0.baseAddress) }
        return SigV4Signer.hex(digest)
    }

    /// The headers to add to one attempt of the request (`X-Amz-Date`,
    /// `X-Amz-Content-Sha256`, `X-Amz-Security-Token`, `Authorization`), signed at `date`
    /// (`YYYYMMDDTHHMMSSZ`) over `Host`, the plugin's headers and those.
    ///
    /// - Throws: `.invalidRequest` when the request cannot be signed (a header the signer
    ///   adds is already there, a method or path it cannot canonicalise).
    public func headers<Headers: Sequence<OutboundHeader>>(
        method: UnsafeRawBufferPointer, url: OutboundURL, headers: Headers, date: String
    ) throws(OutboundError) -> [(name: String, value: String)] {
        let target = Array(url.target.utf8)
        let question = target.firstIndex(of: 63) ?? target.count
        var signed: [(name: [UInt8], value: [UInt8])] = [(Array("host".utf8), Array(url.hostHeader.utf8))]
        for header in headers { signed.append((Array(header.name), Array(header.value))) }
        let request = SigV4Signer.Request(
            method: String(decoding: method, as: UTF8.self), path: Array(target[..<question]),
            query: question < target.count ? Array(target[(question + 1)...]) : [], headers: signed,
            payload: .hash(payloadHash))
        do throws(SigV4Error) {
            return try signer.sign(request, date: date, credentials: credentials).headers
        } catch {
            throw OutboundError.invalid("cannot sign the request for \(signer.service): \(error.message)")
        }
    }
}
