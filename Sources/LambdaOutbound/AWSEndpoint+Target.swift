extension AWSEndpoint {
    /// The URL a request given as a path and query (`/`, `/bucket/key?x=1`) goes to.
    ///
    /// S3 names the bucket in the host (virtual-hosted style,
    /// `https://bucket.s3.<region>.amazonaws.com/key`) unless `pathStyle` is asked for, the
    /// endpoint is overridden (a local server such as moto serves paths), or the bucket is
    /// not one DNS label (dots would break the certificate's wildcard); then the bucket
    /// stays in the path (`https://s3.<region>.amazonaws.com/bucket/key`).
    public func url(path: String, service: String, pathStyle: Bool) -> String {
        guard service == "s3", !overridden, !pathStyle, url.hasPrefix("https://") else { return url + path }
        let bytes = Array(path.utf8)
        guard bytes.first == 47 else { return url + path }
        let end = bytes[1...].firstIndex { $0 == 47 || $0 == 63 } ?? bytes.count
        let bucket = bytes[1..<end]
        guard Self.isDNSLabelBucket(bucket) else { return url + path }
        let rest = String(decoding: bytes[end...], as: UTF8.self)
        return "https://" + String(decoding: bucket, as: UTF8.self) + "." + url.dropFirst(8) + (rest.hasPrefix("/") ? rest : "/" + rest)
    }

    /// A bucket name usable as a host label: 3 to 63 lower-case letters, digits and `-`,
    /// starting and ending with a letter or digit.
    static func isDNSLabelBucket(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count >= 3, name.count <= 63, let first = name.first, let last = name.last else { return false }
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alphanumeric(first) && alphanumeric(last) && name.allSatisfy { alphanumeric($0) || $0 == 45 }
    }
}
