import LambdaPlugin
import LambdaPluginTesting
import Testing

// Handlers as a plugin would write them, run with LambdaPluginTesting's fake host: no
// lambda-host, no library, no process.

private struct Person: Decodable {
    let name: String
}

private struct Greeting: Codable, Equatable {
    let message: String
}

private struct EmptyName: LambdaPluginError {
    var errorType: String { "Greeter.EmptyName" }
    var errorMessage: String { "the event's name is empty" }
}

private struct Order: Decodable {
    var word: String
    var count: Int
}

/// The two-function form's handler (a plugin marks it `@c public`).
private func greet(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.handle(invocation) { (person: Person, context) in
        context.log("greeting \(person.name)", level: .warn)
        guard !person.name.isEmpty else { throw EmptyName() }
        return Greeting(message: "Hello, \(person.name)!")
    }
}

/// A streaming handler that receives its decoded event.
private func ticks(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.stream(invocation, contentType: "text/plain") { (order: Order, writer, context) in
        for index in stride(from: 1, through: order.count, by: 1) { try writer.write("\(order.word) \(index)\n") }
    }
}

/// Answers with everything its context says.
private func context(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.handleBytes(invocation) { payload, context in
        let fields = [
            context.requestID, context.invokedFunctionARN, context.traceID ?? "-", context.clientContext ?? "-",
            context.cognitoIdentity ?? "-", context.tenantID ?? "-", String(context.deadlineMilliseconds),
            String(context.remainingMilliseconds), String(payload.count),
        ]
        return Array(fields.joined(separator: "|").utf8)
    }
}

/// A function URL answer.
private func created(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.stream(invocation) { writer, _ in
        try writer.writeStatusAndHeaders(statusCode: 201, headers: ["X-Made": "yes"], cookies: ["a=b"])
        try writer.write("made")
    }
}

/// The one-declaration form: the test binary's one registration (a process holds one).
private func oneDeclaration() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "greeter", version: "1.0.0") { (person: Person, context) in
        Greeting(message: "Hi, \(person.name)!")
    }
}

@Suite struct LambdaPluginTestingTests {
    @Test func aCodableAnswerIsRecordedAndDecoded() throws {
        let result = LambdaTestHost.run(LambdaTestInvocation(event: #"{"name": "World"}"#), handler: greet)
        #expect(result.status == LAMBDA_OK)
        #expect(result.responseText == #"{"message":"Hello, World!"}"#)
        #expect(try result.decode(Greeting.self) == Greeting(message: "Hello, World!"))
        #expect(result.error == nil)
        #expect(result.streamContentType == nil)
    }

    @Test func aThrownPluginErrorBecomesTheFailure() throws {
        let result = LambdaTestHost.run(LambdaTestInvocation(event: #"{"name": ""}"#), handler: greet)
        #expect(result.status == LAMBDA_ERROR)
        #expect(result.response == nil)
        #expect(result.error == LambdaTestResult.Failure(type: "Greeter.EmptyName", message: "the event's name is empty"))
        let error = #expect(throws: LambdaTestHostError.self) { try result.decode(Greeting.self) }
        #expect(error?.message.contains("failed with Greeter.EmptyName") == true)

        let invalid = LambdaTestHost.run(LambdaTestInvocation(event: "[]"), handler: greet)
        #expect(invalid.error?.type == "Runtime.InvalidEvent")
    }

    @Test func aLogLineIsRecordedWithItsLevel() {
        let result = LambdaTestHost.run(LambdaTestInvocation(event: #"{"name": "Ada"}"#), handler: greet)
        #expect(result.logs == [LambdaTestResult.LogLine(level: LambdaLogLevel.warn.rawValue, message: "greeting Ada")])
    }

    @Test func aStreamingHandlerGetsItsDecodedEvent() {
        let result = LambdaTestHost.run(LambdaTestInvocation(event: #"{"word": "tick", "count": 2}"#), handler: ticks)
        #expect(result.status == LAMBDA_OK)
        #expect(result.streamContentType == "text/plain")
        #expect(result.chunks.map { String(decoding: $0, as: UTF8.self) } == ["tick 1\n", "tick 2\n"])
        #expect(result.streamEnded)
        #expect(result.response == nil)

        // A decoding failure answers before anything is streamed.
        let bad = LambdaTestHost.run(LambdaTestInvocation(event: #"{"word": 1}"#), handler: ticks)
        #expect(bad.error?.type == "Runtime.InvalidEvent")
        #expect(bad.streamContentType == nil)
        #expect(bad.chunks.isEmpty)
    }

    @Test func aFunctionURLStreamIsSplitIntoStatusHeadersAndBody() throws {
        let result = LambdaTestHost.run(LambdaTestInvocation(event: "{}"), handler: created)
        let http = try #require(result.httpResponse)
        #expect(http.statusCode == 201)
        #expect(http.headers == ["X-Made": "yes"])
        #expect(http.cookies == ["a=b"])
        #expect(http.body == Array("made".utf8))
    }

    @Test func remainingTimeComesFromTheDeadline() throws {
        var invocation = LambdaTestInvocation(event: "{}")
        invocation.expire(inMilliseconds: 60_000)
        let fields = try #require(LambdaTestHost.run(invocation, handler: context).responseText).split(separator: "|")
        let remaining = try #require(Int64(fields[7]))
        #expect(remaining > 50_000 && remaining <= 60_000, "\(remaining)")
        #expect(fields[6] == "\(invocation.deadlineMilliseconds ?? 0)")

        invocation.deadlineMilliseconds = LambdaTestHost.nowMilliseconds - 1
        let late = try #require(LambdaTestHost.run(invocation, handler: context).responseText).split(separator: "|")
        #expect(late[7] == "0")
    }

    @Test func everyContextFieldIsSettable() throws {
        var invocation = LambdaTestInvocation(event: "12345")
        invocation.requestID = "req-1"
        invocation.invokedFunctionARN = "arn:aws:lambda:eu-west-1:1:function:f:live"
        invocation.traceID = "Root=1-2-3"
        invocation.clientContext = #"{"client":{}}"#
        invocation.cognitoIdentity = #"{"cognitoIdentityId":"x"}"#
        invocation.tenantID = "tenant-7"
        let text = try #require(LambdaTestHost.run(invocation, handler: context).responseText)
        #expect(text.hasPrefix(#"req-1|arn:aws:lambda:eu-west-1:1:function:f:live|Root=1-2-3|{"client":{}}|{"cognitoIdentityId":"x"}|tenant-7|"#), "\(text)")
        #expect(text.hasSuffix("|5"))

        let unset = try #require(LambdaTestHost.run(LambdaTestInvocation(event: ""), handler: context).responseText)
        #expect(unset.split(separator: "|")[2...5] == ["-", "-", "-", "-"])
    }

    @Test func aPluginOfTheOneDeclarationFormRunsThroughItsDescriptor() throws {
        let result = try LambdaTestHost.run(try LambdaTestInvocation(json: ["name": "Grace"]), plugin: oneDeclaration)
        #expect(try result.decode(Greeting.self) == Greeting(message: "Hi, Grace!"))
        let descriptor = oneDeclaration().pointee
        #expect(descriptor.abi_minor == 4)
        #expect(Int(descriptor.struct_size) == MemoryLayout<lambda_plugin_descriptor>.size)
    }

    @Test func aDescriptorWithoutAHandlerIsRefused() {
        let twoFunctions: () -> UnsafePointer<lambda_plugin_descriptor> = {
            // Built by hand: the SDK's descriptor is one per process, and this test's
            // process already holds the one-declaration form's.
            let made = UnsafeMutablePointer<lambda_plugin_descriptor>.allocate(capacity: 1)
            made.initialize(to: lambda_plugin_descriptor())
            made.pointee.struct_size = UInt32(MemoryLayout<lambda_plugin_descriptor>.offset(of: \.handler) ?? 56)
            return UnsafePointer(made)
        }
        let error = #expect(throws: LambdaTestHostError.self) {
            try LambdaTestHost.run(LambdaTestInvocation(event: "{}"), plugin: twoFunctions)
        }
        #expect(error?.message.contains("holds no handler") == true)
    }
}
