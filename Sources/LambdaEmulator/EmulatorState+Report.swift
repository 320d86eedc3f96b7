import NIOCore

/// The START, END and REPORT lines of each invocation (``PlatformLog``), written through
/// ``EmulatorConfiguration/platformLog`` when one is set.
extension EmulatorState {
    /// The runtime got `requestID`: START.
    func reportStart(_ requestID: String) {
        guard let log = configuration.platformLog else { return }
        // Read now too, so that a REPORT after the runtime's death has a figure.
        _ = peakMemoryMB()
        log(PlatformLog.start(requestID: requestID, version: configuration.functionVersion, format: logFormat))
    }

    /// `pending` ended with `result`, given by the runtime or, with `platformFailure`, by
    /// the emulator (an exit, a timeout, a shutdown): END and REPORT.
    func reportEnd(_ pending: Pending, _ result: InvocationResult, platformFailure: Bool) {
        guard let log = configuration.platformLog else { return }
        let elapsed = NIODeadline.now() - pending.startedAt
        var report = InvocationReport(
            requestID: pending.requestID, durationMs: Double(elapsed.nanoseconds) / 1_000_000,
            memorySizeMB: configuration.memorySizeMB, maxMemoryUsedMB: peakMemoryMB(),
            initDurationMs: pending.initDurationMs, status: .success, platformFailure: platformFailure)
        switch result {
        case .response(let bytes):
            report.producedBytes = bytes.count
        case .streamed(nil):
            break
        case .streamed(let type?), .error(let type, _):
            report.status = type == "Sandbox.Timedout" ? .timeout : .error
            report.errorType = type
        }
        log(PlatformLog.end(report, format: logFormat))
        log(PlatformLog.report(report, format: logFormat))
    }

    /// The runtime's peak resident memory in MB, rounded up as Lambda's whole-MB figure
    /// never understates it; the last figure read once the process is gone.
    private func peakMemoryMB() -> Int? {
        if let kib = peakMemory?() { runtime.peakKiB = max(kib, runtime.peakKiB ?? 0) }
        return runtime.peakKiB.map { ($0 + 1023) / 1024 }
    }
}
