// Hello: a Swift plugin on the LambdaPlugin SDK. It decodes {"name": "World"} and
// answers {"message": "Hello, World!"}; an empty name is answered with the error type
// "Hello.EmptyName".
//
//   _HANDLER=libHello.so    (a lambda-host layer of ABI 1.4 or later)
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

// The whole plugin is one declaration: the handler goes into the descriptor (ABI 1.4),
// so the library exports lambda_plugin_v1 alone. Its handler keeps no state of its own,
// so several invocations may run at once.
@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "hello", version: "1.0.0", concurrency: .threadSafe) { (person: Person, context) in
        guard !person.name.isEmpty else { throw EmptyName() }
        return Greeting(message: "Hello, \(person.name)!")
    }
}
