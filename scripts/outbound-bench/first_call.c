/*
 * first_call: a benchmark plugin (not shipped) that times its own outbound GETs.
 *
 * The event is a count N; the handler GETs $BENCH_URL N times in a row and answers with
 * the microseconds each call took, in wall-clock time and in this thread's CPU time (the
 * client's own work, without the wait for the server):
 * {"us":[first,second,...],"cpu":[first,second,...]}. Built two ways by
 * scripts/outbound-bench.sh:
 *   -DUSE_CURL   through libcurl, one easy handle for the process (its first call loads
 *                the CA bundle and does the handshake, as a C author's plugin would);
 *   (default)    through the host's pool (lambda_http_get).
 */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef USE_CURL
#include <curl/curl.h>
static CURL *easy;
static size_t sink(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}
#endif

LAMBDA_PLUGIN_DEFINE("first-call", "1.0.0", NULL, NULL)

static long long now_us(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    const char *url = getenv("BENCH_URL");
    int count = atoi(invocation->payload);
    char out[4096];
    long long cpu[100];
    int n = snprintf(out, sizeof out, "{\"us\":[");
    if (count > 100) count = 100;
    /* BENCH_GAP_US: a pause before each call, so that warm calls come after the same kind of
     * idle gap as the first one (a server and a CPU that just idled answer slower). */
    long gap = getenv("BENCH_GAP_US") ? atol(getenv("BENCH_GAP_US")) : 0;
    for (int i = 0; i < count; i++) {
        if (gap > 0) usleep((useconds_t)gap);
        long long start = now_us(CLOCK_MONOTONIC), start_cpu = now_us(CLOCK_THREAD_CPUTIME_ID);
#ifdef USE_CURL
        if (!easy) {
            easy = curl_easy_init();
            curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink);
            if (getenv("BENCH_CA_FILE")) curl_easy_setopt(easy, CURLOPT_CAINFO, getenv("BENCH_CA_FILE"));
        }
        curl_easy_setopt(easy, CURLOPT_URL, url);
        if (curl_easy_perform(easy) != CURLE_OK) return host->fail(invocation, "Bench.Curl", "curl_easy_perform failed");
#else
        lambda_http_response response;
        if (lambda_http_get(host, invocation, url, &response) != LAMBDA_OK)
            return host->fail(invocation, "Bench.Host", lambda_http_error(host, invocation));
#endif
        cpu[i] = now_us(CLOCK_THREAD_CPUTIME_ID) - start_cpu;
        n += snprintf(out + n, sizeof out - (size_t)n, "%s%lld", i ? "," : "", now_us(CLOCK_MONOTONIC) - start);
    }
    n += snprintf(out + n, sizeof out - (size_t)n, "],\"cpu\":[");
    for (int i = 0; i < count; i++) n += snprintf(out + n, sizeof out - (size_t)n, "%s%lld", i ? "," : "", cpu[i]);
    n += snprintf(out + n, sizeof out - (size_t)n, "]}");
    return host->respond(invocation, out, (size_t)n);
}
