/*
 * Fetch: GETs the URL its event names through the host's connection pool, and answers
 * with the status and the body's length.
 *
 *   _HANDLER=libFetch.so
 *   event:   {"url": "https://example.com/"}
 *   answer:  {"status": 200, "bytes": 1256}
 *
 * The host owns the connections, TLS and the response's memory: this plugin links no
 * HTTP or TLS library. A request that fails is answered with the error type
 * Fetch.NotSent (nothing reached the server) or Fetch.Failed (sent, then it failed), and
 * the host's reason as the message; a URL the host refuses (not http(s), malformed) is
 * Fetch.InvalidRequest.
 */
#include <lambda_plugin.h>
#include <stdio.h>

/* Copies the string value of the top-level key "url" into out; 0 when there is none. */
static int event_url(const char *json, size_t size, char *out, size_t capacity) {
    static const char key[] = "\"url\"";
    for (size_t i = 0; i + sizeof key - 1 <= size; i++) {
        size_t k = 0;
        while (k < sizeof key - 1 && json[i + k] == key[k]) k++;
        if (k < sizeof key - 1) continue;
        size_t j = i + k;
        while (j < size && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r')) j++;
        if (j >= size || json[j++] != ':') continue;
        while (j < size && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r')) j++;
        if (j >= size || json[j++] != '"') return 0;
        size_t n = 0;
        for (; j < size && json[j] != '"'; j++) {
            char c = json[j];
            if (c == '\\' && ++j < size) c = json[j] == 'n' ? '\n' : json[j] == 't' ? '\t' : json[j];
            if (n + 1 >= capacity) return 0;
            out[n++] = c;
        }
        if (j >= size) return 0;
        out[n] = 0;
        return 1;
    }
    return 0;
}

LAMBDA_PLUGIN_DEFINE("fetch", "1.0.0", NULL, NULL)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    char url[4096];
    if (!event_url(invocation->payload, invocation->payload_size, url, sizeof url))
        return host->fail(invocation, "InvalidEvent", "the event must be {\"url\": \"https://...\"} (at most 4 KiB)");
    lambda_http_response response;
    lambda_status status = lambda_http_get(host, invocation, url, &response);
    if (status == LAMBDA_E_HTTP_NOT_SENT || status == LAMBDA_E_UNSUPPORTED)
        return host->fail(invocation, "Fetch.NotSent", lambda_http_error(host, invocation));
    if (status == LAMBDA_E_INVALID) return host->fail(invocation, "Fetch.InvalidRequest", lambda_http_error(host, invocation));
    if (status != LAMBDA_OK) return host->fail(invocation, "Fetch.Failed", lambda_http_error(host, invocation));
    char answer[64];
    int length = snprintf(answer, sizeof answer, "{\"status\": %d, \"bytes\": %zu}", response.status, response.body_size);
    return host->respond(invocation, answer, (size_t)length);
}
