import Foundation
import Testing

/// Old hosts load new plugins, and new hosts load old ones (docs/abi.md, "Versions"):
/// plugins built against frozen copies of the released 1.0, 1.1, 1.2, 1.3 and 1.4 headers run in
/// this host, and plugins built with this header and SDK run in a host built against the 1.1
/// header (`Tests/Fixtures/abi-1.1/host_1_1.c`, a minimal host that checks and calls the
/// way a 1.1 layer does).
@Suite struct AbiVersioningTests {
    /// A plugin that answers with its own version's features: on 1.1 and later headers
    /// it streams when the host can.
    static let oldPlugin = """
        #include <lambda_plugin.h>
        #include <string.h>
        LAMBDA_PLUGIN_DEFINE("old", "1.0.0", NULL, NULL)
        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
            char answer[64] = "minor ";
            answer[6] = (char)('0' + LAMBDA_PLUGIN_ABI_MINOR);
            return invocation->host->respond(invocation, answer, strlen(answer));
        }
        """

    /// Built with this header: uses the 1.1, 1.2 and 1.3 helpers, which check the host's table.
    static let newPlugin = """
        #include <lambda_plugin.h>
        #include <string.h>
        LAMBDA_PLUGIN_DEFINE("new", "1.2.0", NULL, NULL)
        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
            const lambda_host_api *host = invocation->host;
            lambda_http_response response;
            lambda_status status = lambda_http_get(host, invocation, "http://127.0.0.1:9/", &response);
            char answer[256] = "http ";
            strcat(answer, status == LAMBDA_E_UNSUPPORTED ? "unsupported: " : "called: ");
            strncat(answer, lambda_http_error(host, invocation), 120);
            strcat(answer, LAMBDA_HOST_HAS(host, stream_end) ? "; streams" : "; no streams");
            status = lambda_aws_json(host, invocation, "dynamodb", "DynamoDB_20120810.ListTables", "{}", 2, &response);
            strcat(answer, status == LAMBDA_E_UNSUPPORTED ? "; aws unsupported" : "; aws called");
            return host->respond(invocation, answer, strlen(answer));
        }
        """

    /// Calls http_request without checking: it must declare that it needs 1.2.
    static let requiringPlugin = """
        #define LAMBDA_PLUGIN_REQUIRED_MINOR 2
        #include <lambda_plugin.h>
        LAMBDA_PLUGIN_DEFINE("needs-1.2", "1.0.0", NULL, NULL)
        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
            return invocation->host->respond(invocation, "ok", 2);
        }
        """

    /// Exports its entry point alone: the handler is the descriptor's (ABI 1.4).
    static let descriptorHandlerPlugin = """
        #include <lambda_plugin.h>
        static lambda_status greet(const lambda_invocation *invocation) {
            return invocation->host->respond(invocation, "from the descriptor", 19);
        }
        LAMBDA_EXPORT const lambda_plugin_descriptor *lambda_plugin_v1(void) {
            static const lambda_plugin_descriptor descriptor = {
                .magic = LAMBDA_PLUGIN_MAGIC, .abi_major = LAMBDA_PLUGIN_ABI_MAJOR, .abi_minor = 4,
                .struct_size = sizeof(lambda_plugin_descriptor), .name = "descriptor-handler", .handler = greet};
            return &descriptor;
        }
        """


    /// Compiles `source` against the header in `include` into `folder/lib<name>.so`.
    private func plugin(_ source: String, _ name: String, in folder: String, include: String) throws -> String {
        let file = folder + "/\(name).c"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let output = folder + "/lib\(name).so"
        let run = try runCommand("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", include, "-o", output, file])
        #expect(run.status == 0, "\(run.stderr)")
        return output
    }

    /// Builds the 1.1 host against its frozen header (or, with `release` "abi-1.2", the
    /// same host with the canned outbound HTTP of a 1.2 layer).
    private func oldHost(in folder: String, release: String = "abi-1.1") throws -> String {
        let output = folder + "/host_" + release
        let run = try runCommand(
            "/usr/bin/env",
            ["cc", "-O1", "-I", BuildProducts.fixture(release), "-o", output, BuildProducts.fixture("abi-1.1/host_1_1.c"), "-ldl"])
        #expect(run.status == 0, "\(run.stderr)")
        return output
    }

    @Test(arguments: ["abi-1.0", "abi-1.1", "abi-1.2", "abi-1.3", "abi-1.4"])
    func aPluginBuiltAgainstAReleasedHeaderRunsInThisHost(release: String) throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let library = try plugin(Self.oldPlugin, "old", in: dir, include: BuildProducts.fixture(release))
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: (library as NSString).lastPathComponent, api: api, taskRoot: dir)
        api.enqueue("old-1", "{}")
        let answer = try #require(api.answer(to: "old-1"), "stderr: \(host.stderr)")
        #expect(answer.path.hasSuffix("/response"))
        #expect(answer.text == "minor \(release.suffix(1))")
    }

    @Test func aPluginBuiltWithThisHeaderRunsInA11HostAndItsHelpersSayUnsupported() throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let library = try plugin(Self.newPlugin, "new", in: dir, include: FixtureCompiler.include)
        let run = try runCommand(try oldHost(in: dir), [library, "handler", "{}"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("respond: http unsupported: this lambda-host layer predates outbound HTTP (ABI 1.2); update it; streams; aws unsupported"))
        #expect(run.stdout.contains("returned: 0"))
    }

    @Test func theSameHelpersCallTheHostHere() throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let library = try plugin(Self.newPlugin, "new", in: dir, include: FixtureCompiler.include)
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: (library as NSString).lastPathComponent, api: api, taskRoot: dir)
        api.enqueue("new-1", "{}")
        let answer = try #require(api.answer(to: "new-1"), "stderr: \(host.stderr)")
        // Port 9 (discard) is closed on loopback: the call was made, and refused.
        #expect(answer.text.hasPrefix("http called: GET http://127.0.0.1:9/: not sent:"), "\(answer.text)")
        #expect(answer.text.hasSuffix("; streams; aws called"))
    }

    @Test func aPluginThatDeclaresItNeeds12IsRefusedByA11HostAndLoadsHere() throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let library = try plugin(Self.requiringPlugin, "needs", in: dir, include: FixtureCompiler.include)
        let refused = try runCommand(try oldHost(in: dir), [library, "handler", "{}"])
        #expect(refused.status == 2)
        #expect(refused.stdout.contains("refused: abi 1.2, host speaks 1.1"), "\(refused.stdout)")

        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: (library as NSString).lastPathComponent, api: api, taskRoot: dir)
        api.enqueue("needs-1", "{}")
        #expect(try #require(api.answer(to: "needs-1"), "stderr: \(host.stderr)").text == "ok")
    }

    @Test func aPluginWithTheDescriptorsHandlerRunsHereAndAnOlderHostRefusesItByVersion() throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let library = try plugin(Self.descriptorHandlerPlugin, "described", in: dir, include: FixtureCompiler.include)
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: (library as NSString).lastPathComponent, api: api, taskRoot: dir)
        api.enqueue("described-1", "{}")
        #expect(try #require(api.answer(to: "described-1"), "stderr: \(host.stderr)").text == "from the descriptor")

        // An older host would look for the symbol `handler`; abi_minor 4 makes it say why
        // instead. So for the SDK's one-declaration form (Hello), and not for its
        // two-function form, which asks for no more than 1.0.
        let old = try oldHost(in: dir)
        for path in [library, BuildProducts.plugin("Hello"), BuildProducts.plugin("SwiftEventStream")] {
            let refused = try runCommand(old, [path, "handler", "{}"])
            #expect(refused.status == 2, "\(path): \(refused.stdout)")
            #expect(refused.stdout.contains("refused: abi 1.4, host speaks 1.1"), "\(path): \(refused.stdout)")
        }
    }

    @Test func theSwiftSDKStreamsOnA11Host() throws {
        // The SDK reads the table field by field: a 1.1 table is shorter than its own.
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let run = try runCommand(try oldHost(in: dir), [BuildProducts.plugin("SwiftStream"), "handler", "lines"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("stream-begin: text/plain"), "\(run.stdout)")
        #expect(run.stdout.contains("stream: line 3"))
        #expect(run.stdout.contains("stream-end"))
    }

    @Test func theSwiftSDKRefusesAnAWSCallOnA12HostThatWouldSendItUnsigned() throws {
        let scratch = try TemporaryFolder()
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.path
        let host = try oldHost(in: dir, release: "abi-1.2")
        // The 1.2 host sends plain requests: the SDK uses its http_request...
        let plain = try runCommand(host, [BuildProducts.plugin("Release"), "handler", #"{"url": "http://127.0.0.1:9/x"}"#])
        #expect(plain.stdout.contains("http-request: GET http://127.0.0.1:9/x"), "\(plain.stdout)")
        // ...but not for a request it would have to sign, whose AWS fields it ignores.
        let aws = try runCommand(
            host, [BuildProducts.plugin("Notes"), "handler", #"{"id": "n1", "text": "hello"}"#],
            environment: ["NOTES_BUCKET": "notes-bucket", "NOTES_TABLE": "notes"])
        #expect(aws.status == 0, "\(aws.stdout)\(aws.stderr)")
        #expect(!aws.stdout.contains("http-request:"), "\(aws.stdout)")
        #expect(aws.stdout.contains("fail: Outbound.Unsupported: this lambda-host layer predates AWS signing (ABI 1.3)"), "\(aws.stdout)")
    }
}
