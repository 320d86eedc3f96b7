// SwiftStream (test fixture): the SDK's streaming handler. The event is one word:
//   http   a function URL answer: status 201, a header, a cookie, then "created"
//   lines  three lines, one chunk each
//   throw  one chunk, then a thrown error (it goes to the stream's trailers)
import LambdaPlugin

struct Failed: LambdaPluginError {
    var errorType: String { "SwiftStream.Failed" }
    var errorMessage: String { "thrown after the first chunk" }
}

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "swift-stream", version: "1.0.0")
}

@c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.stream(invocation, contentType: "text/plain") { writer, context in
        let mode = String(decoding: UnsafeRawBufferPointer(start: invocation?.pointee.payload, count: invocation?.pointee.payload_size ?? 0), as: UTF8.self)
        switch mode {
        case "http":
            try writer.writeStatusAndHeaders(statusCode: 201, headers: ["X-Probe": "yes"], cookies: ["a=b; Path=/"])
            try writer.write("created")
        case "throw":
            try writer.write("first")
            throw Failed()
        default:
            for i in 1...3 { try writer.write("line \(i)\n") }
        }
    }
}
