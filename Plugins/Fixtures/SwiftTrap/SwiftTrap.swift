// SwiftTrap (test fixture): a Swift plugin that traps or prints. The event is one word:
//   trap   index an empty array out of range: a Swift runtime trap, before any answer
//   print  print() a line to stdout, then answer "printed"
import LambdaPlugin

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "swift-trap", version: "1.0.0")
}

/// Never inlined, so that the crash report can name it.
@inline(never) func element(_ index: Int, of values: [Int]) -> Int { values[index] }

@c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    guard let invocation else { return 1 }
    let mode = String(
        decoding: UnsafeRawBufferPointer(start: invocation.pointee.payload, count: invocation.pointee.payload_size),
        as: UTF8.self)
    let host = invocation.pointee.host.pointee
    switch mode {
    case "trap":
        let value = element(mode.utf8.count, of: [])
        return host.respond(invocation, "\(value)", 1)
    default:
        print("swift-trap: print line")
        return host.respond(invocation, "printed", 7)
    }
}
