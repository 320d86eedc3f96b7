import CLambdaOutbound

/// Signs HTTP requests with AWS Signature Version 4 in the `Authorization` header form:
/// canonical request, string to sign, the HMAC-SHA-256 key chain, and the headers to add.
///
/// Pure computation, no I/O and no clock: the caller passes the date, so a retried request
/// is signed again with a fresh one. Costs five HMACs and two or three SHA-256 passes (plus
/// one over the body when given the body), a few hundred bytes hashed in all.
public struct SigV4Signer: Sendable {
    /// What differs between services.
    public struct Options: Sendable {
        /// Remove `.`/`..` and empty path segments before signing: true for every service
        /// but S3, which signs object keys exactly as written.
        public var normalizePath: Bool
        /// Percent-encode the path (as sent) once more: true for every service but S3.
        public var encodePath: Bool
        /// Add and sign `X-Amz-Content-Sha256` with the payload's hash, as S3 requires.
        public var addContentSHA256: Bool
        /// Sign `X-Amz-Security-Token` (the default, as AWS's signers do); false adds it
        /// after signing, for the few services that want it outside the signature.
        public var signSessionToken: Bool

        /// Options for services other than S3.
        public init(
            normalizePath: Bool = true, encodePath: Bool = true, addContentSHA256: Bool = false,
            signSessionToken: Bool = true
        ) {
            self.normalizePath = normalizePath
            self.encodePath = encodePath
            self.addContentSHA256 = addContentSHA256
            self.signSessionToken = signSessionToken
        }

        /// S3's rules: the path as written, the payload hash in a header.
        public static let s3 = Options(normalizePath: false, encodePath: false, addContentSHA256: true)
    }

    /// The payload as the signature covers it.
    public enum Payload: Sendable {
        /// The body itself; the signer hashes it.
        case body([UInt8])
        /// The body's SHA-256 as 64 lower-case hex digits, or a literal AWS accepts in its
        /// place (`UNSIGNED-PAYLOAD` for S3).
        case hash(String)
    }

    /// One request to sign. `path` is the path as sent (percent-encoded, without `?`),
    /// `query` the raw text after `?`, `headers` the request's own headers (`Host` among
    /// them: it must be signed), in the order they are sent.
    public struct Request: Sendable {
        public var method: String
        public var path: [UInt8]
        public var query: [UInt8]
        public var headers: [(name: [UInt8], value: [UInt8])]
        public var payload: Payload

        /// Creates a request to sign.
        public init(method: String, path: [UInt8], query: [UInt8], headers: [(name: [UInt8], value: [UInt8])], payload: Payload)
        {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payload = payload
        }
    }

    /// What signing produced: the intermediate steps (for tests and debugging; they hold no
    /// secret) and the headers to add to the request, in order.
    public struct Signature: Sendable {
        public var canonicalRequest: [UInt8]
        public var stringToSign: [UInt8]
        /// The signature, 64 lower-case hex digits.
        public var signature: String
        /// `X-Amz-Date`, then `X-Amz-Content-Sha256` and `X-Amz-Security-Token` when they
        /// apply, then `Authorization`. The token is a credential: never log these values.
        public var headers: [(name: String, value: String)]
    }

    /// The AWS region (`us-east-1`) and the service's signing name (`dynamodb`, `s3`).
    public var region: String
    public var service: String
    public var options: Options

    /// Creates a signer for one service in one region.
    public init(region: String, service: String, options: Options = Options()) {
        self.region = region
        self.service = service
        self.options = options
    }

    /// Signs `request` at `date` (`YYYYMMDDTHHMMSSZ`, UTC) with `credentials`.
    public func sign(_ request: Request, date: String, credentials: AWSCredentials) throws(SigV4Error) -> Signature {
        let dateBytes = Array(date.utf8)
        guard dateBytes.count == 16, dateBytes[8] == 0x54, dateBytes[15] == 0x5A,
            (dateBytes[0..<8] + dateBytes[9..<15]).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else {
            throw SigV4Error(.invalidDate, "the date must be YYYYMMDDTHHMMSSZ in UTC, e.g. 20150830T123600Z")
        }
        for (what, value) in [("region", region), ("service", service), ("access key id", credentials.accessKeyId)] {
            guard !value.isEmpty, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2F && $0 != 0x2C }) else {
                throw SigV4Error(.invalidRequest, "the \(what) must be non-empty printable ASCII without '/', ',' or spaces")
            }
        }
        let added = ["x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "authorization"]
        for header in request.headers {
            let name = String(decoding: header.name, as: UTF8.self).lowercased()
            if added.contains(name) {
                throw SigV4Error(.invalidRequest, "the request already has '\(name)'; the signer adds it, remove it from the request")
            }
        }

        let payloadHash: String
        switch request.payload {
        case .body(let body): payloadHash = Self.hex(Self.sha256(body))
        case .hash(let hash):
            guard !hash.isEmpty, AWSCredentials.isVisibleASCII(hash) else {
                throw SigV4Error(.invalidRequest, "the payload hash must be hex digits or a literal such as UNSIGNED-PAYLOAD")
            }
            payloadHash = hash
        }

        var headersToAdd: [(name: String, value: String)] = [("X-Amz-Date", date)]
        if options.addContentSHA256 { headersToAdd.append(("X-Amz-Content-Sha256", payloadHash)) }
        var tokenAfter: String? = nil
        if let token = credentials.sessionToken {
            if options.signSessionToken {
                headersToAdd.append(("X-Amz-Security-Token", token))
            } else {
                tokenAfter = token
            }
        }
        let signedHeaders = request.headers + headersToAdd.map { (Array($0.name.utf8), Array($0.value.utf8)) }
        let canonical = try SigV4CanonicalRequest(
            method: Array(request.method.utf8), path: request.path, query: request.query, headers: signedHeaders,
            payloadHash: Array(payloadHash.utf8), normalizePath: options.normalizePath, encodePath: options.encodePath)

        let day = String(decoding: dateBytes[0..<8], as: UTF8.self)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = Array("AWS4-HMAC-SHA256\n\(date)\n\(scope)\n\(Self.hex(Self.sha256(canonical.bytes)))".utf8)

        var key = Self.hmac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        for part in [region, service, "aws4_request"] { key = Self.hmac(key: key, Array(part.utf8)) }
        let signature = Self.hex(Self.hmac(key: key, stringToSign))

        if let token = tokenAfter { headersToAdd.append(("X-Amz-Security-Token", token)) }
        let signedNames = String(decoding: canonical.signedHeaders, as: UTF8.self)
        headersToAdd.append(
            ("Authorization",
             "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"))
        return Signature(
            canonicalRequest: canonical.bytes, stringToSign: stringToSign, signature: signature, headers: headersToAdd)
    }

    // MARK: Hashing (CLambdaOutbound's SHA-256)

    /// The SHA-256 digest of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { data in
            out.withUnsafeMutableBufferPointer { lh_sha256(data.baseAddress, data.count, $0.baseAddress) }
        }
        return out
    }

    /// HMAC-SHA-256 of `data` under `key`.
    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                out.withUnsafeMutableBufferPointer {
                    lh_hmac_sha256(keyBytes.baseAddress, keyBytes.count, dataBytes.baseAddress, dataBytes.count, $0.baseAddress)
                }
            }
        }
        return out
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
