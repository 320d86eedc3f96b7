import NIOHTTP1

/// The Runtime API's paths, as the emulator reads them.
enum RuntimeAPIPaths {
    static let invocationPrefix = "/2018-06-01/runtime/invocation/"

    /// The request id and verb (`response`, `error`) of an invocation path, if it is one.
    static func invocationRoute(_ path: String) -> (requestID: String, verb: Substring)? {
        guard path.hasPrefix(invocationPrefix) else { return nil }
        let rest = path.dropFirst(invocationPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard rest.count == 2, !rest[0].isEmpty, rest[1] == "response" || rest[1] == "error" else { return nil }
        return (String(rest[0]), rest[1])
    }

    /// A request's path, without its query.
    static func path(of head: HTTPRequestHead) -> String {
        head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
    }

    /// The method a known path takes, for a 405 that names it.
    static func allowedMethod(_ path: String) -> String? {
        if path == "/2018-06-01/runtime/invocation/next" || path == "/2020-01-01/extension/event/next" { return "GET" }
        if path == "/2018-06-01/runtime/init/error" || path == "/2020-01-01/extension/register" { return "POST" }
        return invocationRoute(path) == nil ? nil : "POST"
    }
}
