import LambdaPlugin

/// Runs a handler in a unit test, with no lambda-host: a fake `lambda_host_api` table
/// records what the handler answers, streams and logs, and a `lambda_invocation` built
/// from a ``LambdaTestInvocation`` carries the event and context.
///
/// ```swift
/// import LambdaPluginTesting
/// import Testing
///
/// @Test func greets() throws {
///     // The two-function form: the plugin's own `@c` handler function.
///     let result = LambdaTestHost.run(LambdaTestInvocation(event: #"{"name": "World"}"#), handler: handler)
///     #expect(try result.decode(Greeting.self).message == "Hello, World!")
///     // The one-declaration form: the plugin's entry point, whose descriptor holds the handler.
///     let same = try LambdaTestHost.run(LambdaTestInvocation(event: #"{"name": "World"}"#), plugin: lambda_plugin_v1)
///     #expect(same.responseText == #"{"message":"Hello, World!"}"#)
/// }
/// ```
///
/// The fake host has `respond`, `fail`, `log`, `remaining_time_ms` (from the deadline) and
/// the stream functions, with the real host's once-per-invocation rules; outbound HTTP
/// and AWS calls answer `LAMBDA_E_UNSUPPORTED`. It runs no init hook (pass its state in
/// ``LambdaTestInvocation/state``). Calls from the handler's own threads are recorded too,
/// but must end before the handler returns, and must not overlap one another.
///
/// Cost per run: a few small allocations (the table, the invocation, its strings) and a
/// copy of everything the handler answers, streams and logs.
public enum LambdaTestHost {
    /// The wall clock in milliseconds since the Unix epoch: the clock of deadlines.
    public static var nowMilliseconds: Int64 { lambda_plugin_now_ms() }

    /// Runs `handler` once with `invocation`: the plugin's `@c` handler function (the
    /// two-function form), or any `lambda_handler_fn`.
    public static func run(
        _ invocation: LambdaTestInvocation, handler: (UnsafePointer<lambda_invocation>?) -> lambda_status
    ) -> LambdaTestResult {
        let recorder = LambdaTestRecorder(deadline: invocation.deadlineMilliseconds ?? nowMilliseconds + 3_000)
        let table = UnsafeMutablePointer<lambda_host_api>.allocate(capacity: 1)
        table.initialize(to: fakeTable)
        var strings = CStrings()
        let payload = strings.copy(invocation.event)
        let made = UnsafeMutablePointer<lambda_invocation>.allocate(capacity: 1)
        made.initialize(
            to: lambda_invocation(
                struct_size: UInt32(MemoryLayout<lambda_invocation>.size), reserved: 0, host: UnsafePointer(table),
                state: invocation.state, payload: UnsafePointer(payload), payload_size: invocation.event.count,
                request_id: strings.copy(invocation.requestID), deadline_ms: recorder.deadline,
                invoked_function_arn: strings.copy(invocation.invokedFunctionARN), trace_id: strings.copy(invocation.traceID),
                client_context: strings.copy(invocation.clientContext),
                cognito_identity: strings.copy(invocation.cognitoIdentity), tenant_id: strings.copy(invocation.tenantID),
                host_private: Unmanaged.passUnretained(recorder).toOpaque()))
        let status = withExtendedLifetime(recorder) { handler(UnsafePointer(made)) }
        made.deinitialize(count: 1)
        made.deallocate()
        table.deinitialize(count: 1)
        table.deallocate()
        strings.free()
        var result = recorder.result
        result.status = status
        return result
    }

    /// Runs the handler of a plugin written in the one-declaration form: calls its entry
    /// point (`lambda_plugin_v1`) and runs the handler its descriptor holds.
    ///
    /// - Throws: ``LambdaTestHostError`` when the descriptor holds no handler (a plugin of
    ///   the two-function form: pass its `@c` handler to ``run(_:handler:)``).
    public static func run(
        _ invocation: LambdaTestInvocation, plugin entry: () -> UnsafePointer<lambda_plugin_descriptor>
    ) throws -> LambdaTestResult {
        let descriptor = entry()
        let size = UnsafeRawPointer(descriptor).load(
            fromByteOffset: MemoryLayout<lambda_plugin_descriptor>.offset(of: \.struct_size) ?? 8, as: UInt32.self)
        guard let offset = MemoryLayout<lambda_plugin_descriptor>.offset(of: \.handler),
            Int(size) >= offset + MemoryLayout<lambda_handler_fn?>.size,
            let handler = descriptor.pointee.handler
        else {
            throw LambdaTestHostError(
                message: "the plugin's descriptor holds no handler: register it with a handler closure "
                    + "(LambdaPluginDescriptor.register(name:version:) { ... }), or pass its @c handler to run(_:handler:)")
        }
        return run(invocation, handler: { handler($0) })
    }

    /// The fake host's table: every callback finds its run's recorder through the
    /// invocation, so the table holds no state of its own.
    private static var fakeTable: lambda_host_api {
        lambda_host_api(
            struct_size: UInt32(MemoryLayout<lambda_host_api>.size),
            abi_major: UInt16(LAMBDA_PLUGIN_ABI_MAJOR),
            abi_minor: UInt16(LAMBDA_PLUGIN_ABI_MINOR),
            respond: { invocation, data, size in
                LambdaTestRecorder.of(invocation)?.respond(data, size) ?? LAMBDA_E_INVALID
            },
            fail: { invocation, type, message in
                LambdaTestRecorder.of(invocation)?.fail(type, message) ?? LAMBDA_E_INVALID
            },
            log: { invocation, level, message, size in
                LambdaTestRecorder.of(invocation)?.log(level, message, size)
            },
            remaining_time_ms: { invocation in
                LambdaTestRecorder.of(invocation)?.remaining() ?? 0
            },
            stream_begin: { invocation, contentType in
                LambdaTestRecorder.of(invocation)?.streamBegin(contentType) ?? LAMBDA_E_INVALID
            },
            stream_write: { invocation, data, size in
                LambdaTestRecorder.of(invocation)?.streamWrite(data, size) ?? LAMBDA_E_INVALID
            },
            stream_end: { invocation in
                LambdaTestRecorder.of(invocation)?.streamEnd() ?? LAMBDA_E_INVALID
            },
            http_request: { _, _, _ in LAMBDA_E_UNSUPPORTED },
            http_prewarm: { _, _ in LAMBDA_E_UNSUPPORTED },
            last_error: { _ in
                UnsafeRawPointer(("LambdaPluginTesting fakes no outbound HTTP" as StaticString).utf8Start)
                    .assumingMemoryBound(to: CChar.self)
            })
    }
}

/// C copies of the invocation's strings, freed together after the run.
private struct CStrings {
    private var made: [UnsafeMutablePointer<CChar>] = []

    /// A NUL-terminated copy of `bytes`.
    mutating func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
        bytes.withUnsafeBytes { if let base = $0.baseAddress { raw.copyMemory(from: base, byteCount: $0.count) } }
        raw.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        let copy = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        made.append(copy)
        return copy
    }

    mutating func copy(_ text: String) -> UnsafePointer<CChar> { UnsafePointer(copy(Array(text.utf8))) }

    mutating func copy(_ text: String?) -> UnsafePointer<CChar>? { text.map { copy($0) } }

    func free() { made.forEach { $0.deallocate() } }
}
