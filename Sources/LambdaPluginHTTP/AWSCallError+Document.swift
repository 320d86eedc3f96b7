import LambdaPlugin

extension AWSCallError {
    /// The most characters of an answer's body quoted in a message when it holds no error
    /// document: enough to recognise a proxy's error page, not a whole one.
    static let quotedBodyLimit = 200

    /// AWS's refusal of a JSON-protocol call (DynamoDB, SQS, ...) from its answer: the code
    /// from the `X-Amzn-Errortype` header, else the body's `code`/`Code`, else its
    /// `__type` (`com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` gives
    /// `ResourceNotFoundException`: the text after the last `#`, before any `:`), as the
    /// awsJson protocols define it; the message from `message` or `Message`.
    ///
    /// Cost: one JSON decode of the body.
    public init(jsonResponse response: LambdaHTTPResponse) {
        let document = try? LambdaJSONDecoder().decode(JSONErrorDocument.self, from: response.body)
        let code = [response.header("X-Amzn-Errortype"), document?.code, document?.type].lazy
            .compactMap { $0.map(Self.shapeName) }.first { !$0.isEmpty }
        self.init(response, code: code, message: document?.message)
    }

    /// AWS's refusal of an S3 call (or another XML-protocol service's) from its error
    /// document, `<Error><Code>NoSuchKey</Code><Message>...</Message>...</Error>`, read with
    /// a tag search (no XML library): the first `Code`, `Message` and `RequestId` elements,
    /// their entities decoded. An answer without a body (HEAD) gives the status as the code.
    public init(xmlResponse response: LambdaHTTPResponse) {
        self.init(
            response, code: Self.xmlElement("Code", in: response.body), message: Self.xmlElement("Message", in: response.body),
            requestID: Self.xmlElement("RequestId", in: response.body))
    }

    private init(_ response: LambdaHTTPResponse, code: String?, message: String?, requestID: String? = nil) {
        let status = response.status
        let text = String(response.text.prefix(Self.quotedBodyLimit))
        let fallback = "AWS answered with status \(status) and no error message" + (text.isEmpty ? "" : ": \(text)")
        func given(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            code: given(code) ?? String(status), message: given(message) ?? fallback, status: status,
            requestID: response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id") ?? requestID)
    }

    /// The error's name from a JSON protocol's type text: after the last `#` of the part
    /// before the first `:`.
    static func shapeName(_ type: String) -> String {
        let beforeColon = type.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let name = beforeColon.split(separator: "#", omittingEmptySubsequences: false).last ?? ""
        return String(name.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// The text of the first element `<name>...</name>` in `body`, entities decoded; nil
    /// when there is none. Attributes on the element are not expected and not matched.
    static func xmlElement(_ name: String, in body: [UInt8]) -> String? {
        let open = Array("<\(name)>".utf8)
        let close = Array("</\(name)>".utf8)
        guard let start = find(open, in: body, from: 0).map({ $0 + open.count }),
            let end = find(close, in: body, from: start)
        else { return nil }
        return decodeEntities(String(decoding: body[start..<end], as: UTF8.self))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }

    /// XML's five named entities and numeric character references; anything else stays as
    /// written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";"),
                let decoded = entity(rest[rest.index(after: rest.startIndex)..<semicolon])
            else {
                result.append("&")
                rest = rest.dropFirst()
                continue
            }
            result.append(decoded)
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    private static func entity(_ name: Substring) -> Character? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
            guard name.hasPrefix("#"), let value = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                let scalar = Unicode.Scalar(value)
            else { return nil }
            return Character(scalar)
        }
    }
}

/// The fields of an awsJson error document the SDK reads; each one that is not a string
/// is taken as absent rather than failing the whole document.
private struct JSONErrorDocument: Decodable {
    var type: String?
    var code: String?
    var message: String?

    private enum Keys: String, CodingKey {
        case type = "__type", code, Code, message, Message
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: Keys.self)
        func text(_ key: Keys) -> String? { (try? fields.decodeIfPresent(String.self, forKey: key)) ?? nil }
        type = text(.type)
        code = text(.code) ?? text(.Code)
        message = text(.message) ?? text(.Message)
    }
}
