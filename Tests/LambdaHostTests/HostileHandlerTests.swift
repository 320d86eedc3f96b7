import Foundation
import Glibc
import Testing

/// `_HANDLER` values an attacker or a careless deployment could set. Each gives one init
/// error of the right type through the real host binary, and never loads another file
/// than the one the bytes name.
@Suite struct HostileHandlerTests {
    /// A task root holding a copy of the Echo plugin, and `lib\u{FFFD}.so`: the name a
    /// repair of `lib\xFF.so` into UTF-8 would give.
    func taskRoot() throws -> TemporaryFolder {
        let root = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("Echo"), toPath: root.path + "/libEcho.so")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("Echo"), toPath: root.path + "/lib\u{FFFD}.so")
        return root
    }

    @Test func bytesThatAreNotUTF8AreRefusedNotRepaired() throws {
        let root = try taskRoot()
        for bytes in [Array("lib".utf8) + [0xff] + Array(".so".utf8), [0xc0, 0xaf], Array(repeating: 0xfe, count: 300)] {
            let failure = try initFailure(handler: nil, rawHandler: bytes, taskRoot: root.path)
            #expect(failure.type == "Runtime.MalformedHandlerName", "\(bytes.prefix(8)): \(failure.message)")
            #expect(failure.message.contains("_HANDLER is not valid UTF-8"), "\(failure.message)")
            #expect(failure.message.utf8.count < 1000, "the message quotes all of a long value")
        }
    }

    /// U+FFFD written as its own UTF-8 bytes (EF BF BD) is valid text, and names the file
    /// it spells.
    @Test func aRealReplacementCharacterIsValidText() throws {
        let root = try taskRoot()
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "lib\u{FFFD}.so", api: api, taskRoot: root.path)
        api.enqueue("fffd-1", "spelled")
        #expect(api.answer(to: "fffd-1")?.text == "spelled")
        _ = host
    }

    @Test func overlongAndControlCharacterValuesAreMalformed() throws {
        let root = try taskRoot()
        for handler in [
            String(repeating: "a", count: 10_000) + ".so", "\u{1b}[31mlibEcho.so", "lib\u{7f}Echo.so", "libEcho.so\t",
            "libEcho.so:\u{1}",
        ] {
            let failure = try initFailure(handler: handler, taskRoot: root.path)
            #expect(failure.type == "Runtime.MalformedHandlerName", "\(handler.prefix(20)): \(failure.message)")
            // Control characters are shown escaped, never written raw to the log.
            #expect(!failure.message.unicodeScalars.contains { $0.value < 32 || $0.value == 127 }, "\(failure.message)")
            #expect(!failure.stderr.unicodeScalars.contains { $0.value == 0x1b || $0.value == 1 }, "\(failure.stderr)")
        }
    }

    @Test func pathsLeavingTheRootsAreRefused() throws {
        let root = try taskRoot()
        for handler in ["../libEcho.so", "lib/../../libEcho.so", "sub/../libEcho.so", BuildProducts.plugin("Echo")] {
            let failure = try initFailure(handler: handler, taskRoot: root.path)
            #expect(failure.type == "Runtime.InvalidHandlerPath", "\(handler): \(failure.message)")
        }
        // TASK_ROOT/lib is searched: a symbolic link there that leads out of the roots.
        try FileManager.default.createSymbolicLink(atPath: root.path + "/lib", withDestinationPath: BuildProducts.folder.path)
        let link = try initFailure(handler: "libFail.so", taskRoot: root.path)
        #expect(link.type == "Runtime.InvalidHandlerPath", "\(link.message)")
        #expect(link.message.contains("outside LAMBDA_TASK_ROOT"), "\(link.message)")
    }

    @Test func aFolderAFIFOOrADeviceNamedLikeALibraryIsNotOpened() throws {
        let root = try taskRoot()
        try FileManager.default.createDirectory(atPath: root.path + "/libfolder.so", withIntermediateDirectories: false)
        #expect(mkfifo(root.path + "/libfifo.so", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/libzero.so", withDestinationPath: "/dev/zero")
        for (handler, kind) in [("libfolder.so", "a folder"), ("libfifo.so", "a FIFO"), ("libzero.so", "a device")] {
            // A FIFO opened by dlopen would block INIT for good: initFailure's deadline says so.
            let failure = try initFailure(handler: handler, taskRoot: root.path)
            #expect(failure.type == "Runtime.PluginNotFound", "\(handler): \(failure.message)")
            #expect(failure.message.contains("\(root.path)/\(handler) is \(kind), not a library file"), "\(failure.message)")
        }
    }

    @Test func aSymbolicLinkLoopIsNotFound() throws {
        let root = try taskRoot()
        try FileManager.default.createSymbolicLink(atPath: root.path + "/liba.so", withDestinationPath: "libb.so")
        try FileManager.default.createSymbolicLink(atPath: root.path + "/libb.so", withDestinationPath: "liba.so")
        let failure = try initFailure(handler: "liba.so", taskRoot: root.path)
        #expect(failure.type == "Runtime.PluginNotFound", "\(failure.message)")
    }

    @Test func percentSignsAreText() throws {
        let root = try taskRoot()
        let failure = try initFailure(handler: "lib%s%n%x%%.so", taskRoot: root.path)
        #expect(failure.type == "Runtime.PluginNotFound")
        #expect(failure.message.contains("\(root.path)/lib%s%n%x%%.so"), "\(failure.message)")
    }

    /// The developer tools take the raw argv bytes: `--handler` that is not UTF-8 is a
    /// usage error, not a repaired name that loads the copy beside it.
    @Test func theToolsRefuseAHandlerArgumentThatIsNotUTF8() throws {
        let root = try taskRoot()
        let handler = printfFormat(Array("\(root.path)/lib".utf8) + [0xff] + Array(".so".utf8))
        for command in ["invoke", "serve"] {
            // timeout(1) ends a serve that wrongly started, so the test fails instead of hanging.
            let script = "exec timeout 20 \"$0\" \(command) --handler \"$(printf '\(handler)')\" --event '{}'"
            let run = try runCommand("/bin/sh", ["-c", command == "serve" ? script.replacingOccurrences(of: " --event '{}'", with: " --port 0") : script, BuildProducts.host])
            #expect(run.status == 64, "\(command): \(run.status) \(run.stdout) \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(command) loaded the repaired name: \(run.stdout)")
            #expect(run.stderr.contains("is not valid UTF-8"), "\(command): \(run.stderr)")
            #expect(run.stderr.contains("--handler"), "\(command): \(run.stderr)")
        }
    }
}
