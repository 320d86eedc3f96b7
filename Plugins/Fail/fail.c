/*
 * Fail: answers every invocation with an error of its own type, "Fail.Deliberate".
 * It also shows state that lives as long as the execution environment: the init hook
 * allocates a counter, each invocation bumps it, and the shutdown hook (run on SIGTERM)
 * logs the total.
 *
 *   _HANDLER=libFail.so
 */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    const lambda_host_api *host;
    unsigned long invocations;
} fail_state;

static lambda_status fail_init(const lambda_host_api *host, void **state) {
    fail_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host->fail(NULL, "Fail.OutOfMemory", "cannot allocate the plugin state");
        return LAMBDA_ERROR;
    }
    s->host = host;
    *state = s;
    return LAMBDA_OK;
}

static void fail_shutdown(void *state) {
    fail_state *s = state;
    if (s == NULL) return;
    char line[96];
    int n = snprintf(line, sizeof line, "fail: shutdown after %lu invocations", s->invocations);
    s->host->log(NULL, LAMBDA_LOG_INFO, line, (size_t)n);
}

LAMBDA_PLUGIN_DEFINE("fail", "1.0.0", fail_init, fail_shutdown)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    fail_state *s = invocation->state;
    s->invocations += 1;
    char message[128];
    snprintf(message, sizeof message, "deliberate failure number %lu, for an event of %zu bytes", s->invocations,
             invocation->payload_size);
    invocation->host->fail(invocation, "Fail.Deliberate", message);
    return LAMBDA_ERROR;
}
