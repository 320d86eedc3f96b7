import Foundation
import Testing

/// HTTPS through the host, its INIT-time calls, the allow-list, and the local tools, with
/// nginx serving certificates from a test CA made by the `openssl` command.
@Suite(.serialized) struct OutboundTLSTests {
    typealias Runtime = OutboundHTTPTests.Runtime

    /// The libraries mapped into the host process.
    private func mappedLibraries(_ runtime: Runtime) throws -> String {
        try String(contentsOfFile: "/proc/\(runtime.host.process.processIdentifier)/maps", encoding: .utf8)
    }

    @Test func httpsVerifiesWithTheCABundleAndReusesTheConnection() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime("libFetch.so")
        let before = try nginx.acceptedConnections()
        for _ in 0..<200 {
            let answer = try runtime.invoke(#"{"url": "\#(nginx.tlsURL("/1k"))"}"#)
            #expect(answer.text == #"{"status": 200, "bytes": 1024}"#, "\(answer.text)")
            if !answer.path.hasSuffix("/response") { break }
        }
        let opened = try nginx.acceptedConnections() - before
        #expect(opened >= 1 && opened <= 4, "opened \(opened)")
    }

    @Test(arguments: [
        ("expired", "certificate has expired"),
        ("other-host", "mismatch"),
        ("other-ca", "unable to get local issuer certificate"),
    ])
    func aCertificateThatDoesNotVerifyFailsAsNotSent(server: String, reason: String) throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        let port = server == "expired" ? nginx.expiredPort : server == "other-host" ? nginx.otherHostPort : nginx.otherCAPort
        let answer = try runtime.probe("GET \(nginx.tlsURL("/1k", port: port))")
        #expect(answer.rc == OutboundHTTPTests.notSent, "\(answer.error)")
        #expect(answer.error.contains(reason), "\(answer.error)")
        #expect(nginx.requestCount(path: "/1k") == 0)
    }

    @Test func tlsIsLoadedOnlyByTheFirstHTTPSCall() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime()
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
        #expect(!(try mappedLibraries(runtime)).contains("libssl"), "TLS mapped before any https call")
        #expect(try runtime.probe("GET \(nginx.tlsURL("/1k"))").status == 200)
        #expect(try mappedLibraries(runtime).contains("libssl.so.3"))
    }

    @Test func theInitHookCanCallOutAndPrewarm() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime(environment: [
            "HTTP_PROBE_INIT": nginx.url("/1k"), "HTTP_PROBE_PREWARM": "https://127.0.0.1:\(nginx.tlsPort)",
        ])
        let report = try runtime.invoke("init").text
        #expect(report.contains("prewarm rc=0 error="), "\(report)")
        #expect(report.contains("rc=0 status=200 headers="), "\(report)")
        #expect(report.hasSuffix(String(decoding: NginxServer.oneKiB, as: UTF8.self)))
        // The pre-warmed connection serves the first HTTPS request: no new connection.
        let before = try nginx.acceptedConnections()
        #expect(try runtime.probe("GET \(nginx.tlsURL("/1k"))").status == 200)
        #expect(try nginx.acceptedConnections() == before)
    }

    @Test func prewarmOriginsFromTheEnvironmentAreConnectedDuringINIT() throws {
        let nginx = try NginxServer()
        let before = try nginx.acceptedConnections()
        let runtime = try Runtime(environment: ["LAMBDA_HOST_PREWARM_ORIGINS": "https://127.0.0.1:\(nginx.tlsPort)"])
        // Before the first invocation: INIT connected.
        let deadline = Date().addingTimeInterval(10)
        while try nginx.acceptedConnections() == before, Date() < deadline { usleep(10_000) }
        let warmed = try nginx.acceptedConnections()
        #expect(warmed == before + 1)
        #expect(try runtime.probe("GET \(nginx.tlsURL("/1k"))").status == 200)
        #expect(try nginx.acceptedConnections() == warmed)
    }

    @Test func theAllowListDecidesByTheURLAlone() throws {
        let nginx = try NginxServer()
        let runtime = try Runtime(environment: [
            "LAMBDA_HOST_ALLOWED_ORIGINS": "https://*.example.com, http://127.0.0.1:\(nginx.port)",
        ])
        #expect(try runtime.probe("GET \(nginx.url("/1k"))").status == 200)
        let tls = try runtime.probe("GET \(nginx.tlsURL("/1k"))")
        #expect(tls.rc == OutboundHTTPTests.notSent)
        #expect(tls.error.contains("https://127.0.0.1:\(nginx.tlsPort) is not allowed by LAMBDA_HOST_ALLOWED_ORIGINS"), "\(tls.error)")
        // A Host header naming an allowed origin does not make the URL's origin allowed.
        let disguised = try runtime.probe("GET \(nginx.tlsURL("/1k"))\nHost: api.example.com\n")
        #expect(disguised.rc == OutboundHTTPTests.notSent, "\(disguised.error)")
        #expect(disguised.error.contains("is not allowed"))
        #expect(nginx.requestCount(path: "/1k") == 1)
    }

    @Test func aMalformedAllowListStopsINIT() throws {
        let failure = try initFailure(handler: "libHTTPProbe.so", environment: ["LAMBDA_HOST_ALLOWED_ORIGINS": "api.example.com"])
        #expect(failure.type == "Runtime.InvalidConfiguration")
        #expect(failure.message.contains("LAMBDA_HOST_ALLOWED_ORIGINS"))
        #expect(failure.message.contains("'api.example.com'"))
    }

    @Test func invokeAndServeRunAPluginThatCallsOut() throws {
        let nginx = try NginxServer()
        let caFile = try TestCertificates.shared.caFile
        let invoke = try runCommand(
            BuildProducts.host,
            ["invoke", "--handler", BuildProducts.plugin("Fetch"), "--event", #"{"url": "\#(nginx.tlsURL("/1k"))"}"#, "--env", "SSL_CERT_FILE=\(caFile)"])
        #expect(invoke.status == 0, "\(invoke.stderr)")
        #expect(invoke.stdout == #"{"status": 200, "bytes": 1024}"#)

        let serve = try HostProcess(
            handler: nil, api: nil,
            arguments: ["serve", "--port", "0", "--handler", BuildProducts.plugin("Fetch"), "--env", "SSL_CERT_FILE=\(caFile)"])
        let port = try #require(serve.invokePort(), "serve did not start: \(serve.stderr)")
        let before = try nginx.acceptedConnections()
        for _ in 0..<3 {
            let reply = try #require(HTTPPost.invoke(port: port, #"{"url": "\#(nginx.tlsURL("/1k"))"}"#))
            #expect(reply.body == #"{"status": 200, "bytes": 1024}"#, "\(reply)")
        }
        // One runtime process, one pool: the three calls shared a connection.
        #expect(try nginx.acceptedConnections() - before == 1)
    }
}

/// The Swift SDK's client (`LambdaPluginHTTP`), through the Release example plugin.
@Suite(.serialized) struct OutboundSwiftSDKTests {
    @Test func theSwiftExampleCallsAJSONAPIAndDecodesTheAnswer() throws {
        let nginx = try NginxServer()
        let runtime = try OutboundHTTPTests.Runtime("libRelease.so")
        let answer = try runtime.invoke(#"{"url": "\#(nginx.tlsURL("/release.json"))"}"#)
        #expect(answer.path.hasSuffix("/response"), "\(answer.text)")
        let fields = try #require(jsonObject(answer))
        #expect(fields["tag"] as? String == "v2.4.1")
        #expect(fields["name"] as? String == "Two Four One")
        #expect(fields["status"] as? Int == 200)
    }

    @Test(arguments: [
        ("/1k", "Outbound.InvalidResponse", "is not a valid LatestRelease"),
        ("/status/500", "Release.HTTPStatus", "status 500"),
    ])
    func aResponseThatIsNotTheReleaseIsATypedError(path: String, type: String, message: String) throws {
        let nginx = try NginxServer()
        let runtime = try OutboundHTTPTests.Runtime("libRelease.so")
        let answer = try runtime.invoke(#"{"url": "\#(nginx.url(path))"}"#)
        #expect(answer.path.hasSuffix("/error"))
        #expect(answer.text.contains(#""errorType":"\#(type)""#), "\(answer.text)")
        #expect(answer.text.contains(message), "\(answer.text)")
    }

    @Test func aRequestThatCannotBeSentIsOutboundNotSent() throws {
        let nginx = try NginxServer()
        let runtime = try OutboundHTTPTests.Runtime("libRelease.so")
        let answer = try runtime.invoke(#"{"url": "\#(nginx.tlsURL("/release.json", port: nginx.expiredPort))"}"#)
        #expect(answer.text.contains(#""errorType":"Outbound.NotSent""#), "\(answer.text)")
        #expect(answer.text.contains("certificate has expired"))
        let invalid = try runtime.invoke(#"{"url": "ftp://example.com/"}"#)
        #expect(invalid.text.contains(#""errorType":"Outbound.InvalidRequest""#), "\(invalid.text)")
    }
}
