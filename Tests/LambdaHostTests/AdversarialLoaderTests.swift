import Foundation
import Testing

/// Plugins built to break the loader: damaged descriptors, entry points and handlers that
/// are not code. Each must end INIT with exactly one init error of the right type,
/// through the real host binary, never a crash, a hang or a call into data.
@Suite struct AdversarialLoaderTests {
    /// Plugins compiled once for the suite, from Plugins/Fixtures/Hostile/hostile.c and a
    /// few lines each: the folder is their task root.
    static let fixtures: Result<String, Error> = Result {
        let folder = BuildProducts.folder.path + "/adversarial-loader"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FixtureCompiler.library(folder + "/libhostile.so", from: [FixtureCompiler.source("Hostile/hostile.c")])
        // The same with only the old DT_HASH table (no DT_GNU_HASH), which the check reads too.
        try FixtureCompiler.library(
            folder + "/libsysvhash.so", from: [FixtureCompiler.source("Hostile/hostile.c")], flags: ["-Wl,--hash-style=sysv"])
        // The entry point as data: calling it would jump into .rodata.
        try FixtureCompiler.library(
            source: """
                #include <lambda_plugin.h>
                LAMBDA_EXPORT const int lambda_plugin_v1 = 7;
                LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "{}", 2); }
                """, named: "dataentry.c", in: folder)
        // No entry point of its own, but linked against a plugin that has one.
        try FixtureCompiler.library(
            source: """
                #include <lambda_plugin.h>
                LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) { return inv->host->respond(inv, "{}", 2); }
                """, named: "borrower.c", in: folder, flags: ["-L", folder, "-Wl,--no-as-needed", "-lhostile", "-Wl,-rpath,$ORIGIN"])
        return folder
    }

    func folder() throws -> String { try Self.fixtures.get() }

    @Test func theSoundFixtureLoadsAndAnswers() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libhostile.so", api: api, taskRoot: try folder())
        api.enqueue("sound", "{}")
        #expect(api.answer(to: "sound")?.text == "\"hostile\"", "\(host.stderr)")
    }

    @Test func theDescriptorsHandlerServesALibraryAloneAndAnExplicitSymbolWins() throws {
        let root = try folder()
        for (handler, expected) in [("libhostile.so", "\"own\""), ("libhostile.so:handler", "\"hostile\"")] {
            let api = try TestRuntimeAPI()
            let host = try HostProcess(handler: handler, api: api, taskRoot: root, environment: ["HOSTILE_DESCRIPTOR": "handler-own"])
            api.enqueue("own", "{}")
            #expect(api.answer(to: "own")?.text == expected, "\(handler): \(host.stderr)")
        }
    }

    @Test func anExplicitSymbolAPluginLacksIsRefusedEvenWithTheDescriptorsHandler() throws {
        // Hello is the SDK's one-declaration form: it exports no `handler`.
        let failure = try initFailure(handler: "libHello.so:handler")
        #expect(failure.type == "Runtime.HandlerNotFound")
        #expect(failure.message.contains("does not export the handler symbol 'handler'"), "\(failure.message)")
        #expect(failure.message.hasSuffix("name the library alone in _HANDLER to call it"), "\(failure.message)")
    }

    @Test func aDescriptorsHandlerOutsideThePluginsCodeIsNeverCalled() throws {
        let root = try folder()
        for (mode, fragment) in [
            ("handler-elsewhere", "the descriptor's 'handler' points into "),
            ("handler-data", "the descriptor's 'handler' points into the library's data"),
        ] {
            let failure = try initFailure(handler: "libhostile.so", taskRoot: root, environment: ["HOSTILE_DESCRIPTOR": mode])
            #expect(failure.type == "Runtime.HandlerNotFound", "\(mode): \(failure.message)")
            #expect(failure.message.hasPrefix(root + "/libhostile.so: " + fragment), "\(mode): \(failure.message)")
            #expect(failure.message.contains("so it cannot be the handler"), "\(mode): \(failure.message)")
        }
        // libc's malloc, named as the library that holds it.
        let elsewhere = try initFailure(handler: "libhostile.so", taskRoot: root, environment: ["HOSTILE_DESCRIPTOR": "handler-elsewhere"])
        #expect(elsewhere.message.contains("libc.so"), "\(elsewhere.message)")
    }

    @Test func aShorterDescriptorIsReadNoFurtherThanItsStructSize() throws {
        // A 1.0 descriptor whose last byte is the last readable one: reading a 1.4
        // descriptor's worth through it would fault at INIT.
        let api = try TestRuntimeAPI()
        let host = try HostProcess(
            handler: "libhostile.so", api: api, taskRoot: try folder(), environment: ["HOSTILE_DESCRIPTOR": "v1.0-at-page-end"])
        api.enqueue("short", "{}")
        #expect(api.answer(to: "short")?.text == "\"hostile\"", "\(host.stderr)")
    }

    @Test func damagedDescriptorsAreRefusedNamingTheField() throws {
        let root = try folder()
        for (mode, fragment) in [
            ("null", "lambda_plugin_v1() returned NULL"),
            ("magic", "'magic' is 0xdeadbeef"),
            ("huge", "'struct_size' is 4294967295, larger than"),
            ("tiny", "'struct_size' is 8, smaller than"),
            ("zero", "'struct_size' is 0, smaller than"),
            ("no-name", "'name' is NULL"),
            ("minor", "'abi_minor' is"),
            ("major", "'abi_major' is 0"),
            ("name-not-utf8", "'name' is not valid UTF-8"),
            ("version-not-utf8", "'version' is not valid UTF-8"),
            ("toolchain", "'swift_toolchain' is 0.1"),
        ] {
            let failure = try initFailure(handler: "libhostile.so", taskRoot: root, environment: ["HOSTILE_DESCRIPTOR": mode])
            #expect(failure.type == "Runtime.ABIMismatch", "\(mode): \(failure.message)")
            #expect(failure.message.contains(fragment), "\(mode): \(failure.message)")
            #expect(failure.message.hasPrefix(root + "/libhostile.so: descriptor") || mode == "null", "\(failure.message)")
        }
    }

    @Test func symbolsThatAreNotFunctionsAreNeverCalled() throws {
        let root = try folder()
        for (symbol, fragment) in [
            ("data_symbol", "as data (STT_OBJECT), not as a function"),
            ("tls_symbol", "as thread-local data (STT_TLS)"),
            ("untyped_code", "without a type (STT_NOTYPE"),
            ("function_in_data", "as a function, but at an address outside its executable segments"),
            ("malloc", "does not define 'malloc' itself: it comes from"),
        ] {
            let failure = try initFailure(handler: "libhostile.so:\(symbol)", taskRoot: root)
            #expect(failure.type == "Runtime.HandlerNotFound", "\(symbol): \(failure.message)")
            #expect(failure.message.contains(fragment), "\(symbol): \(failure.message)")
            #expect(failure.message.hasSuffix("so it cannot be the handler"), "\(symbol): \(failure.message)")
        }
    }

    @Test func aLibraryWithOnlyASysVHashTableIsCheckedAlike() throws {
        let root = try folder()
        let readelf = try runCommand("/usr/bin/env", ["readelf", "-d", root + "/libsysvhash.so"])
        #expect(readelf.stdout.contains("(HASH)") && !readelf.stdout.contains("GNU_HASH"), "\(readelf.stdout)")
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libsysvhash.so", api: api, taskRoot: root)
        api.enqueue("sysv", "{}")
        #expect(api.answer(to: "sysv")?.text == "\"hostile\"", "\(host.stderr)")
        let failure = try initFailure(handler: "libsysvhash.so:function_in_data", taskRoot: root)
        #expect(failure.type == "Runtime.HandlerNotFound")
        #expect(failure.message.contains("outside its executable segments"), "\(failure.message)")
    }

    /// The linker's own symbols (`_end`, `_edata`, `__bss_start`) in a plugin SwiftPM built.
    @Test func linkerSymbolsAreNotHandlers() throws {
        for symbol in ["_end", "_edata", "__bss_start"] {
            let failure = try initFailure(handler: "libEcho.so:\(symbol)")
            #expect(failure.type == "Runtime.HandlerNotFound", "\(symbol): \(failure.message)")
            #expect(failure.message.contains("defines '\(symbol)' as a symbol without a type (STT_NOTYPE"), "\(failure.message)")
        }
    }

    @Test func aDynamicHandlerMustBeAFunctionToo() throws {
        let failure = try initFailure(handler: "libhostile.so:data_symbol(i32)->i32", taskRoot: try folder())
        #expect(failure.type == "Runtime.HandlerNotFound")
        #expect(failure.message.contains("as data (STT_OBJECT)"), "\(failure.message)")
    }

    @Test func anEntryPointThatIsDataIsRefused() throws {
        let failure = try initFailure(handler: "libdataentry.so", taskRoot: try folder())
        #expect(failure.type == "Runtime.MissingEntryPoint")
        #expect(failure.message.contains("defines 'lambda_plugin_v1' as data (STT_OBJECT)"), "\(failure.message)")
        #expect(failure.message.contains("so it cannot be the plugin's entry point"), "\(failure.message)")
    }

    @Test func anEntryPointBorrowedFromADependencyIsRefused() throws {
        let root = try folder()
        let failure = try initFailure(handler: "libborrower.so", taskRoot: root)
        #expect(failure.type == "Runtime.MissingEntryPoint")
        #expect(
            failure.message.contains("does not define 'lambda_plugin_v1' itself: it comes from \(root)/libhostile.so"),
            "\(failure.message)")
    }
}
