import Foundation
import LambdaPluginLoader
import Testing

/// A plugin declares that its handler may run on several threads at once: from C with
/// LAMBDA_PLUGIN_DEFINE_FLAGS, from Swift with `concurrency: .threadSafe`. Real plugins,
/// opened with the loader the host uses at INIT.
@Suite struct PluginFlagsTests {
    func compiled(_ name: String, _ define: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-flags-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let library = folder + "/lib\(name).so"
        try compilePlugin(
            """
            #include <lambda_plugin.h>
            \(define)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "1", 1); }
            """, to: library)
        return library
    }

    func threadSafe(_ path: String) throws -> Bool {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let plugin = try #require(try LoadedPlugin.open(path: path, spec: HandlerSpec(name)))
        return plugin.isThreadSafe
    }

    @Test func cDeclaresItWithTheFlagsMacro() throws {
        #expect(try threadSafe(try compiled("safe", #"LAMBDA_PLUGIN_DEFINE_FLAGS("safe", "1", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)"#)))
        #expect(!(try threadSafe(try compiled("plain", #"LAMBDA_PLUGIN_DEFINE("plain", "1", NULL, NULL)"#))))
        #expect(!(try threadSafe(BuildProducts.plugin("Echo"))))
    }

    @Test func swiftDeclaresItInItsDescriptor() throws {
        // Hello registers with `concurrency: .threadSafe`; SwiftStream with the default.
        #expect(try threadSafe(BuildProducts.plugin("Hello")))
        let stream = BuildProducts.plugin("SwiftStream")
        let name = URL(fileURLWithPath: stream).lastPathComponent
        let spec = try HandlerSpec(name)
        let plugin = try LoadedPlugin.open(path: stream, spec: spec)
        #expect(plugin.map { !$0.isThreadSafe } == true)
    }
}
