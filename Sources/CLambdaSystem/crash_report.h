/*
 * The crash guard's report (crash_report.c): the error document, the request that carries
 * it to the Runtime API, the wait for the reply, and the FATAL log line. Internal.
 * Everything here is async-signal-safe: static buffers, memcpy-level formatting, and the
 * system calls socket, connect, send, poll, recv, close, write and clock_gettime.
 */
#ifndef LH_CRASH_REPORT_H
#define LH_CRASH_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "crash_text.h"

/* What a report answers, as the guard found it when it claimed the report. */
typedef struct {
    /* LH_PHASE_INIT (the init error), LH_PHASE_INVOKE (the invocation's /error) or
     * LH_PHASE_STREAM (the open stream's trailers); any other phase owes nothing. */
    int phase;
    /* The invocation's ids, in the Runtime API client's buffer; NULL when none runs. */
    const char *request_id;
    size_t request_id_size;
    const char *invocation_id;
    size_t invocation_id_size;
    /* The connection the stream is open on (STREAM). */
    int stream_fd;
} lh_report_target;

/* Resolves the Runtime API's addresses (all of them: a report tries each in turn).
 * Not async-signal-safe: called at INIT. Returns 0 or an errno value. */
int lh_report_resolve(const char *host, uint16_t port);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t lh_report_now_ms(void);

/* Sends the error the target owes, typed `type`, and waits until `deadline` (from
 * lh_report_now_ms) for the reply. Returns the service's status, 0 when nothing was
 * owed, or -1 when the report could not be delivered. */
int lh_report_send(const lh_report_target *target, const char *type, const lh_text *message, const lh_text *frames,
                   int64_t deadline);

/* Writes the FATAL line to stderr, as text or JSON (AWS_LAMBDA_LOG_FORMAT), with the
 * request id when there is one and what became of the report (`status`). */
void lh_report_log(const lh_report_target *target, int json, const char *type, const lh_text *message, int status);

#endif
