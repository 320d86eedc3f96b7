import Foundation
import Glibc
import LambdaOutbound

/// A real moto server (PyPI's `moto[server]`, run as `python3 -m moto.server`) on a free
/// port of 127.0.0.1, **with SigV4 verification on**: every AWS request it serves must be
/// signed with a key its IAM knows, whose policy allows the call. Stopped (SIGTERM, then
/// reaped) when released; it also exits by itself when the test process is gone (it
/// watches its stdin, a pipe only this process writes), so the shared instance never
/// outlives `swift test`.
///
/// moto checks signatures only once `INITIAL_NO_AUTH_ACTION_COUNT` actions have run
/// (infinite by default), so the fixture first makes, unauthenticated (see
/// ``MotoServer+Setup``): an IAM user with an access key (``credentials``), a policy allowing
/// `dynamodb:*`, `s3:*`, `sqs:*` attached to it and to a role, STS credentials of that role
/// (``sessionCredentials``), the table ``table`` (string key `id`, on demand) and the
/// bucket ``bucket``; then it POSTs `0` to `/moto-api/reset-auth`, which turns checking
/// on for every later action.
///
/// What moto answers once checking is on: a wrong secret gets 403 `SignatureDoesNotMatch`,
/// an unknown key 403 `InvalidClientTokenId` (for DynamoDB too, as IAM's XML
/// `ErrorResponse`, not DynamoDB's JSON); a request with no `Authorization` header is routed
/// to S3 (moto picks the service from the signature's scope) and gets a 500. Its server
/// (werkzeug's) closes the connection after every reply.
///
/// Starting costs about a second (measured 0.8 to 1.0 s on 2 busy cores: 0.55 to 0.65 s
/// until Python has imported moto and answers, then ten setup calls); stopping about 15 ms.
/// So tests share one server through ``shared()`` (suites run in parallel; moto serves
/// each request on its own thread) and make their own tables or buckets with unique names
/// (``uniqueName(_:)``) when they count what they wrote.
final class MotoServer: @unchecked Sendable, CustomStringConvertible {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let region = "us-east-1"
    /// The table made before checking starts: string hash key `id`, PAY_PER_REQUEST.
    static let table = "Visits"
    /// The bucket made before checking starts.
    static let bucket = "notes"
    /// The IAM user, role and policy name.
    static let principal = "lambda-host-test"

    let port: Int
    var region: String { Self.region }
    var table: String { Self.table }
    var bucket: String { Self.bucket }
    /// The IAM user's long-term access key (`AKIA…`), allowed DynamoDB, S3 and SQS.
    let credentials: AWSCredentials
    /// STS AssumeRole credentials (`ASIA…` with a session token) of a role with the same
    /// policy: moto checks the token matches the key.
    let sessionCredentials: AWSCredentials
    /// Seconds from launch to moto's first answer, and to checking turned on.
    let secondsToListen: Double, secondsToReady: Double
    /// The folder of moto's log (removed when released).
    let folder: String
    private let process: Process
    /// The write end of moto's stdin: closing it (or this process ending) stops moto.
    private let lifeline: FileHandle

    var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The Python process serving.
    var processIdentifier: pid_t { process.processIdentifier }
    var accessKeyId: String { credentials.accessKeyId }
    /// The user's secret: never put it in a message (``redact(_:)``).
    var secretAccessKey: String { credentials.secretAccessKey }
    var description: String { "MotoServer(\(endpoint), credentials hidden)" }

    private static let sharedServer = Result { try MotoServer() }

    /// The one server of this test process, started at first use.
    static func shared() throws -> MotoServer { try sharedServer.get() }

    /// Starts moto, makes the IAM user, role, table and bucket, and turns checking on.
    /// - Parameter pythonArguments: options for `python3` before the script (`-S` hides
    ///   site-packages, as on a machine without moto).
    /// - Throws: ``Failure`` when moto is not installed (saying how to install it) or does
    ///   not start.
    init(pythonArguments: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-host-moto-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let started = Date()
        let launched: (process: Process, port: Int, lifeline: FileHandle)
        do {
            launched = try Self.launch(logFile: folder + "/moto.log", pythonArguments: pythonArguments)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        (process, port, lifeline) = launched
        secondsToListen = Date().timeIntervalSince(started)
        do {
            (credentials, sessionCredentials) = try Self.prepare(port: launched.port)
        } catch {
            Self.stop(launched.process, lifeline: launched.lifeline)
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        secondsToReady = Date().timeIntervalSince(started)
    }

    deinit {
        Self.stop(process, lifeline: lifeline)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// What moto wrote (werkzeug's request lines, tracebacks), secrets redacted.
    var log: String { redact((try? String(contentsOfFile: folder + "/moto.log", encoding: .utf8)) ?? "") }

    /// `text` with this server's keys, secrets and session token replaced by `<redacted>`.
    func redact(_ text: String) -> String {
        [
            credentials.accessKeyId, credentials.secretAccessKey, sessionCredentials.accessKeyId,
            sessionCredentials.secretAccessKey, sessionCredentials.sessionToken ?? "",
        ]
            .filter { !$0.isEmpty }
            .reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    /// The variables a function is run with to call this server: the AWS SDKs' endpoint
    /// override, the region, and `credentials` (the user's key unless given).
    func environment(_ credentials: AWSCredentials? = nil) -> [String: String] {
        let chosen = credentials ?? self.credentials
        var variables = [
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": chosen.accessKeyId, "AWS_SECRET_ACCESS_KEY": chosen.secretAccessKey,
        ]
        if let token = chosen.sessionToken { variables["AWS_SESSION_TOKEN"] = token }
        return variables
    }

    /// `prefix` and 8 random lower-case hex digits: a table or bucket name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.lowercased().prefix(8)
    }

    // MARK: Launch and stop

    /// Runs moto under a small Python wrapper: it unblocks SIGTERM (a test process's threads
    /// block it and a child inherits the mask), exits when its stdin reaches end of file, and
    /// exits at once on SIGTERM (moto's own handler raises SystemExit, and tearing down the
    /// interpreter with all of moto loaded takes a second or more).
    private static let wrapper = """
        import os, signal, sys, threading
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
        def lifeline():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=lifeline, daemon=True).start()
        import moto.server
        moto.server.signal_handler = lambda signum, frame: os._exit(0)
        moto.server.main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """

    /// Starts moto on a free port and waits (up to 60 s) until it answers; moto binds the
    /// port itself, so when another process took it first, it starts again on another.
    private static func launch(logFile: String, pythonArguments: [String]) throws -> (Process, Int, FileHandle) {
        var environment = ProcessInfo.processInfo.environment
        for name in ["INITIAL_NO_AUTH_ACTION_COUNT", "MOTO_ACCOUNT_ID", "MOTO_PORT"] { environment[name] = nil }
        environment["PYTHONUNBUFFERED"] = "1"
        var log = ""
        for _ in 0..<5 {
            guard let port = RawListener()?.port else { throw Failure(description: "no free port on 127.0.0.1") }
            guard FileManager.default.createFile(atPath: logFile, contents: nil), let output = FileHandle(forWritingAtPath: logFile)
            else { throw Failure(description: "cannot write \(logFile)") }
            let input = Pipe()
            _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + pythonArguments + ["-c", wrapper, String(port)]
            process.environment = environment
            process.standardInput = input.fileHandleForReading
            process.standardOutput = output
            process.standardError = output
            try process.run()
            try? output.close()
            try? input.fileHandleForReading.close()
            if waitUntilAnswering(process, port: port) { return (process, port, input.fileHandleForWriting) }
            stop(process, lifeline: input.fileHandleForWriting)
            log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if !log.contains("in use") { break }
        }
        if log.contains("No module named") || log.contains("install moto[server]") {
            throw Failure(
                description: "the moto tests need moto's server for python3 (python3 -m pip install 'moto[server]'; "
                    + ".ci/run does): \(log.suffix(400))")
        }
        throw Failure(description: "moto did not start: \(log.suffix(2000))")
    }

    /// Whether moto answers its own API on `port` within 60 s (false once it exited). The
    /// answer, not a connect, is the condition: only moto says "Need to POST".
    private static func waitUntilAnswering(_ process: Process, port: Int) -> Bool {
        var answered = false
        _ = ProcessWatch.until(60) {
            guard process.isRunning else { return true }
            guard let connection = RawHTTP(port: port, timeout: 10) else { return false }
            connection.request("GET", "/moto-api/reset-auth")
            answered = connection.reply().map { $0.status == 400 && $0.text.contains("Need to POST") } ?? false
            return answered
        }
        return answered && process.isRunning
    }

    /// Stops moto (SIGTERM, SIGKILL after 10 s) and reaps it.
    private static func stop(_ process: Process, lifeline: FileHandle) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if !ProcessWatch.until(10, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? lifeline.close()
    }
}
