import Foundation
import Testing

/// Every way INIT can fail is posted to `/runtime/init/error` with a `Runtime.*` type and
/// a message that names what was looked for and where; then the host exits 1.
@Suite struct InitErrorTests {
    @Test func missingHandler() throws {
        let failure = try initFailure(handler: nil)
        #expect(failure.type == "Runtime.MalformedHandlerName")
        #expect(failure.message.contains("_HANDLER is empty"))
        #expect(failure.stderr.contains("Runtime.MalformedHandlerName"))
    }

    @Test func malformedHandlers() throws {
        for (handler, fragment) in [
            ("lib Echo.so", "space"),
            ("libEcho.so:not-an-identifier", "not a C identifier"),
            (String(repeating: "a", count: 129), "at most 128"),
            (":handler", "names no library"),
        ] {
            let failure = try initFailure(handler: handler)
            #expect(failure.type == "Runtime.MalformedHandlerName", "\(handler)")
            #expect(failure.message.contains(fragment), "\(handler): \(failure.message)")
        }
    }

    @Test func pathsThatLeaveTheirRootAreRefused() throws {
        let dotdot = try initFailure(handler: "../libEcho.so")
        #expect(dotdot.type == "Runtime.InvalidHandlerPath")
        #expect(dotdot.message.contains(".."))

        let absolute = try initFailure(handler: "/usr/lib/x86_64-linux-gnu/libc.so.6:handler")
        #expect(absolute.type == "Runtime.InvalidHandlerPath")
        #expect(absolute.message.contains("outside LAMBDA_TASK_ROOT"))

        // A symbolic link inside the task root that points outside it.
        let root = try TemporaryFolder()
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/libEcho.so", withDestinationPath: BuildProducts.plugin("Echo"))
        let link = try initFailure(handler: "libEcho.so", taskRoot: root.path)
        #expect(link.type == "Runtime.InvalidHandlerPath")
    }

    @Test func aMissingLibraryListsEveryPathTried() throws {
        let failure = try initFailure(handler: "greeter.handler")
        #expect(failure.type == "Runtime.PluginNotFound")
        let folder = BuildProducts.folder.path
        #expect(failure.message.contains("\(folder)/libgreeter.so"))
        #expect(failure.message.contains("\(folder)/greeter.so"))
        #expect(failure.message.contains("\(folder)/lib/libgreeter.so"))
        #expect(failure.message.contains("/opt/lib/libgreeter.so"))
    }

    @Test func aFileThatIsNotASharedObject() throws {
        let root = try TemporaryFolder()
        try "not an ELF file".write(toFile: root.path + "/libbroken.so", atomically: true, encoding: .utf8)
        let failure = try initFailure(handler: "libbroken.so", taskRoot: root.path)
        #expect(failure.type == "Runtime.PluginLoadFailed")
        #expect(failure.message.contains("libbroken.so"))
        #expect(failure.message.contains("cannot load"))
    }

    @Test func aLibraryWithoutTheEntryPoint() throws {
        let failure = try initFailure(handler: "libNoEntry.so")
        #expect(failure.type == "Runtime.MissingEntryPoint")
        #expect(failure.message.contains("lambda_plugin_v1"))
    }

    @Test func abiMismatchesNameTheField() throws {
        for (variable, value, field) in [
            ("PROBE_ABI_MAJOR", "2", "abi_major"),
            ("PROBE_ABI_MINOR", "9", "abi_minor"),
            ("PROBE_MAGIC", "0x1234", "magic"),
            ("PROBE_STRUCT_SIZE", "16", "struct_size"),
            ("PROBE_SWIFT_TOOLCHAIN", "5.9", "swift_toolchain"),
        ] {
            let failure = try initFailure(handler: "libProbe.so", environment: [variable: value])
            #expect(failure.type == "Runtime.ABIMismatch", "\(variable)")
            #expect(failure.message.contains("'\(field)'"), "\(variable): \(failure.message)")
        }
    }

    @Test func aMissingHandlerSymbol() throws {
        let failure = try initFailure(handler: "libEcho.so:greet")
        #expect(failure.type == "Runtime.HandlerNotFound")
        #expect(failure.message.contains("'greet'"))
        #expect(failure.message.contains(BuildProducts.plugin("Echo")))
    }

    @Test func aFailingInitHook() throws {
        let named = try initFailure(handler: "libProbe.so", environment: ["PROBE_INIT": "fail"])
        #expect(named.type == "Probe.InitFailed")
        #expect(named.message == "the probe was told to fail its init hook")

        let silent = try initFailure(handler: "libProbe.so", environment: ["PROBE_INIT": "silent"])
        #expect(silent.type == "Runtime.PluginInitFailed")
        #expect(silent.message.contains("probe"))
    }
}

/// A temporary folder, removed when the value goes away.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
