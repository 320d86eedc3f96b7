import LambdaPlugin

/// A response from the host's outbound HTTP client, copied out of the host's memory.
public struct LambdaHTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The headers in the order received.
    public var headers: [(name: String, value: String)]
    /// The body, decoded from chunked encoding.
    public var body: [UInt8]

    /// The first value of the header `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text (invalid bytes repaired).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as JSON into `type`.
    ///
    /// - Throws: ``LambdaHTTPError`` (`.invalidResponse`) when the body is not that JSON.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws(LambdaHTTPError) -> Value {
        do {
            return try LambdaJSONDecoder().decode(Value.self, from: body)
        } catch {
            throw LambdaHTTPError(.invalidResponse, "the response (status \(status)) is not a valid \(Value.self): \(error)")
        }
    }
}
