// Release: a Swift plugin that calls a JSON API through the host's HTTP client and decodes
// the answer. Its event names a GitHub-style "latest release" endpoint:
//
//   _HANDLER=libRelease.so
//   event:   {"url": "https://api.github.com/repos/swiftlang/swift/releases/latest"}
//   answer:  {"tag": "swift-6.3.1-RELEASE", "name": "Swift 6.3.1", "status": 200}
//
// A request that fails is answered with the SDK's error types (Outbound.NotSent,
// Outbound.Failed, ...), a status other than 200 with "Release.HTTPStatus", and a body that
// is not a release with "Outbound.InvalidResponse".
import LambdaPlugin
import LambdaPluginHTTP

struct Query: Decodable {
    let url: String
}

/// The fields of the API's answer this plugin reads.
struct LatestRelease: Decodable {
    let tag_name: String
    let name: String?
}

struct Answer: Encodable {
    let tag: String
    let name: String
    let status: Int
}

struct HTTPStatus: LambdaPluginError {
    let status: Int
    var errorType: String { "Release.HTTPStatus" }
    var errorMessage: String { "the API answered with status \(status), not 200" }
}

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "release", version: "1.0.0")
}

@c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.handle(invocation) { (query: Query, context) in
        let response = try context.http.get(query.url, headers: [("Accept", "application/json")])
        guard response.status == 200 else { throw HTTPStatus(status: response.status) }
        let release = try response.decode(LatestRelease.self)
        return Answer(tag: release.tag_name, name: release.name ?? release.tag_name, status: response.status)
    }
}
