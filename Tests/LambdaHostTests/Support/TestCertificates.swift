import Foundation
import Glibc

/// A test certificate authority and the server certificates the TLS tests need, made with
/// the `openssl` command in a temporary folder once per test process (about a second: three
/// RSA-2048 keys). One CA file for the whole process, because a TLS client reads its CA
/// bundle (`SSL_CERT_FILE`) once per process: a host child started by a test gets
/// ``caFile`` as its `SSL_CERT_FILE`, and this process's own (in-process tests of
/// CLambdaOutbound) is ``bundleFile``, set when the certificates are made.
///
/// Every leaf shares one key; they differ in what verification must say about them:
/// - ``server``: for 127.0.0.1 and localhost, signed by the CA, valid for ten years;
/// - ``expired``: the same names and CA, valid only in January 2020 (`openssl ca` takes
///   `-startdate`/`-enddate`; OpenSSL 3.0's `x509 -req` cannot date a certificate back);
/// - ``otherHost``: signed by the CA, for other.example and 10.9.8.7 only (a name and an
///   address, so both a host-name and an IP-address check must fail);
/// - ``otherCA``: for 127.0.0.1 and localhost, signed by a second CA that nobody trusts.
final class TestCertificates: Sendable {
    /// A certificate file and the file of its private key (PEM).
    struct Leaf: Sendable {
        var certificate: String
        var key: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The folder that holds every file; removed when the test process exits.
    let folder: String
    /// The CA certificate to trust (PEM): pass it as `SSL_CERT_FILE` or `curl --cacert`.
    let caFile: String
    /// The system's CA bundle (`/etc/ssl/certs/ca-certificates.crt`, when there is one) with
    /// ``caFile`` appended last: a real-sized trust store whose last certificate is ours.
    let bundleFile: String
    /// How many certificates ``bundleFile`` holds (split around the system's markers, the
    /// bundle gives one piece more than it has markers: the test CA).
    let bundleCount: Int
    /// The certificate of the second CA, which signed ``otherCA`` (never to be trusted).
    let otherCAFile: String
    let server: Leaf
    let expired: Leaf
    let otherHost: Leaf
    let otherCA: Leaf

    /// The certificates of this process, made at first use, or why `openssl` failed.
    static let made: Result<TestCertificates, Error> = Result { try TestCertificates() }

    /// The certificates of this process (see ``made``).
    static var shared: TestCertificates {
        get throws { try made.get() }
    }

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        removeAtExit(folder)
        caFile = folder + "/ca.crt"
        bundleFile = folder + "/bundle.crt"
        let system = (try? String(contentsOfFile: Self.systemBundle, encoding: .utf8)) ?? ""
        bundleCount = system.components(separatedBy: "-----BEGIN CERTIFICATE-----").count
        otherCAFile = folder + "/other-ca.crt"
        let key = folder + "/server.key"
        server = Leaf(certificate: folder + "/server.crt", key: key)
        expired = Leaf(certificate: folder + "/expired.crt", key: key)
        otherHost = Leaf(certificate: folder + "/other-host.crt", key: key)
        otherCA = Leaf(certificate: folder + "/other-ca-server.crt", key: key)
        try Data(Self.config.utf8).write(to: URL(fileURLWithPath: folder + "/openssl.cnf"))
        try Data().write(to: URL(fileURLWithPath: folder + "/index.txt"))
        try Data("1000\n".utf8).write(to: URL(fileURLWithPath: folder + "/serial"))

        for name in ["ca", "other-ca", "server"] {
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key"])
        }
        for (name, subject) in [("ca", "lambda-host test CA"), ("other-ca", "lambda-host untrusted CA")] {
            try openssl([
                "req", "-config", "openssl.cnf", "-new", "-x509", "-key", name + ".key", "-subj", "/CN=" + subject,
                "-days", "3650", "-set_serial", "1", "-extensions", "ca_ext", "-out", name + ".crt",
            ])
        }
        try openssl(["req", "-config", "openssl.cnf", "-new", "-key", "server.key", "-subj", "/CN=127.0.0.1", "-out", "server.csr"])
        try sign(by: "ca", serial: 2, extensions: "server_ext", out: "server.crt")
        try sign(by: "ca", serial: 3, extensions: "other_host_ext", out: "other-host.crt")
        try sign(by: "other-ca", serial: 4, extensions: "server_ext", out: "other-ca-server.crt")
        try openssl([
            "ca", "-batch", "-config", "openssl.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in", "server.csr",
            "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-extfile", "openssl.cnf",
            "-extensions", "server_ext", "-notext", "-out", "expired.crt",
        ])
        try Data((system + (try String(contentsOfFile: caFile, encoding: .utf8))).utf8).write(to: URL(fileURLWithPath: bundleFile))
        // CLambdaOutbound reads SSL_CERT_FILE once per process, at its first TLS connection,
        // so the in-process TLS tests need it set before any of them connects: every such
        // test goes through ``shared`` first, and this runs once (``made``). The bundle, not
        // the CA alone, so the library's lazy subject index finds our CA among ~140 real ones.
        setenv("SSL_CERT_FILE", bundleFile, 1)
    }

    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Signs server.csr with the CA `ca` (its .crt and .key in the folder).
    private func sign(by ca: String, serial: Int, extensions: String, out: String) throws {
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-set_serial", String(serial),
            "-days", "3650", "-extfile", "openssl.cnf", "-extensions", extensions, "-out", out,
        ])
    }

    /// Runs `openssl` in the folder with our configuration only (not the system's).
    private func openssl(_ arguments: [String]) throws {
        let run = try runCommand(
            "/usr/bin/env", ["openssl"] + arguments, environment: ["OPENSSL_CONF": folder + "/openssl.cnf"], in: folder)
        guard run.status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(run.stderr)")
        }
    }

    /// The extensions of each kind of certificate, and a minimal `openssl ca` set-up for
    /// the expired one.
    private static let config = """
        [ req ]
        distinguished_name = dn
        prompt = no
        [ dn ]
        CN = unused
        [ ca_ext ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        [ server_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1, DNS:localhost
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        [ other_host_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:other.example, IP:10.9.8.7
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        database = index.txt
        new_certs_dir = .
        serial = serial
        default_md = sha256
        policy = any
        unique_subject = no
        [ any ]
        commonName = supplied

        """
}

/// The folders to remove when the test process exits (an atexit hook cannot capture).
nonisolated(unsafe) private var foldersToRemove: [String] = []
private let foldersLock = NSLock()

/// Removes `folder` and what it holds when the process exits.
private func removeAtExit(_ folder: String) {
    foldersLock.lock()
    defer { foldersLock.unlock() }
    if foldersToRemove.isEmpty {
        atexit {
            foldersLock.lock()
            defer { foldersLock.unlock() }
            for folder in foldersToRemove { try? FileManager.default.removeItem(atPath: folder) }
        }
    }
    foldersToRemove.append(folder)
}
