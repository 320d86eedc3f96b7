import ArgumentParser
import CLambdaProcess
import Glibc
import LambdaEmulator
import LambdaPluginLoader

extension LambdaHostTools {
    /// `lambda-host serve`: a local endpoint that invokes the handler, like AWS's RIE.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a handler behind an invoke endpoint compatible with AWS's Runtime Interface Emulator.",
            discussion: """
                Starts the runtime against an embedded Runtime API and answers \
                POST /2015-03-31/functions/function/invocations on 127.0.0.1:PORT. Concurrent callers \
                are queued, never dropped; the runtime takes one at a time, or up to N at once with \
                --max-concurrency N (Lambda Managed Instances). A function error comes back as status \
                200 with X-Amz-Function-Error: Unhandled, as from Lambda's Invoke API; an event over \
                6 MiB gets 413 RequestEntityTooLarge. A runtime that exits, crashes, times out, or does not finish \
                INIT within --init-timeout is replaced for the next invocation (after a growing pause \
                while INITs keep failing). --handler takes every _HANDLER form, such as \
                'libm.so.6:cbrt(f64)->f64'.

                With --watch, the plugin is reloaded when its .so changes: the new build is copied to \
                a fresh folder under /tmp, started beside the running one, and takes over once it is \
                ready. A build that fails to load leaves the previous one serving, and the log says \
                why. The copies are removed when serve ends (SIGINT, SIGTERM). A system library cannot \
                be watched.

                With --http, every other path is a local HTTP front end: a request becomes a function URL / \
                HTTP API event (payload format 2.0, or 1.0 with --payload-format 1.0) and the answer an HTTP \
                response, as a function URL or API Gateway makes it. Several functions share the port with \
                --function NAME=HANDLER (repeatable): each is invoked at /2015-03-31/functions/NAME/invocations \
                and, with --http, answers /NAME and /NAME/... with /NAME taken off the event's path. A name \
                that is not served gets 404 with the list of those that are.

                Examples:
                  lambda-host serve --handler .build/release/libHello.so --port 9000 --watch
                  curl -d '{"name":"World"}' http://127.0.0.1:9000/2015-03-31/functions/function/invocations
                  lambda-host serve --handler .build/release/libHello.so --max-concurrency 4
                  lambda-host serve --http --handler .build/release/libApi.so --port 9000
                  curl 'http://127.0.0.1:9000/hello?name=Ada'
                  lambda-host serve --http --function users=libUsers.so --function orders=libOrders.so --task-root .build/release
                  curl http://127.0.0.1:9000/users/42
                  lambda-host serve --config functions.json --env-file .env
                  curl -H 'X-Amz-Invocation-Type: Event' -d '{}' http://127.0.0.1:9000/2015-03-31/functions/function/invocations

                The invoke path takes X-Amz-Invocation-Type as Lambda's Invoke API does: Event \
                answers 202 at once and runs after, DryRun answers 204 and runs nothing.
                """
        )

        @Option(
            help: ArgumentHelp(
                "The handler: a _HANDLER value (libhello.so, libhello.so:greet, hello.greet) or a path to a .so.",
                discussion: "With a path, the .so's folder is the task root. Example: --handler .build/release/libHello.so"
            ))
        var handler: String?

        @Option(
            name: .customLong("function"),
            help: ArgumentHelp(
                "A function to serve beside others, as NAME=HANDLER, or NAME alone for --config's function NAME (repeatable; instead of --handler). Example: --function hello=.build/release/libHello.so",
                discussion: """
                    Each function has its own runtime, Runtime API and, with --watch, its own reload; NAME is its \
                    AWS_LAMBDA_FUNCTION_NAME. Events go to /2015-03-31/functions/NAME/invocations; with --http, \
                    a request to /NAME or /NAME/... goes to NAME, with /NAME taken off the path its event carries.
                    """))
        var functions: [String] = []

        @Option(
            help: ArgumentHelp(
                "A JSON file that names functions: handler, taskRoot, environment, timeout, memorySize. Example: --config functions.json",
                discussion: """
                    {"functions": {"hello": {"handler": "libHello.so", "taskRoot": ".build/release", \
                    "environment": {"GREETING": "Bonjour"}, "timeout": 30, "memorySize": 256}}}. Serves every \
                    function of the file, or those named by --function NAME (a --function without '='); flags \
                    given on the command line win over the file. One function is served as --handler is; \
                    several as --function NAME=HANDLER are.
                    """,
                valueName: "file"))
        var config: String?

        @OptionGroup var variables: EnvironmentOptions

        @Option(help: "Where the plugin is looked for (LAMBDA_TASK_ROOT; default: the current folder). Example: --task-root .build/release")
        var taskRoot: String?

        @Option(help: "The port of the invoke endpoint, on 127.0.0.1. Example: --port 8080")
        var port: Int = 9000

        @Flag(help: "Reload the plugin when its .so changes on disk. Example: --watch")
        var watch = false

        @Flag(
            help: ArgumentHelp(
                "Answer every path as a local HTTP front end: each request becomes a function URL / API Gateway event. Example: --http",
                discussion: """
                    A request to any path (but the invoke path) becomes the event of a Lambda function URL or an API \
                    Gateway HTTP API (payload format 2.0), and the function's answer its HTTP response: statusCode, \
                    headers, multiValueHeaders, cookies, body (base64 when isBase64Encoded); any other JSON answer is \
                    a 200 application/json; a function error a 502; a streamed function URL answer its status and \
                    headers, then its body as it comes. Bodies over 6 MiB get 413.
                    """))
        var http = false

        @Option(help: "With --http, the events' payload format: 2.0 (function URL, HTTP API) or 1.0 (REST API). Example: --payload-format 1.0")
        var payloadFormat: HTTPPayloadFormat = .v2

        @OptionGroup var function: FunctionOptions

        @OptionGroup var concurrency: ConcurrencyOptions

        func validate() throws {
            try check("--port", port, in: portRange, "(0 picks a free port)")
            // Here rather than in run(), so that the usage shown is serve's.
            let served = try servedFunctions()
            if watch {
                for entry in served where entry.library == nil {
                    throw ValidationError(
                        "--watch: nothing to watch: '\(entry.handler)' names a system library that the system loader finds "
                            + "(it is in neither \(entry.taskRoot) nor the layer); drop --watch, or put the library in the task root")
                }
            }
        }

        /// The functions to serve: the one --handler names (with --config's one function,
        /// if given), or each --function, or every function of --config.
        func servedFunctions() throws -> [ServedFunction] {
            let file = try config.map { path in try configurationErrorsAsUsage { try ConfigurationFiles.functions(path) } }
            var named: [(name: String?, handler: String?, selected: FunctionConfiguration?)] = []
            if let handler {
                guard functions.isEmpty else {
                    throw ValidationError(
                        "give either --handler H (one function) or one or more --function NAME=H (several); example: --handler .build/release/libHello.so")
                }
                let selected = try file.map { all in
                    try configurationErrorsAsUsage { try FunctionConfiguration.select(nil, from: all, origin: config ?? "--config") }
                }
                named = [(nil, handler, selected)]
            } else if functions.isEmpty {
                guard let file else {
                    throw ValidationError(
                        "give --handler H (one function), --function NAME=H (several), or --config FILE; example: --handler .build/release/libHello.so")
                }
                named = file.count == 1 ? [(nil, nil, file[0])] : file.map { ($0.name, nil, $0) }
            } else {
                for text in functions {
                    if text.contains("=") {
                        let (name, given) = try ServedFunction.parse(text)
                        named.append((name, given, nil))
                    } else {
                        guard let file else { throw ValidationError("--function \(text): give NAME=HANDLER, or --config FILE to take NAME from") }
                        let selected = try configurationErrorsAsUsage { try FunctionConfiguration.select(text, from: file, origin: config ?? "--config") }
                        named.append((text, nil, selected))
                    }
                }
            }
            var served: [ServedFunction] = []
            for (name, given, selected) in named {
                let shownName = name ?? selected?.name ?? function.functionName ?? "function"
                guard !served.contains(where: { $0.name == shownName }) else { throw ValidationError("--function: '\(shownName)' is named twice") }
                var arguments = given.map { ["--handler", $0] } ?? []
                if let taskRoot { arguments += ["--task-root", taskRoot] }
                let (spec, root) = try HandlerOptions.parse(arguments).resolve(selected)
                served.append(
                    ServedFunction(
                        name: shownName, handler: spec, taskRoot: root, library: try locate(handler: spec, taskRoot: root), selected: selected,
                        named: name != nil))
            }
            return served
        }

        func run() async throws {
            var started: [(entry: ServedFunction, active: ActiveFunction)] = []
            let endpoint: InvokeEndpoint
            do {
                for entry in try servedFunctions() {
                    let first = try await start(entry, generation: 1)
                    started.append((entry, ActiveFunction(first)))
                }
                let invokers = started.map { item in
                    let active = item.active
                    return (name: item.entry.name, invoke: { @Sendable invocation in await active.invoke(invocation) } as ServedFunctions.Invoke)
                }
                let prefixed = started.contains { $0.entry.named }
                let served = ServedFunctions(
                    invokers, http: http, prefixed: prefixed, format: payloadFormat, log: { note("lambda-host serve: \($0)") })
                endpoint = try await InvokeEndpoint.start(port: port, functions: served)
            } catch {
                for item in started { await item.active.current.shutdown() }
                throw error
            }
            let base = "http://127.0.0.1:\(endpoint.port)"
            for item in started {
                let name = item.entry.named ? item.entry.name : "function"
                note("lambda-host serve: POST events to \(base)/2015-03-31/functions/\(name)/invocations")
                if http {
                    note("lambda-host serve: HTTP requests (payload format \(payloadFormat.rawValue)) to \(base)\(item.entry.named ? "/" + name : "")/")
                }
            }
            for item in started { await report(item.active.current, as: "started", library: item.entry.library ?? item.entry.handler) }

            guard watch else {
                while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for item in started {
                    group.addTask { try await watchLoop(item.entry, active: item.active) }
                }
                try await group.waitForAll()
            }
        }

        /// Reloads `entry` into `active` each time its library changes, until cancelled.
        private func watchLoop(_ entry: ServedFunction, active: ActiveFunction) async throws {
            guard let library = entry.library else { return }
            var generation = 1
            note("lambda-host serve: watching \(library) for changes")
            var seen = FileStamp(library)
            while true {
                try await Task.sleep(nanoseconds: 200_000_000)
                let now = FileStamp(library)
                guard now != seen, let now else { continue }
                // Wait until the build has finished writing: the same stamp twice.
                try await Task.sleep(nanoseconds: 200_000_000)
                guard FileStamp(library) == now else { continue }
                seen = now
                generation += 1
                let candidate: FunctionSupervisor
                do {
                    candidate = try await start(entry, generation: generation)
                } catch {
                    note("lambda-host serve: cannot start the new \(library): \(error); still serving the previous build")
                    continue
                }
                if await candidate.emulator.waitUntilReady() {
                    let old = await active.replace(with: candidate)
                    note("lambda-host serve: reloaded \(library) (build \(generation))")
                    Task { await old.retire() }
                } else {
                    let why = await candidate.emulator.lastInitError() ?? "the runtime exited before it was ready"
                    note("lambda-host serve: the new \(library) did not start (\(why)); still serving the previous build")
                    await candidate.shutdown()
                }
            }
        }

        /// Starts a runtime for the plugin in `taskRoot` (with --watch, in a copy of `library`
        /// staged for `generation`) and begins its INIT. What it made is removed if it
        /// cannot start.
        private func start(_ entry: ServedFunction, generation: Int) async throws -> FunctionSupervisor {
            var options = function
            if entry.selected == nil { options.functionName = entry.name }
            var local = try options.local(
                handler: entry.handler, taskRoot: entry.taskRoot, runtimeDirectory: folder(of: hostBinary), selected: entry.selected,
                variables: try variables.variables(entry.selected), inheritsShell: variables.inheritEnv)
            let staged = watch ? try entry.library.map { try stage($0, generation) } : nil
            if let staged { local.environment.taskRoot = staged }
            let emulator: RuntimeAPIEmulator
            do {
                emulator = try await RuntimeAPIEmulator.start(configuration: concurrency.applied(to: local.emulator))
            } catch {
                if let staged { removeFolder(staged) }
                throw error
            }
            // A staged copy's folder goes when its runtime does.
            let supervisor = local.supervisor(
                on: emulator, extra: concurrency.environment, cleanup: { if let staged { removeFolder(staged) } })
            do {
                try await supervisor.startRuntime()
            } catch {
                await supervisor.shutdown()
                throw error
            }
            return supervisor
        }

        private func report(_ supervisor: FunctionSupervisor, as what: String, library: String) async {
            if await supervisor.emulator.waitUntilReady() {
                note("lambda-host serve: \(what) \(library)")
            } else {
                let why = await supervisor.emulator.lastInitError() ?? "the runtime exited"
                note("lambda-host serve: \(library) did not start (\(why)); each invocation will try again")
            }
        }

        /// The file `_HANDLER` names, found as the runtime will find it; nil for a system
        /// library that a plain C function with its signature is taken from
        /// (`libm.so.6:cbrt(f64)->f64`), which the runtime leaves to the system loader.
        private func locate(handler: String, taskRoot: String) throws -> String? {
            do {
                let spec = try HandlerSpec(handler)
                do {
                    return try PluginLocator(taskRoot: taskRoot).locate(spec)
                } catch where error.code == .pluginNotFound && spec.signature != nil && !spec.candidates[0].contains("/") {
                    return nil
                }
            } catch {
                throw ValidationError("\(error.code.errorType): \(error.message)")
            }
        }

        /// Copies the library into a fresh folder, so that the runtime maps a file no build
        /// will overwrite, and so that no loader can hand back a stale image.
        private func stage(_ library: String, _ generation: Int) throws -> String {
            var template = Array("/tmp/lambda-host-watch-XXXXXX".utf8CString)
            guard let folder = mkdtemp(&template).map({ String(cString: $0) }) else {
                throw ValidationError("cannot create a folder in /tmp: \(String(cString: strerror(errno)))")
            }
            // Removed if a signal ends serve, or now if the copy fails; removeFolder forgets them.
            let name = library.split(separator: "/").last.map(String.init) ?? "plugin.so"
            lh_cleanup_add(folder)
            lh_cleanup_add(folder + "/" + name)
            do {
                let bytes = try Output.readAll(path: library)
                let fd = open(folder + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
                guard fd >= 0 else { throw ValidationError("cannot write \(folder)/\(name)") }
                defer { close(fd) }
                let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written == bytes.count else { throw ValidationError("cannot write \(folder)/\(name)") }
            } catch {
                removeFolder(folder)
                throw error
            }
            return folder
        }
    }
}

/// Removes a staging folder and the library in it.
func removeFolder(_ folder: String) {
    guard folder.hasPrefix("/tmp/lambda-host-watch-"), let entries = opendir(folder) else { return }
    while let entry = readdir(entries) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." {
            unlink(folder + "/" + name)
            lh_cleanup_remove(folder + "/" + name)
        }
    }
    closedir(entries)
    rmdir(folder)
    lh_cleanup_remove(folder)
}

/// The supervisor that invocations go to; replaced by a reload.
actor ActiveFunction {
    private(set) var current: FunctionSupervisor

    init(_ supervisor: FunctionSupervisor) {
        current = supervisor
    }

    /// Makes `supervisor` the one invocations go to; returns the previous one.
    func replace(with supervisor: FunctionSupervisor) -> FunctionSupervisor {
        defer { current = supervisor }
        return current
    }

    /// Runs an invocation on the current build; one that a retiring build did not queue
    /// (it waited out a back-off) goes to the build that replaced it.
    nonisolated func invoke(_ invocation: EmulatedInvocation) async -> InvocationResult {
        while true {
            let supervisor = await current
            do {
                return try await supervisor.invoke(invocation)
            } catch {
                let replaced = await current !== supervisor
                if error is FunctionSupervisor.Retired && replaced { continue }
                return .failure(type: "Runtime.Unavailable", message: "\(error)")
            }
        }
    }
}

/// What identifies a version of a file: inode, size and modification time.
struct FileStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = info.st_mtim.tv_sec
        nanoseconds = info.st_mtim.tv_nsec
    }
}
