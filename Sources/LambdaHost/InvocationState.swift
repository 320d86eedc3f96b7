import CLambdaPlugin
import CLambdaSystem
import LambdaRuntimeAPI

/// What the host knows about the invocation in progress: whether it has been answered,
/// and whether the Runtime API is still reachable.
///
/// It enforces "exactly one answer per invocation": the first `respond` or `fail` is sent
/// at once; later ones are refused with `LAMBDA_E_ALREADY_ANSWERED`; a handler that
/// answers nothing gets `null` or a `Runtime.HandlerFailed` error when it returns. It
/// also keeps the crash guard's phase, so that a crash is reported only while an answer
/// is still owed.
///
/// One per worker. Calls that come through the host services run under that worker's
/// answer lock (see ``HostServices``), so a plugin's thread never races the worker's loop
/// here.
final class InvocationState {
    let client: RuntimeAPIClient
    /// The worker this state belongs to, as the crash guard numbers it.
    let worker: Int32
    /// The invocation being handled, from `begin` to the end of `finish`.
    private(set) var current: NextInvocation?
    /// The struct handed to the handler, while the handler runs; nil otherwise.
    private(set) var slot: UnsafeMutablePointer<lambda_invocation>?
    private var answered = false
    /// The answer is a stream, begun and not yet ended.
    private var streamOpen = false
    /// An answer was sent and its reply is still unread.
    private var awaitingReply = false
    /// Set when sending failed: the host exits once the handler has returned.
    private(set) var lostService: RuntimeAPIError?
    /// The response's bytes sent so far (a stream's chunks added up), for the metrics.
    private(set) var responseBytes = 0
    /// The answer was an error, for the metrics.
    private(set) var answeredWithError = false
    init(client: RuntimeAPIClient, worker: Int32) {
        self.client = client
        self.worker = worker
    }

    /// Starts an invocation; `slot` is what its handler receives (nil for a function
    /// called through libffi, or an invocation the host answers itself).
    func begin(_ invocation: NextInvocation, slot: UnsafeMutablePointer<lambda_invocation>? = nil) {
        current = invocation
        self.slot = slot
        answered = false
        streamOpen = false
        awaitingReply = false
        responseBytes = 0
        answeredWithError = false
        lostService = nil
    }

    /// Whether `invocation` is the struct of the handler running now.
    func isCurrent(_ invocation: UnsafePointer<lambda_invocation>) -> Bool {
        guard let slot else { return false }
        return UnsafePointer(slot) == invocation
    }

    /// The handler returned: calls with its struct are refused from now on.
    func handlerReturned() {
        slot = nil
    }

    // MARK: Streaming

    /// `host->stream_begin`.
    func streamBegin(contentType: String?) -> lambda_status {
        guard let invocation = current else { return LAMBDA_E_INVALID }
        guard !answered else { return LAMBDA_E_ALREADY_ANSWERED }
        answered = true
        do {
            try guarded(then: LH_PHASE_STREAM) { () throws(RuntimeAPIError) in
                try client.sendStreamHead(contentType: contentType, for: invocation)
                lh_guard_stream_socket(worker, client.connection.socket)
            }
            streamOpen = true
            awaitingReply = true
            return LAMBDA_OK
        } catch {
            lostService = error
            return LAMBDA_E_IO
        }
    }

    /// `host->stream_write`.
    func streamWrite(_ data: UnsafeRawPointer?, _ size: Int) -> lambda_status {
        guard current != nil, streamOpen else { return LAMBDA_E_INVALID }
        guard data != nil || size == 0, size >= 0 else { return LAMBDA_E_INVALID }
        do {
            try guarded(then: LH_PHASE_STREAM) { () throws(RuntimeAPIError) in
                try client.sendChunk(UnsafeRawBufferPointer(start: data, count: size))
            }
            responseBytes &+= size
            return LAMBDA_OK
        } catch {
            streamOpen = false
            if error.code == .unreadableBuffer {
                // The stream's connection is closed mid-chunk: the service sees it cut,
                // which is this invocation's answer; the host goes on.
                awaitingReply = false
                HostLog.host(
                    .error,
                    "stream_write() was given \(size) bytes at an address that cannot be read; the stream was cut")
                return LAMBDA_E_INVALID
            }
            lostService = error
            return LAMBDA_E_IO
        }
    }

    /// `host->stream_end`, or `fail` after the stream began (the error goes in the trailers).
    func streamEnd(errorType: String? = nil, message: String = "") -> lambda_status {
        guard current != nil, streamOpen else { return LAMBDA_E_INVALID }
        streamOpen = false
        if errorType != nil { answeredWithError = true }
        do {
            try guarded { () throws(RuntimeAPIError) in try client.sendStreamEnd(errorType: errorType, errorMessage: message) }
            return LAMBDA_OK
        } catch {
            lostService = error
            return LAMBDA_E_IO
        }
    }

    /// `host->respond`.
    func respond(_ data: UnsafeRawPointer?, _ size: Int) -> lambda_status {
        guard let invocation = current else { return LAMBDA_E_INVALID }
        guard !answered else { return LAMBDA_E_ALREADY_ANSWERED }
        guard data != nil || size == 0, size >= 0 else { return LAMBDA_E_INVALID }
        answered = true
        if size > RuntimeAPIClient.maxResponseBytes {
            let status = send(error: ErrorTypes.responseTooLarge, Self.tooLargeMessage(size), for: invocation)
            return status == LAMBDA_OK ? LAMBDA_E_TOO_LARGE : status
        }
        do {
            try guarded { () throws(RuntimeAPIError) in
                try client.sendResponse(UnsafeRawBufferPointer(start: data, count: size), for: invocation)
            }
            responseBytes = size
            awaitingReply = true
            return LAMBDA_OK
        } catch where error.code == .unreadableBuffer {
            // Part of the request may have gone on the closed connection; the error goes
            // on a new one.
            let status = send(
                error: ErrorTypes.unreadableResponse,
                "respond() was given \(size) bytes at an address that cannot be read; pass the response's own buffer",
                for: invocation)
            return status == LAMBDA_OK ? LAMBDA_E_INVALID : status
        } catch {
            lostService = error
            return LAMBDA_E_IO
        }
    }

    /// `host->fail` during an invocation.
    func fail(type: String, message: String) -> lambda_status {
        guard let invocation = current else { return LAMBDA_E_INVALID }
        if streamOpen { return streamEnd(errorType: type, message: message) }
        guard !answered else { return LAMBDA_E_ALREADY_ANSWERED }
        answered = true
        return send(error: type, message, for: invocation)
    }

    private func send(error type: String, _ message: String, for invocation: NextInvocation) -> lambda_status {
        answeredWithError = true
        responseBytes = 0
        do {
            try guarded { () throws(RuntimeAPIError) in try client.sendError(type: type, message: message, for: invocation) }
            awaitingReply = true
            return LAMBDA_OK
        } catch {
            lostService = error
            return LAMBDA_E_IO
        }
    }

    /// Sends part of the invocation's answer with the crash guard told (`LH_PHASE_SENDING`),
    /// so that a crash on another thread waits for the bytes to be whole, and neither a
    /// report nor another answer can cut into them. Afterwards the phase is `phase`, or
    /// `LH_PHASE_ANSWERED` when sending failed.
    private func guarded(
        then phase: Int32 = LH_PHASE_ANSWERED, _ send: () throws(RuntimeAPIError) -> Void
    ) throws(RuntimeAPIError) {
        lh_guard_set_phase(worker, LH_PHASE_SENDING)
        do {
            try send()
        } catch {
            lh_guard_set_phase(worker, LH_PHASE_ANSWERED)
            throw error
        }
        lh_guard_set_phase(worker, phase)
    }

    /// Ends the invocation after its handler returned `status`: answers it if the
    /// handler did not, then reads the service's reply to the answer.
    ///
    /// - Throws: ``RuntimeAPIError`` when the service is gone or answered 500.
    func finish(handlerStatus status: lambda_status, handlerName: String) throws(RuntimeAPIError) {
        defer {
            current = nil
            lh_guard_set_phase(worker, LH_PHASE_IDLE)
        }
        if let lostService { throw lostService }
        if streamOpen {
            // The handler returned with its stream still open: end it for it.
            _ = status == LAMBDA_OK
                ? streamEnd()
                : streamEnd(
                    errorType: ErrorTypes.handlerFailed,
                    message: "handler '\(handlerName)' returned \(status) during its stream without reporting an error")
            if let lostService { throw lostService }
        }
        if !answered, let invocation = current {
            answered = true
            // Until here a crash on a plugin's thread is still this invocation's error.
            if status == LAMBDA_OK {
                let null: StaticString = "null"
                try guarded { () throws(RuntimeAPIError) in
                    try client.sendResponse(
                        UnsafeRawBufferPointer(start: null.utf8Start, count: null.utf8CodeUnitCount), for: invocation)
                }
                responseBytes = null.utf8CodeUnitCount
                awaitingReply = true
            } else {
                _ = send(
                    error: ErrorTypes.handlerFailed,
                    "handler '\(handlerName)' returned \(status) without answering; call host->fail() to report a typed error",
                    for: invocation)
                if let lostService { throw lostService }
            }
        }
        try readReply()
    }

    /// Answers an invocation the host itself cannot hand to the plugin.
    func reject(_ invocation: NextInvocation, type: String, message: String) throws(RuntimeAPIError) {
        begin(invocation)
        _ = fail(type: type, message: message)
        try finish(handlerStatus: LAMBDA_OK, handlerName: "")
    }

    private func readReply() throws(RuntimeAPIError) {
        guard awaitingReply, let invocation = current else { return }
        awaitingReply = false
        let status = try client.readAnswerReply()
        switch status {
        case 202:
            return
        case 413:
            // The service refused the size; answer with the error Lambda would give.
            answeredWithError = true
            responseBytes = 0
            HostLog.host(.warn, "the Runtime API refused the response to \(invocation.string(invocation.reply.requestID)) as too large (413)")
            try client.sendError(
                type: ErrorTypes.responseTooLarge, message: "the Runtime API refused the response as too large (413)",
                for: invocation)
            awaitingReply = true
            try readReply()
        default:
            // 400, 403, 410 (a stale invocation id): the invocation is over for the
            // service; nothing to retry.
            HostLog.host(
                .warn,
                "the Runtime API answered \(status) to the answer for \(invocation.string(invocation.reply.requestID)): \(client.lastReplyText)"
            )
        }
    }

    static func tooLargeMessage(_ size: Int) -> String {
        "Response payload size (\(size) bytes) exceeded maximum allowed payload size (\(RuntimeAPIClient.maxResponseBytes) bytes)."
    }
}
