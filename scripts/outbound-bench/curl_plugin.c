/*
 * CurlBench: the yardstick of scripts/outbound-bench.sh, not a product. A lambda-host
 * plugin that brings its own HTTP client, as a C author would today: each invocation does
 * one GET of $BENCH_URL with libcurl and answers {"status":N,"bytes":N} (the body's length).
 *
 *   BENCH_URL        what to GET (required)
 *   BENCH_CURL_MODE  reuse       one easy handle for the process: its connection (and TLS
 *                                session) is kept alive across invocations (the default)
 *                    fresh       the same handle, but a new connection per invocation and
 *                                none kept (CURLOPT_FRESH_CONNECT + CURLOPT_FORBID_REUSE);
 *                                libcurl may still resume the TLS session
 *                    new-handle  a new easy handle per invocation: new connection, no
 *                                session to resume, CA file read again
 *   BENCH_CA_FILE    the CA bundle to verify with (CURLOPT_CAINFO); libcurl's default if unset
 *
 * Build: cc -shared -fPIC -O2 -I Sources/CLambdaPlugin/include -o libCurlBench.so \
 *            scripts/outbound-bench/curl_plugin.c -lcurl
 * Run:   _HANDLER=libCurlBench.so LAMBDA_TASK_ROOT=<its folder> BENCH_URL=http://... bootstrap
 */
#include <lambda_plugin.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mode { MODE_REUSE, MODE_FRESH, MODE_NEW_HANDLE };

struct bench {
    const char *url;
    const char *ca_file;
    enum mode mode;
    CURL *easy; /* the reused handle (reuse and fresh modes) */
};

static struct bench bench;

/* Counts the body's bytes; nothing is kept. */
static size_t count_body(char *data, size_t size, size_t count, void *total) {
    (void)data;
    *(size_t *)total += size * count;
    return size * count;
}

static CURL *new_handle(void) {
    CURL *easy = curl_easy_init();
    if (easy == NULL) return NULL;
    curl_easy_setopt(easy, CURLOPT_URL, bench.url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROXY, ""); /* no proxy from the environment */
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, count_body);
    if (bench.ca_file != NULL) curl_easy_setopt(easy, CURLOPT_CAINFO, bench.ca_file);
    if (bench.mode == MODE_FRESH) {
        curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    }
    return easy;
}

static lambda_status init(const lambda_host_api *host, void **state) {
    (void)state;
    bench.url = getenv("BENCH_URL");
    bench.ca_file = getenv("BENCH_CA_FILE");
    if (bench.ca_file != NULL && bench.ca_file[0] == 0) bench.ca_file = NULL;
    const char *mode = getenv("BENCH_CURL_MODE");
    if (mode == NULL || strcmp(mode, "reuse") == 0) bench.mode = MODE_REUSE;
    else if (strcmp(mode, "fresh") == 0) bench.mode = MODE_FRESH;
    else if (strcmp(mode, "new-handle") == 0) bench.mode = MODE_NEW_HANDLE;
    else {
        host->fail(NULL, "CurlBench.Config", "BENCH_CURL_MODE must be reuse, fresh or new-handle");
        return LAMBDA_ERROR;
    }
    if (bench.url == NULL || bench.url[0] == 0) {
        host->fail(NULL, "CurlBench.Config", "set BENCH_URL to the URL to GET");
        return LAMBDA_ERROR;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        host->fail(NULL, "CurlBench.Config", "curl_global_init failed");
        return LAMBDA_ERROR;
    }
    if (bench.mode != MODE_NEW_HANDLE && (bench.easy = new_handle()) == NULL) {
        host->fail(NULL, "CurlBench.Config", "curl_easy_init failed");
        return LAMBDA_ERROR;
    }
    return LAMBDA_OK;
}

static void shutdown_bench(void *state) {
    (void)state;
    if (bench.easy != NULL) curl_easy_cleanup(bench.easy);
    curl_global_cleanup();
}

LAMBDA_PLUGIN_DEFINE("curl-bench", "1.0.0", init, shutdown_bench)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    CURL *easy = bench.mode == MODE_NEW_HANDLE ? new_handle() : bench.easy;
    if (easy == NULL) {
        host->fail(invocation, "CurlBench.Error", "curl_easy_init failed");
        return LAMBDA_ERROR;
    }
    size_t bytes = 0;
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes);
    CURLcode result = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (bench.mode == MODE_NEW_HANDLE) curl_easy_cleanup(easy);
    if (result != CURLE_OK) {
        host->fail(invocation, "CurlBench.Error", curl_easy_strerror(result));
        return LAMBDA_ERROR;
    }
    char answer[64];
    int length = snprintf(answer, sizeof answer, "{\"status\":%ld,\"bytes\":%zu}", status, bytes);
    return host->respond(invocation, answer, (size_t)length);
}
