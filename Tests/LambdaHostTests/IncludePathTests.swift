import Foundation
import Glibc
import Testing

/// `lambda-host include-path`: a folder for `-I` that works from any folder, holding the
/// headers the tools were built with.
@Suite struct IncludePathTests {
    @Test func aPluginBuildsFromAnotherFolderWithTheFolderItPrints() throws {
        let cache = try TemporaryFolder()
        let work = try TemporaryFolder()
        let environment = ["XDG_CACHE_HOME": cache.path]
        let printed = try runCommand(BuildProducts.host, ["include-path"], environment: environment)
        #expect(printed.status == 0, "\(printed.stderr)")
        let folder = printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(folder == cache.path + "/lambda-host/include")
        // The same bytes as the headers in the repository.
        for name in ["lambda_plugin.h", "lambda_plugin.hpp"] {
            let source = BuildProducts.packageRoot.appendingPathComponent("Sources/CLambdaPlugin/include/" + name).path
            #expect(FileManager.default.contents(atPath: folder + "/" + name) == FileManager.default.contents(atPath: source), "\(name)")
        }
        // A build line run from a folder of its own, as a user would.
        try """
            #include <lambda_plugin.h>
            #include <string.h>
            LAMBDA_PLUGIN_DEFINE("outside", "1.0.0", NULL, NULL)
            LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
                const char *answer = "{\\"built\\":\\"outside\\"}";
                return inv->host->respond(inv, answer, strlen(answer));
            }
            """.write(toFile: work.path + "/outside.c", atomically: true, encoding: .utf8)
        let built = try runCommand(
            "/usr/bin/cc", ["-shared", "-fPIC", "-O2", "-I", folder, "-o", "liboutside.so", "outside.c"], in: work.path)
        #expect(built.status == 0, "\(built.stderr)")
        let invoked = try runCommand(BuildProducts.host, ["invoke", "--handler", work.path + "/liboutside.so", "--event", "{}"])
        #expect(invoked.stdout.contains(#"{"built":"outside"}"#), "\(invoked.stdout) \(invoked.stderr)")
        // A second call leaves files that are already right alone.
        let before = try FileManager.default.attributesOfItem(atPath: folder + "/lambda_plugin.h")[.modificationDate] as? Date
        let again = try runCommand(BuildProducts.host, ["include-path"], environment: environment)
        #expect(again.stdout == printed.stdout)
        let after = try FileManager.default.attributesOfItem(atPath: folder + "/lambda_plugin.h")[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func aChangedHeaderIsWrittenAgain() throws {
        let cache = try TemporaryFolder()
        let environment = ["XDG_CACHE_HOME": cache.path]
        let folder = try runCommand(BuildProducts.host, ["include-path"], environment: environment).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let header = folder + "/lambda_plugin.h"
        let original = FileManager.default.contents(atPath: header)
        try "stale".write(toFile: header, atomically: true, encoding: .utf8)
        _ = try runCommand(BuildProducts.host, ["include-path"], environment: environment)
        #expect(FileManager.default.contents(atPath: header) == original)
    }

    @Test func withNowhereToWriteItSaysWhichVariableToSet() throws {
        let outcome = try runCommand("/usr/bin/env", ["-u", "HOME", "XDG_CACHE_HOME=relative", BuildProducts.host, "include-path"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("XDG_CACHE_HOME") && outcome.stderr.contains("HOME"), "\(outcome.stderr)")
    }
}
