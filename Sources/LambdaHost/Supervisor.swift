import CLambdaOutbound
import CLambdaSystem

/// The process model of `AWS_LAMBDA_MAX_CONCURRENCY` = N > 1 (docs/concurrency.md): the
/// host forks N worker processes before it loads anything, and each runs the ordinary
/// INIT and run loop with its own Runtime API connection, as AWS's Python client does.
///
/// The supervisor stays single-threaded and loads nothing: it waits for SIGCHLD and
/// SIGTERM, replaces a worker that dies after INIT (its own INIT again) with a backoff,
/// gives up when workers keep dying, stops every worker after the one init error that
/// reached the Runtime API, and forwards SIGTERM. Cost: one process per worker, each with
/// its own copy of the plugin's state; with N = 1 none of this runs.
struct Supervisor {
    /// The values `AWS_LAMBDA_MAX_CONCURRENCY` may take.
    static let accepted = 1...1024
    /// Deaths after INIT tolerated within `deathWindowMs`; one more ends the supervisor.
    static let maxDeaths = 10
    static let deathWindowMs: Int64 = 10_000
    /// The wait before a replacement starts: doubles with each recent death, up to the cap.
    static let firstBackoffMs: Int64 = 10
    static let maxBackoffMs: Int64 = 1_000

    /// The number of workers `value` asks for, and the warning to log when it is not one
    /// the host accepts (it then runs one).
    static func workerCount(_ value: String?) -> (count: Int, warning: String?) {
        guard let value else { return (1, nil) }
        guard let count = Int(value), accepted.contains(count) else {
            return (
                1,
                "AWS_LAMBDA_MAX_CONCURRENCY is '\(value)', not a number in \(accepted.lowerBound)...\(accepted.upperBound); "
                    + "running one invocation at a time"
            )
        }
        return (count, nil)
    }

    /// The wait before replacing a worker when `recentDeaths` have died in the window.
    static func backoffMs(recentDeaths: Int) -> Int64 {
        let doublings = min(max(recentDeaths - 1, 0), 16)
        return min(firstBackoffMs << Int64(doublings), maxBackoffMs)
    }

    /// Becomes the supervisor when `AWS_LAMBDA_MAX_CONCURRENCY` asks for more than one
    /// worker. Returns in a worker process (and at once for one worker) the number of
    /// invocations to run at once; the supervisor itself never returns. Call before
    /// anything starts a thread.
    static func startIfConfigured(_ value: String?) -> Int {
        let (count, warning) = workerCount(value)
        if let warning { HostLog.host(.warn, warning) }
        guard count > 1 else { return 1 }
        let status = lh_supervisor_prepare()
        if status != 0 {
            HostLog.host(.warn, "cannot prepare worker processes (error \(status)); running one invocation at a time")
            return 1
        }
        var supervisor = Supervisor(count: count)
        supervisor.run()
        // A worker: the trace id is in each invocation's struct; the variable is the
        // process's and would mislead code that reads it (docs/concurrency.md).
        TraceEnvironment.enabled = false
        return count
    }

    private let count: Int
    private var workers: Set<pid_t> = []
    private var deaths: [Int64] = []
    /// When each replacement is due (CLOCK_MONOTONIC ms), earliest first.
    private var pending: [Int64] = []
    private var stopping = false
    /// Set once the first worker has announced processes and the others were started.
    private var grown = false

    private init(count: Int) { self.count = count }

    /// Returns only in a new worker.
    ///
    /// One worker starts first and announces, once it has loaded the plugin, whether the
    /// plugin is thread-safe: then it runs every invocation on its threads and stays the
    /// only worker; otherwise the other workers start (each its own INIT).
    private mutating func run() {
        HostLog.host(.info, "AWS_LAMBDA_MAX_CONCURRENCY=\(count): starting a worker process to load the plugin")
        if startWorker() { return }
        while true {
            var code: Int32 = 0
            while true {
                let pid = lh_supervisor_reap(0, &code)
                if pid <= 0 { break }
                ended(pid, code: code)
            }
            if stopping && workers.isEmpty {
                HostLog.host(.info, "every worker has ended; exiting")
                lh_exit(0)
            }
            if !grown && !stopping && lh_supervisor_model() != LH_MODEL_UNDECIDED {
                grown = true
                if lh_supervisor_model() == LH_MODEL_THREADS {
                    HostLog.host(.info, "the plugin is thread-safe: one worker process runs \(count) threads")
                } else {
                    HostLog.host(.info, "the plugin is not thread-safe: starting \(count - 1) more worker processes")
                    for _ in 1..<count where startWorker() { return }
                }
            }
            let now = lh_monotonic_ms()
            while let due = pending.first, due <= now {
                pending.removeFirst()
                if startWorker() { return }
            }
            let timeout = pending.first.map { Int32(clamping: max(0, $0 - now)) } ?? -1
            if lh_supervisor_wait(timeout) == SIGTERM && !stopping {
                HostLog.host(.info, "SIGTERM: passing it to \(workers.count) workers and waiting for them")
                stopping = true
                pending.removeAll()
                for worker in workers { kill(worker, SIGTERM) }
            }
        }
    }

    /// Forks a worker; true in the worker.
    private mutating func startWorker() -> Bool {
        let pid = lh_supervisor_fork()
        if pid == 0 { return true }
        if pid < 0 {
            died(because: "cannot start a worker process (errno \(lh_errno()))")
        } else {
            workers.insert(pid)
        }
        return false
    }

    private mutating func ended(_ pid: pid_t, code: Int32) {
        workers.remove(pid)
        let reporter = lh_supervisor_init_error_worker()
        if reporter != 0 {
            // The reporter exits once its init error is posted; the others are stopped
            // only then, so that nothing cuts the report short.
            guard pid == reporter else { return }
            HostLog.host(
                .fatal, "worker \(pid) reported an init error and ended with status \(code); stopping the other workers")
            for worker in workers { kill(worker, SIGKILL) }
            var ignored: Int32 = 0
            while lh_supervisor_reap(1, &ignored) > 0 {}
            lh_exit(code)
        }
        if stopping { return }
        died(because: "worker \(pid) ended with status \(code)")
    }

    /// Schedules a replacement, or ends everything when workers die too often.
    private mutating func died(because reason: String) {
        let now = lh_monotonic_ms()
        deaths.append(now)
        deaths.removeAll { now - $0 > Self.deathWindowMs }
        if deaths.count > Self.maxDeaths {
            HostLog.host(
                .fatal,
                "\(reason): more than \(Self.maxDeaths) workers ended within \(Self.deathWindowMs / 1000) s; "
                    + "stopping every worker and exiting")
            for worker in workers { kill(worker, SIGKILL) }
            var ignored: Int32 = 0
            while lh_supervisor_reap(1, &ignored) > 0 {}
            lh_exit(1)
        }
        let delay = Self.backoffMs(recentDeaths: deaths.count)
        HostLog.host(.warn, "\(reason); a new worker starts in \(delay) ms")
        pending.append(now + delay)
        pending.sort()
    }
}
