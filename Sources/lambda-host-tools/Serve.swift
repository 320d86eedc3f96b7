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

                Examples:
                  lambda-host serve --handler .build/release/libHello.so --port 9000 --watch
                  curl -d '{"name":"World"}' http://127.0.0.1:9000/2015-03-31/functions/function/invocations
                  lambda-host serve --handler .build/release/libHello.so --max-concurrency 4
                  lambda-host serve --config functions.json --function hello --env-file .env
                """
        )

        @OptionGroup var plugin: HandlerOptions

        @Option(help: "The port of the invoke endpoint, on 127.0.0.1. Example: --port 8080")
        var port: Int = 9000

        @Flag(help: "Reload the plugin when its .so changes on disk. Example: --watch")
        var watch = false

        @OptionGroup var file: ConfigFileOptions

        @OptionGroup var configuration: EnvironmentOptions

        @OptionGroup var function: FunctionOptions

        @OptionGroup var concurrency: ConcurrencyOptions

        func validate() throws {
            try check("--port", port, in: portRange, "(0 picks a free port)")
            // Here rather than in run(), so that the usage shown is serve's.
            if watch {
                let (handler, taskRoot) = try plugin.resolve(file.selected())
                if try locate(handler: handler, taskRoot: taskRoot) == nil {
                    throw ValidationError(
                        "--watch: nothing to watch: '\(handler)' names a system library that the system loader finds "
                            + "(it is in neither \(taskRoot) nor the layer); drop --watch, or put the library in the task root")
                }
            }
        }

        func run() async throws {
            let selected = try file.selected()
            let (handler, taskRoot) = try plugin.resolve(selected)
            let local = try function.local(
                handler: handler, taskRoot: taskRoot, runtimeDirectory: folder(of: hostBinary), selected: selected,
                variables: try configuration.variables(selected), inheritsShell: configuration.inheritEnv)
            let library = try locate(handler: handler, taskRoot: taskRoot) ?? handler
            var generation = 1
            let first = try await start(local, library: library, generation: generation)
            let active = ActiveFunction(first)
            let endpoint: InvokeEndpoint
            do {
                endpoint = try await InvokeEndpoint.start(port: port) { invocation in await active.invoke(invocation) }
            } catch {
                await first.shutdown()
                throw error
            }
            note("lambda-host serve: POST events to \(endpoint.url)")
            await report(first, as: "started", library: library)

            guard watch else {
                while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
            }
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
                    candidate = try await start(local, library: library, generation: generation)
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

        /// Starts a runtime for the plugin in its task root (with --watch, in a copy of
        /// `library` staged for `generation`) and begins its INIT. What it made is removed
        /// if it cannot start.
        private func start(_ function: LocalFunction, library: String, generation: Int) async throws -> FunctionSupervisor {
            let staged = watch ? try stage(library, generation) : nil
            let emulator: RuntimeAPIEmulator
            do {
                emulator = try await RuntimeAPIEmulator.start(configuration: concurrency.applied(to: function.emulator))
            } catch {
                if let staged { removeFolder(staged) }
                throw error
            }
            // A staged copy's folder goes when its runtime does.
            var function = function
            if let staged { function.environment.taskRoot = staged }
            let supervisor = function.supervisor(
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
