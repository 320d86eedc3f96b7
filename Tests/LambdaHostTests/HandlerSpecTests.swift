import Testing

@testable import LambdaPluginLoader
@testable import LambdaRuntimeAPI

@Suite struct HandlerSpecTests {
    @Test(arguments: [
        ("libhello.so", ["libhello.so"], "handler"),
        ("libhello.so:greet", ["libhello.so"], "greet"),
        ("libhello.so:", ["libhello.so"], "handler"),
        ("hello.greet", ["libhello.so", "hello.so"], "greet"),
        ("hello", ["libhello.so", "hello.so"], "handler"),
        ("libhello.greet", ["libhello.so"], "greet"),
        ("lib/hello.greet", ["lib/libhello.so", "lib/hello.so"], "greet"),
        ("lib/libhello.so:greet", ["lib/libhello.so"], "greet"),
        ("libm.so.6", ["libm.so.6"], "handler"),
        ("hello.so.greet", ["hello.so"], "greet"),
    ])
    func acceptedForms(text: String, candidates: [String], symbol: String) throws {
        let spec = try HandlerSpec(text)
        #expect(spec.candidates == candidates)
        #expect(spec.symbol == symbol)
    }

    /// A library alone leaves the symbol to the plugin (the descriptor's handler, ABI 1.4);
    /// a symbol written out, even `handler`, is the user's choice and wins.
    @Test(arguments: [
        ("libhello.so", true), ("libhello.so:", true), ("hello", true), ("libm.so.6", true), ("lib/hello", true),
        ("libhello.so:handler", false), ("hello.handler", false), ("libhello.so:greet", false), ("hello.greet", false),
        ("libm.so.6:cbrt(f64)->f64", false),
    ])
    func aDefaultedSymbolIsToldFromAnExplicitOne(text: String, defaulted: Bool) throws {
        let spec = try HandlerSpec(text)
        #expect(spec.symbolIsDefault == defaulted, "\(text)")
        #expect(spec.symbol == (defaulted ? HandlerSpec.defaultSymbol : spec.symbol))
    }

    @Test(arguments: [
        ("", PluginLoadError.Code.malformedHandler),
        ("hello world", .malformedHandler),
        ("hello\t.x", .malformedHandler),
        ("libhello.so:9lives", .malformedHandler),
        ("hello.", .malformedHandler),
        ("../hello.handler", .pathEscapesRoot),
        ("lib/../../libx.so", .pathEscapesRoot),
        ("lib/:handler", .malformedHandler),
    ])
    func refusedForms(text: String, code: PluginLoadError.Code) {
        #expect(throws: PluginLoadError.self) { try HandlerSpec(text) }
        do {
            _ = try HandlerSpec(text)
        } catch {
            #expect(error.code == code, "\(text): \(error)")
        }
    }

    @Test func everyCodeMapsToARuntimeErrorType() {
        for code in PluginLoadError.Code.allCases {
            #expect(code.errorType.hasPrefix("Runtime."))
        }
        #expect(Set(PluginLoadError.Code.allCases.map(\.errorType)).count == PluginLoadError.Code.allCases.count)
    }

    @Test func endpoints() throws {
        #expect(try RuntimeAPIClient.parse(endpoint: "127.0.0.1:9001") == ("127.0.0.1", 9001))
        #expect(try RuntimeAPIClient.parse(endpoint: "[::1]:9001") == ("::1", 9001))
        #expect(try RuntimeAPIClient.parse(endpoint: "localhost:80") == ("localhost", 80))
        for bad in ["", "127.0.0.1", "127.0.0.1:", ":9001", "host:0", "host:70000", "host:x"] {
            #expect(throws: RuntimeAPIError.self, "\(bad)") { try RuntimeAPIClient.parse(endpoint: bad) }
        }
    }
}
