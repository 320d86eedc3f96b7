import CLambdaPlugin
@_exported import LambdaJSON

/// Runs Swift handlers behind a plugin's exported C symbol.
///
/// ```swift
/// @c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
///     LambdaPlugin.handle(invocation) { (person: Person, context) in
///         Greeting(message: "Hello, \(person.name)!")
///     }
/// }
/// ```
///
/// The SDK is linked into each plugin; only the Swift runtime is shared with the host.
/// It never lets a Swift error cross into C: a thrown error becomes a Lambda error.
public enum LambdaPlugin {
    /// Decodes the event as JSON into `Event`, calls `body`, and answers with its result
    /// encoded as JSON.
    ///
    /// Cost: the decode and encode (``LambdaJSONDecoder`` and ``LambdaJSONEncoder``, which
    /// read and write what FoundationEssentials' coders do, without loading Foundation) and
    /// one copy of the response into the host. A decoding failure answers `Runtime.InvalidEvent`; an
    /// error thrown by `body` answers its ``LambdaPluginError/errorType`` or its type name.
    public static func handle<Event: Decodable, Output: Encodable>(
        _ invocation: UnsafePointer<lambda_invocation>?,
        _ body: (Event, LambdaContext) throws -> Output
    ) -> lambda_status {
        handleBytes(invocation) { payload, context in
            let output = try body(try decode(Event.self, from: payload), context)
            do {
                return try LambdaJSONEncoder().encode(output)
            } catch {
                throw InvalidResponse(errorMessage: "the result could not be encoded as JSON: \(error)")
            }
        }
    }

    /// Calls `body` with the raw event and answers with the bytes it returns.
    public static func handleBytes(
        _ invocation: UnsafePointer<lambda_invocation>?,
        _ body: (UnsafeRawBufferPointer, LambdaContext) throws -> [UInt8]
    ) -> lambda_status {
        guard let invocation, let host = invocation.pointee.host else { return LAMBDA_E_INVALID }
        let payload = UnsafeRawBufferPointer(start: invocation.pointee.payload, count: invocation.pointee.payload_size)
        do {
            let response = try body(payload, LambdaContext(invocation))
            guard let respond = HostTable(host: host).function(\.respond) else { return LAMBDA_E_INVALID }
            return response.withUnsafeBytes { respond(invocation, $0.baseAddress, $0.count) }
        } catch let error as LambdaPluginError {
            return fail(invocation, type: error.errorType, message: error.errorMessage)
        } catch {
            return fail(invocation, type: String(describing: type(of: error)), message: String(describing: error))
        }
    }

    /// Answers with a stream: `body` writes chunks that reach the caller as they are
    /// written; the stream ends when `body` returns. An error `body` throws after the
    /// first write reaches Lambda in the stream's trailers; before it, as a plain error.
    public static func stream(
        _ invocation: UnsafePointer<lambda_invocation>?,
        contentType: String = "application/octet-stream",
        _ body: (LambdaResponseStreamWriter, LambdaContext) throws -> Void
    ) -> lambda_status {
        guard let invocation, let host = invocation.pointee.host else { return LAMBDA_E_INVALID }
        let writer = LambdaResponseStreamWriter(invocation: invocation, host: host, contentType: contentType)
        do {
            try body(writer, LambdaContext(invocation))
            try writer.end()
            return LAMBDA_OK
        } catch let error as LambdaPluginError {
            return fail(invocation, type: error.errorType, message: error.errorMessage)
        } catch {
            return fail(invocation, type: String(describing: type(of: error)), message: String(describing: error))
        }
    }

    /// Answers with a stream, as ``stream(_:contentType:_:)`` does, and hands `body` the
    /// event decoded as JSON into `Event` (as ``handle(_:_:)`` decodes it):
    ///
    /// ```swift
    /// LambdaPlugin.stream(invocation, contentType: "text/plain") { (order: Order, writer, context) in
    ///     for line in order.lines { try writer.write(line + "\n") }
    /// }
    /// ```
    ///
    /// A decoding failure answers `Runtime.InvalidEvent` before anything is streamed.
    /// Cost: the decode, as in ``handle(_:_:)``.
    public static func stream<Event: Decodable>(
        _ invocation: UnsafePointer<lambda_invocation>?,
        contentType: String = "application/octet-stream",
        _ body: (Event, LambdaResponseStreamWriter, LambdaContext) throws -> Void
    ) -> lambda_status {
        guard let invocation else { return LAMBDA_E_INVALID }
        let event: Event
        do {
            event = try decode(Event.self, from: UnsafeRawBufferPointer(start: invocation.pointee.payload, count: invocation.pointee.payload_size))
        } catch {
            return fail(invocation, type: error.errorType, message: error.errorMessage)
        }
        return stream(invocation, contentType: contentType) { writer, context in try body(event, writer, context) }
    }

    /// The event decoded as JSON, or ``InvalidEvent`` that says why not.
    private static func decode<Event: Decodable>(_ type: Event.Type, from payload: UnsafeRawBufferPointer) throws(InvalidEvent) -> Event {
        do {
            return try LambdaJSONDecoder().decode(Event.self, from: payload)
        } catch {
            throw InvalidEvent(errorMessage: "the event is not a valid \(Event.self): \(error)")
        }
    }

    /// Answers the invocation with an error.
    @discardableResult
    public static func fail(_ invocation: UnsafePointer<lambda_invocation>, type: String, message: String) -> lambda_status {
        guard let host = invocation.pointee.host, let fail = HostTable(host: host).function(\.fail) else { return LAMBDA_E_INVALID }
        let status = fail(invocation, type, message)
        return status == LAMBDA_OK ? LAMBDA_ERROR : status
    }
}

struct InvalidEvent: LambdaPluginError {
    var errorType: String { LambdaPluginErrorTypes.invalidEvent }
    var errorMessage: String
}

struct InvalidResponse: LambdaPluginError {
    var errorType: String { LambdaPluginErrorTypes.invalidResponse }
    var errorMessage: String
}
