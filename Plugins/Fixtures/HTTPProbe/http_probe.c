/*
 * HTTPProbe (test fixture): makes the outbound request its event describes and answers
 * with everything the host returned, so tests can check the ABI 1.2 calls byte for byte.
 *
 * Event (text lines; the body is everything after the first empty line):
 *   METHOD URL                 e.g. "GET http://127.0.0.1:8080/1k"; METHOD "-" means NULL
 *   timeout_ms flags           optional second line, e.g. "300 0" (flags: 1 = no trace)
 *   Name: value                any number of header lines
 *   <empty line>
 *   body
 *
 * Special events:
 *   malformed K [URL]           calls http_request with malformed request K (see below), to URL
 *                               (default http://127.0.0.1:9/)
 *   init                        answers with what the init hook got (see HTTP_PROBE_INIT)
 *   prewarm ORIGIN              calls http_prewarm(invocation, ORIGIN)
 *   twice URL1 URL2             two GETs in one invocation; answers with both codes and sizes
 *   late-start URL              starts a thread that, once released, GETs URL with this
 *                               invocation's pointer (after its handler has returned)
 *   late-release                releases that thread, waits for it, and answers with what its
 *                               call returned: "late rc=N error=..." 
 *
 * Answer: "rc=N status=N headers=N bytes=N\nerror=<last_error>\n" then one line per
 * response header "name: value", then "\n" and the body.
 *
 * Environment: HTTP_PROBE_INIT=URL makes the init hook GET URL with invocation NULL;
 * HTTP_PROBE_PREWARM=ORIGIN makes it call http_prewarm(NULL, ORIGIN).
 */
#include <lambda_plugin.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static char init_report[4096] = "no init request";

static size_t report(char *out, size_t capacity, lambda_status rc, const lambda_http_response *response,
                     const char *error) {
    size_t n = (size_t)snprintf(out, capacity, "rc=%d status=%d headers=%zu bytes=%zu\nerror=%s\n", rc,
                                response->status, response->header_count, response->body_size, error);
    for (size_t i = 0; i < response->header_count && n < capacity; i++)
        n += (size_t)snprintf(out + n, capacity - n, "%.*s: %.*s\n", (int)response->headers[i].name_size,
                              response->headers[i].name, (int)response->headers[i].value_size, response->headers[i].value);
    if (n < capacity) out[n++] = '\n';
    if (response->body && n + response->body_size <= capacity) {
        memcpy(out + n, response->body, response->body_size);
        n += response->body_size;
    }
    return n < capacity ? n : capacity;
}

static lambda_status probe_init(const lambda_host_api *host, void **state) {
    (void)state;
    const char *prewarm = getenv("HTTP_PROBE_PREWARM");
    if (prewarm) {
        lambda_status rc = host->http_prewarm(NULL, prewarm);
        snprintf(init_report, sizeof init_report, "prewarm rc=%d error=%s\n", rc, host->last_error(NULL));
    }
    const char *url = getenv("HTTP_PROBE_INIT");
    if (url) {
        lambda_http_response response;
        lambda_status rc = lambda_http_get(host, NULL, url, &response);
        size_t used = prewarm ? strlen(init_report) : 0;
        size_t n = report(init_report + used, sizeof init_report - 1 - used, rc, &response, host->last_error(NULL));
        init_report[used + n] = 0;
    }
    return LAMBDA_OK;
}

LAMBDA_PLUGIN_DEFINE("http-probe", "1.0.0", probe_init, NULL)

static lambda_status malformed(const lambda_invocation *invocation, int kind, const char *url) {
    const lambda_host_api *host = invocation->host;
    lambda_http_request request = {sizeof request, 0, "GET", url ? url : "http://127.0.0.1:9/", NULL, 0, NULL, 0, 0};
    /* A status the host must clear (to 0) whenever the call fails. */
    lambda_http_response response = {sizeof response, 999, NULL, 0, NULL, 0};
    lambda_http_header header = {"X-A", 3, "b", 1};
    switch (kind) {
    case 1: request.struct_size = 8; break;                 /* too small for 1.2 */
    case 2: response.struct_size = 4; response.status = 0; break; /* too short to be cleared */
    case 3: request.url = NULL; break;
    case 4: request.header_count = (size_t)-1; request.headers = &header; break;
    case 5: request.header_count = 2; break;                 /* headers NULL */
    case 6: request.body_size = 10; break;                   /* body NULL */
    case 7: request.timeout_ms = -5; break;
    case 8: header.name_size = (size_t)-1; request.headers = &header; request.header_count = 1; break;
    case 9: header.name = "Host"; header.name_size = 4; request.headers = &header; request.header_count = 1; break;
    case 10: request.method = "G ET"; break;
    case 11: return host->http_request(invocation, NULL, &response);
    case 13: { /* a body_size of two pages over one readable page (then an inaccessible one) */
        char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return host->fail(invocation, "Probe.NoMemory", "mmap");
        mprotect(page + 4096, 4096, PROT_NONE);
        request.method = "POST";
        request.body = page;
        request.body_size = 8192;
        break;
    }
    case 12: { /* a body_size near SIZE_MAX/2 over one readable page (then an inaccessible one) */
        char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return host->fail(invocation, "Probe.NoMemory", "mmap");
        mprotect(page + 4096, 4096, PROT_NONE);
        request.method = "POST";
        request.body = page;
        request.body_size = (size_t)-1 / 2;
        break;
    }
    default: break;
    }
    lambda_status rc = host->http_request(invocation, &request, &response);
    if (kind == 12) munmap((void *)request.body, 8192);
    char out[1024];
    return host->respond(invocation, out, report(out, sizeof out, rc, &response, host->last_error(invocation)));
}

static struct {
    pthread_t thread;
    sem_t release;
    const lambda_invocation *invocation;
    char url[1024];
    char result[1024];
} late;

static void *late_call(void *unused) {
    (void)unused;
    sem_wait(&late.release);
    const lambda_host_api *host = late.invocation->host;
    lambda_http_response response;
    lambda_status rc = lambda_http_get(host, late.invocation, late.url, &response);
    snprintf(late.result, sizeof late.result, "late rc=%d error=%s", rc, host->last_error(late.invocation));
    return NULL;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    static char event[1 << 16];
    static char out[1 << 20];
    if (invocation->payload_size >= sizeof event) return host->fail(invocation, "Probe.TooLarge", "event too large");
    memcpy(event, invocation->payload, invocation->payload_size);
    event[invocation->payload_size] = 0;

    if (strncmp(event, "malformed ", 10) == 0) {
        char *url = strchr(event + 10, ' ');
        return malformed(invocation, atoi(event + 10), url ? url + 1 : NULL);
    }
    if (strcmp(event, "init") == 0) return host->respond(invocation, init_report, strlen(init_report));
    if (strncmp(event, "prewarm ", 8) == 0) {
        lambda_status rc = host->http_prewarm(invocation, event + 8);
        int n = snprintf(out, sizeof out, "rc=%d error=%s", rc, host->last_error(invocation));
        return host->respond(invocation, out, (size_t)n);
    }
    if (strncmp(event, "late-start ", 11) == 0) {
        late.invocation = invocation;
        snprintf(late.url, sizeof late.url, "%s", event + 11);
        sem_init(&late.release, 0, 0);
        pthread_create(&late.thread, NULL, late_call, NULL);
        return host->respond(invocation, "started", 7);
    }
    if (strcmp(event, "late-release") == 0) {
        sem_post(&late.release);
        pthread_join(late.thread, NULL);
        return host->respond(invocation, late.result, strlen(late.result));
    }
    if (strncmp(event, "twice ", 6) == 0) {
        char *second = strchr(event + 6, ' ');
        if (!second) return host->fail(invocation, "Probe.BadEvent", "twice URL1 URL2");
        *second++ = 0;
        lambda_http_response first, next;
        lambda_status a = lambda_http_get(host, invocation, event + 6, &first);
        size_t first_size = first.body_size;
        lambda_status b = lambda_http_get(host, invocation, second, &next);
        int n = snprintf(out, sizeof out, "first rc=%d bytes=%zu; second rc=%d bytes=%zu", a, first_size, b, next.body_size);
        return host->respond(invocation, out, (size_t)n);
    }

    /* METHOD URL line, optional "timeout flags" line, headers, empty line, body. */
    char *line_end = strchr(event, '\n');
    char *rest = line_end ? line_end + 1 : event + strlen(event);
    if (line_end) *line_end = 0;
    char *space = strchr(event, ' ');
    if (!space) return host->fail(invocation, "Probe.BadEvent", "METHOD URL");
    *space = 0;
    lambda_http_request request = {sizeof request, 0, strcmp(event, "-") == 0 ? NULL : event, space + 1, NULL, 0, NULL, 0, 0};
    static lambda_http_header headers[128];
    size_t count = 0;
    long long timeout = 0;
    unsigned flags = 0;
    if (*rest >= '0' && *rest <= '9' && sscanf(rest, "%lld %u", &timeout, &flags) >= 1) {
        request.timeout_ms = timeout;
        request.flags = flags;
        rest = strchr(rest, '\n') ? strchr(rest, '\n') + 1 : rest + strlen(rest);
    }
    while (*rest && *rest != '\n' && count < 128) {
        char *end = strchr(rest, '\n');
        if (end) *end = 0;
        char *colon = strchr(rest, ':');
        if (colon) {
            char *value = colon + 1;
            while (*value == ' ') value++;
            headers[count++] = (lambda_http_header){rest, (size_t)(colon - rest), value, strlen(value)};
        }
        rest = end ? end + 1 : rest + strlen(rest);
    }
    if (*rest == '\n') rest++;
    request.headers = count ? headers : NULL;
    request.header_count = count;
    request.body = *rest ? rest : NULL;
    request.body_size = strlen(rest);
    lambda_http_response response = {sizeof response, 0, NULL, 0, NULL, 0};
    lambda_status rc = host->http_request(invocation, &request, &response);
    return host->respond(invocation, out, report(out, sizeof out, rc, &response, host->last_error(invocation)));
}
