// Hello: a Swift plugin on the LambdaPlugin SDK. It decodes {"name": "World"} and
// answers {"message": "Hello, World!"}; an empty name is answered with the error type
// "Hello.EmptyName".
//
//   _HANDLER=libHello.so
import LambdaPlugin

struct Person: Decodable {
    let name: String
}

struct Greeting: Encodable {
    let message: String
}

struct EmptyName: LambdaPluginError {
    var errorType: String { "Hello.EmptyName" }
    var errorMessage: String { "the event's \"name\" is empty; send {\"name\": \"World\"}" }
}

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    // Its handler keeps no state of its own, so several invocations may run at once.
    LambdaPluginDescriptor.register(name: "hello", version: "1.0.0", concurrency: .threadSafe)
}

@c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.handle(invocation) { (person: Person, context) in
        guard !person.name.isEmpty else { throw EmptyName() }
        return Greeting(message: "Hello, \(person.name)!")
    }
}
