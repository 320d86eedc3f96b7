import Foundation
import Testing

/// The container-credentials endpoint fixture, checked with a raw client and with botocore's
/// own ContainerProvider (the AWS SDK for Python's reader of this endpoint). Comparisons with
/// a credential are made before `#expect`, which would print both sides.
@Suite struct CredentialsServerTests {
    static let token = "container-token-\(UUID().uuidString)"

    static func credentials(_ name: String, expiringIn seconds: Double) -> CredentialsServer.Credentials {
        CredentialsServer.Credentials(
            accessKeyId: "ASIA\(name.uppercased())EXAMPLE", secretAccessKey: "secret-\(name)-\(UUID().uuidString)",
            token: "token-\(name)-\(UUID().uuidString)", expiration: Date().addingTimeInterval(seconds))
    }

    /// GETs `path` on `connection` with `authorization`; the reply.
    static func get(_ connection: RawHTTP, _ path: String, authorization: String?) throws -> RawHTTP.Reply {
        connection.request("GET", path, headers: authorization.map { [("Authorization", $0)] } ?? [])
        return try #require(connection.reply())
    }

    static func fields(_ reply: RawHTTP.Reply) throws -> [String: String] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: String])
    }

    @Test func rightTokenGetsTheCredentialsAsJSON() throws {
        var served = Self.credentials("one", expiringIn: 3600)
        served.expiration = Date(timeIntervalSince1970: 1_796_274_000)  // 2026-12-03T05:00:00Z
        let server = try CredentialsServer(token: Self.token, answers: [.credentials(served)])
        let connection = try #require(RawHTTP(port: server.port, timeout: 10))
        let reply = try Self.get(connection, server.path, authorization: Self.token)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        let fields = try Self.fields(reply)
        #expect(fields.keys.sorted() == ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"])
        let same =
            fields["AccessKeyId"] == served.accessKeyId && fields["SecretAccessKey"] == served.secretAccessKey
            && fields["Token"] == served.token
        #expect(same, "the JSON holds the credentials served")
        #expect(fields["Expiration"] == "2026-12-03T05:00:00Z")

        let recorded = try #require(server.requests.first)
        let authorised = recorded.authorization == Self.token
        #expect(recorded.method == "GET" && recorded.path == server.path && authorised)
        #expect(server.authorisedCount == 1)
        let shown = "\(server) \(served)"
        let leaked = [Self.token, served.accessKeyId, served.secretAccessKey, served.token].contains { shown.contains($0) }
        #expect(!leaked, "a description shows a credential")
    }

    @Test func wrongOrMissingTokenIs403AndOtherPathsAndMethodsAreRefused() throws {
        let server = try CredentialsServer(token: Self.token, answers: [.credentials(Self.credentials("one", expiringIn: 3600))])
        let connection = try #require(RawHTTP(port: server.port, timeout: 10))
        #expect(try Self.get(connection, server.path, authorization: "wrong").status == 403)
        #expect(try Self.get(connection, server.path, authorization: nil).status == 403)
        #expect(try Self.get(connection, "/other", authorization: Self.token).status == 404)
        connection.request("POST", server.path, headers: [("Authorization", Self.token)])
        #expect(connection.reply()?.status == 405)
        #expect(server.authorisedCount == 0)
        let recorded = server.requests
        #expect(recorded.map(\.path) == [server.path, server.path, "/other", server.path])
        #expect(recorded[0].authorization == "wrong" && recorded[1].authorization == nil)
    }

    /// Soon-expiring credentials, then fresh ones (repeated), then a failure and new ones
    /// once the answers are replaced: all on one kept-alive connection.
    @Test func answersFollowTheCountOfAuthorisedRequests() throws {
        let soon = Self.credentials("soon", expiringIn: 60)
        let fresh = Self.credentials("fresh", expiringIn: 6 * 3600)
        let later = Self.credentials("later", expiringIn: 6 * 3600)
        let server = try CredentialsServer(token: Self.token, answers: [.credentials(soon), .credentials(fresh)])
        let connection = try #require(RawHTTP(port: server.port, timeout: 10))
        var keys: [String?] = []
        for _ in 0..<3 { keys.append(try Self.fields(Self.get(connection, server.path, authorization: Self.token))["AccessKeyId"]) }
        let inOrder = keys == [soon.accessKeyId, fresh.accessKeyId, fresh.accessKeyId]
        #expect(inOrder, "soon, then fresh twice")
        server.setAnswers([.status(500), .credentials(later)])
        #expect(try Self.get(connection, server.path, authorization: Self.token).status == 500)
        let last = try Self.fields(Self.get(connection, server.path, authorization: Self.token))["AccessKeyId"]
        let isLater = last == later.accessKeyId
        #expect(isLater)
        #expect(server.authorisedCount == 5)
        #expect(server.waitForRequests(5).count == 5)
    }

    /// botocore's ContainerProvider, as boto3 uses it in Lambda, reads what the server serves.
    @Test func botocoreContainerProviderReadsTheCredentials() throws {
        let served = Self.credentials("boto", expiringIn: 6 * 3600)
        let server = try CredentialsServer(token: Self.token, answers: [.credentials(served)])
        let script = """
            import os
            from botocore.credentials import ContainerProvider
            found = ContainerProvider().load()
            frozen = found.get_frozen_credentials()
            print(frozen.access_key == os.environ["WANT_KEY"], frozen.secret_key == os.environ["WANT_SECRET"],
                  frozen.token == os.environ["WANT_TOKEN"], found.method)
            """
        var environment = server.environment
        environment["WANT_KEY"] = served.accessKeyId
        environment["WANT_SECRET"] = served.secretAccessKey
        environment["WANT_TOKEN"] = served.token
        let outcome = try runCommand("/usr/bin/env", ["python3", "-c", script], environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(800))")
        #expect(outcome.stdout == "True True True container-role\n")
        let authorised = server.requests.map { $0.authorization == Self.token }
        #expect(authorised == [true], "one GET with the token")
    }

    @Test func releasedServerClosesItsConnectionsAndPort() throws {
        var server: CredentialsServer? = try CredentialsServer(
            token: Self.token, answers: [.credentials(Self.credentials("one", expiringIn: 3600))])
        let port = try #require(server?.port)
        let connection = try #require(RawHTTP(port: port, timeout: 10))
        #expect(try Self.get(connection, "/other", authorization: nil).status == 404)
        server = nil
        #expect(connection.closedByPeer())
        #expect(ProcessWatch.until(5) { RawHTTP(port: port, timeout: 1) == nil })
    }
}
