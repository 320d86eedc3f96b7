import LambdaRuntimeAPI

/// Which function a request to `serve` goes to, by its path. Pure.
///
/// - `/2015-03-31/functions/NAME/invocations` (the RIE and Invoke API path) invokes
///   function NAME with the body as the event; `function` names the only function when
///   there is one.
/// - With the HTTP front end (`serve --http`) and functions named by route, a path that
///   is `/NAME` or starts with `/NAME/` goes to NAME, with `/NAME` taken off the path the
///   event carries; with a single unnamed function every other path goes to it as is.
public struct FunctionRouter: Sendable, Equatable {
    /// The functions' names, in the order given.
    public let names: [String]
    /// Whether other paths are HTTP requests for the front end.
    public let http: Bool
    /// Whether an HTTP request's first path segment names its function; without, every
    /// path goes to the only function.
    public let prefixed: Bool

    public init(names: [String], http: Bool, prefixed: Bool) {
        self.names = names
        self.http = http
        self.prefixed = prefixed
    }

    public enum Route: Equatable, Sendable {
        /// An invoke request for this function.
        case invoke(String)
        /// An HTTP request for this function, with the path its event carries.
        case http(String, path: String)
        /// The path names a function that is not served: 404.
        case unknownFunction(String)
        /// Not a path this endpoint serves: 404.
        case notFound
    }

    static let invokePrefix = "/2015-03-31/functions/"
    static let invokeSuffix = "/invocations"

    /// Where a request for `path` (without its query) goes.
    public func route(_ path: String) -> Route {
        if path.hasPrefix(Self.invokePrefix) && path.hasSuffix(Self.invokeSuffix)
            && path.utf8.count > Self.invokePrefix.utf8.count + Self.invokeSuffix.utf8.count
        {
            let name = String(path.dropFirst(Self.invokePrefix.count).dropLast(Self.invokeSuffix.count))
            if names.contains(name) { return .invoke(name) }
            if name == "function" && names.count == 1 && !prefixed { return .invoke(names[0]) }
            return name.contains("/") ? (http ? httpRoute(path) : .notFound) : .unknownFunction(name)
        }
        return http ? httpRoute(path) : .notFound
    }

    private func httpRoute(_ path: String) -> Route {
        guard prefixed else { return names.first.map { .http($0, path: path) } ?? .notFound }
        let segment = String(path.dropFirst().prefix { $0 != "/" })
        guard path.hasPrefix("/"), names.contains(segment) else { return .unknownFunction(segment) }
        let rest = String(path.dropFirst(1 + segment.count))
        return .http(segment, path: rest.isEmpty ? "/" : rest)
    }

    /// The 404 body for a path that names no served function.
    public func unknownFunctionBody(_ name: String) -> String {
        let known = names.joined(separator: ", ")
        let how =
            http && prefixed
            ? "send requests to /NAME/… or POST events to /2015-03-31/functions/NAME/invocations"
            : "POST events to /2015-03-31/functions/NAME/invocations"
        let message = "no function named '\(name)' is served here; the functions are: \(known); \(how)"
        return #"{"errorMessage":"\#(escaped(message))","errorType":"ResourceNotFound","functions":[\#(names.map { "\"" + escaped($0) + "\"" }.joined(separator: ","))]}"#
    }

    /// The 404 body for a request that is not an invoke (not a POST, or not an invoke
    /// path): the invoke path to POST to, with the served function's name in it
    /// (`function` for RIE's one function), or NAME and the names there are.
    public func notAnInvokeBody(for route: Route) -> String {
        let name: String
        if case .invoke(let invoked) = route {
            name = invoked == names.first && names.count == 1 && !prefixed ? "function" : invoked
        } else {
            name = names.count == 1 && !prefixed ? "function" : "NAME"
        }
        var message = "POST events to \(Self.invokePrefix)\(name)\(Self.invokeSuffix)"
        if name == "NAME" { message += ", NAME one of: " + names.joined(separator: ", ") }
        return #"{"errorMessage":"\#(escaped(message))","errorType":"InvalidRequest"}"#
    }

    private func escaped(_ text: String) -> String { JSONText.escaped(text) }
}
