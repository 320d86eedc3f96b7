import Foundation
import LambdaOutbound

/// Requests to moto, signed by the project's ``SigV4Signer``, and the DynamoDB and S3 reads
/// and writes tests assert with. Each request is one connection (moto closes it after
/// the reply anyway).
extension MotoServer {
    /// How a request is authorised.
    enum Signing {
        /// SigV4 by the project's signer with these credentials (S3's rules for `s3`).
        case signed(AWSCredentials)
        /// An `Authorization` header whose scope names the service but that signs nothing,
        /// with a key moto does not know: all moto needs to route a request to the service
        /// while checking is off, and what it refuses (`InvalidClientTokenId`) once it is on.
        case scopeOnly
        /// No `Authorization` header.
        case none
    }

    /// Sends one request to the `service` (its signing name: `dynamodb`, `s3`, `iam`, `sts`)
    /// and reads the reply. `path` is as sent (percent-encoded), `query` the text after `?`.
    func send(
        _ service: String, method: String = "POST", path: String = "/", query: String = "",
        headers: [(String, String)] = [], body: [UInt8] = [], signing: Signing
    ) throws -> RawHTTP.Reply {
        try Self.send(
            port: port, service, method: method, path: path, query: query, headers: headers, body: body, signing: signing)
    }

    /// ``send(_:method:path:query:headers:body:signing:)`` to moto on `port`.
    static func send(
        port: Int, _ service: String, method: String = "POST", path: String = "/", query: String = "",
        headers: [(String, String)] = [], body: [UInt8] = [], signing: Signing
    ) throws -> RawHTTP.Reply {
        var sent = [("Host", "127.0.0.1:\(port)")] + headers
        let date = amzDate()
        switch signing {
        case .signed(let credentials):
            let signer = SigV4Signer(region: region, service: service, options: service == "s3" ? .s3 : .init())
            let request = SigV4Signer.Request(
                method: method, path: Array(path.utf8), query: Array(query.utf8),
                headers: sent.map { (Array($0.0.utf8), Array($0.1.utf8)) }, payload: .body(body))
            sent += try signer.sign(request, date: date, credentials: credentials).headers.map { ($0.name, $0.value) }
        case .scopeOnly:
            sent.append(("X-Amz-Date", date))
            sent.append(
                ("Authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/\(date.prefix(8))/\(region)/\(service)/aws4_request, "
                    + "SignedHeaders=host;x-amz-date, Signature=\(String(repeating: "0", count: 64))"))
        case .none:
            break
        }
        var head = "\(method) \(path)\(query.isEmpty ? "" : "?" + query) HTTP/1.1\r\n"
        for (name, value) in sent { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        guard let connection = RawHTTP(port: port, timeout: 30) else { throw Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        guard connection.send(Array(head.utf8) + body), let reply = connection.reply() else {
            throw Failure(description: "no reply from moto to \(method) \(path) (\(service))")
        }
        return reply
    }

    /// A DynamoDB JSON-protocol call (`X-Amz-Target: DynamoDB_20120810.<operation>`),
    /// signed with the user's key unless `signing` says otherwise.
    func dynamoDB(_ operation: String, _ json: String, signing: Signing? = nil) throws -> RawHTTP.Reply {
        try send(
            "dynamodb", headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "DynamoDB_20120810.\(operation)")],
            body: Array(json.utf8), signing: signing ?? .signed(credentials))
    }

    /// Creates a table like ``table`` (string hash key `id`, on demand) named `name`.
    func createTable(_ name: String) throws {
        try expectOK(dynamoDB("CreateTable", Self.createTableRequest(name)), "CreateTable \(name)")
    }

    /// The item whose key `id` is `id` in `table`, as DynamoDB's attribute-value JSON
    /// (`["count": ["N": "2"], …]`), or nil when there is none.
    func item(table: String, id: String) throws -> [String: Any]? {
        let key = String(decoding: try JSONSerialization.data(withJSONObject: [id], options: [.fragmentsAllowed]), as: UTF8.self)
            .dropFirst().dropLast()  // the id as a JSON string, quotes and escapes included
        let reply = try dynamoDB("GetItem", #"{"TableName":"\#(table)","Key":{"id":{"S":\#(key)}},"ConsistentRead":true}"#)
        try expectOK(reply, "GetItem on \(table)")
        let answer = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        return answer?["Item"] as? [String: Any]
    }

    /// The number attribute `attribute` of the item `id` in `table` (nil when either is missing).
    func number(table: String, id: String, attribute: String) throws -> Int? {
        try ((item(table: table, id: id)?[attribute] as? [String: Any])?["N"] as? String).flatMap { Int($0) }
    }

    /// How many items `table` holds (a Scan that counts).
    func itemCount(table: String) throws -> Int {
        let reply = try dynamoDB("Scan", #"{"TableName":"\#(table)","Select":"COUNT"}"#)
        try expectOK(reply, "Scan on \(table)")
        guard let answer = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any], let count = answer["Count"] as? Int
        else { throw Failure(description: "Scan on \(table): no Count in \(reply.text)") }
        return count
    }

    /// Creates the bucket `name`.
    func createBucket(_ name: String) throws {
        try expectOK(send("s3", method: "PUT", path: "/" + name, signing: .signed(credentials)), "CreateBucket \(name)")
    }

    /// Stores `body` as `key` in `bucket` (path style).
    func putObject(bucket: String, key: String, _ body: [UInt8]) throws {
        try expectOK(
            send("s3", method: "PUT", path: Self.objectPath(bucket, key), body: body, signing: .signed(credentials)),
            "PutObject \(bucket)/\(key)")
    }

    /// The bytes of `key` in `bucket`, or nil when S3 says `NoSuchKey`.
    func object(bucket: String, key: String) throws -> [UInt8]? {
        let reply = try send("s3", method: "GET", path: Self.objectPath(bucket, key), signing: .signed(credentials))
        if reply.status == 404 && reply.text.contains("NoSuchKey") { return nil }
        try expectOK(reply, "GetObject \(bucket)/\(key)")
        return reply.body
    }

    /// Throws unless `reply` is a 200, with moto's answer (secrets redacted) in the message.
    func expectOK(_ reply: RawHTTP.Reply, _ what: String) throws {
        guard reply.status == 200 else {
            throw Failure(description: "\(what): moto answered \(reply.status): \(redact(String(reply.text.prefix(1000))))")
        }
    }

    static func createTableRequest(_ name: String) -> String {
        #"{"TableName":"\#(name)","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"#
            + #""KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#
    }

    /// `/bucket/key` with the key percent-encoded but for `/` (as S3's path style sends it).
    static func objectPath(_ bucket: String, _ key: String) -> String {
        "/\(bucket)/" + (key.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: "/"))) ?? key)
    }

    /// RFC 3986's unreserved characters (ASCII letters, digits, `-._~`): all that SigV4
    /// leaves unencoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The current time as SigV4 wants it: `YYYYMMDDTHHMMSSZ`, UTC.
    static func amzDate(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
