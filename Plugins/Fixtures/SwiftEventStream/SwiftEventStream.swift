// SwiftEventStream (test fixture): streaming handlers that receive their decoded event,
// {"word": "w", "count": 3, "fail": false}, in both forms of the SDK:
//   _HANDLER=libSwiftEventStream.so           the one-declaration form (the descriptor's
//                                             handler, ABI 1.4): "w 1\n" ... "w 3\n", one
//                                             chunk each; with "fail": true, one chunk, then
//                                             a thrown error (it goes to the trailers)
//   _HANDLER=libSwiftEventStream.so:explicit  the two-function form, named explicitly (it
//                                             wins over the descriptor's): "explicit w"
// An event that is not such an object is answered with Runtime.InvalidEvent, unstreamed.
import LambdaPlugin

struct Order: Decodable {
    var word: String
    var count: Int
    var fail: Bool?
}

struct Failed: LambdaPluginError {
    var errorType: String { "SwiftEventStream.Failed" }
    var errorMessage: String { "thrown after the first chunk" }
}

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.registerStream(name: "swift-event-stream", version: "1.0.0", contentType: "text/plain") {
        (order: Order, writer, context) in
        context.log("streaming \(order.count) lines of \(order.word)")
        for index in stride(from: 1, through: order.count, by: 1) {
            try writer.write("\(order.word) \(index)\n")
            if order.fail == true { throw Failed() }
        }
    }
}

@c public func explicit(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.stream(invocation, contentType: "text/plain") { (order: Order, writer, context) in
        try writer.write("explicit \(order.word)")
    }
}
