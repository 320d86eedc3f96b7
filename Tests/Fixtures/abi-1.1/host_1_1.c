/*
 * host_1_1: a minimal plugin host built against the frozen ABI 1.1 header beside it, as a
 * lambda-host layer released before ABI 1.2 would load a plugin. It checks the
 * descriptor the way that host did (magic, abi_major, abi_minor <= 1, struct_size),
 * hands the plugin a 1.1 table (64 bytes: nothing of 1.2), runs the init hook, calls the
 * handler once with the event given on the command line, and prints what the plugin
 * answered:
 *
 *     host_1_1 ./libplugin.so handler '{"event":1}'
 *     refused: <why>            the descriptor check failed (exit 2)
 *     respond: <bytes>          respond()
 *     fail: <type>: <message>   fail()
 *     stream: <chunk>           each stream_write(); "stream-end" after stream_end()
 *     returned: <status>        the handler's return value
 *
 * Built against the frozen 1.2 header instead (-I abi-1.2), it is a 1.2 host: its table
 * has http_request, which prints "http-request: <method> <url>" and answers 200 with an
 * empty body, as a layer released before ABI 1.3 would send the request: it knows nothing
 * of the AWS fields, so it would not sign.
 *
 * Test fixture for AbiVersioningTests; the project's own.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* Angle brackets: the -I folder chooses the header (1.1 or 1.2), not this file's own folder. */
#include <lambda_plugin.h>

static lambda_status respond(const lambda_invocation *invocation, const void *data, size_t size) {
    (void)invocation;
    printf("respond: %.*s\n", (int)size, (const char *)data);
    return LAMBDA_OK;
}

static lambda_status fail(const lambda_invocation *invocation, const char *type, const char *message) {
    (void)invocation;
    printf("fail: %s: %s\n", type ? type : "", message ? message : "");
    return LAMBDA_OK;
}

static void log_line(const lambda_invocation *invocation, int32_t level, const char *message, size_t size) {
    (void)invocation;
    printf("log %d: %.*s\n", level, (int)size, message);
}

static int64_t remaining(const lambda_invocation *invocation) {
    (void)invocation;
    return 60000;
}

static lambda_status stream_begin(const lambda_invocation *invocation, const char *content_type) {
    (void)invocation;
    printf("stream-begin: %s\n", content_type ? content_type : "");
    return LAMBDA_OK;
}

static lambda_status stream_write(const lambda_invocation *invocation, const void *data, size_t size) {
    (void)invocation;
    printf("stream: %.*s\n", (int)size, (const char *)data);
    return LAMBDA_OK;
}

static lambda_status stream_end(const lambda_invocation *invocation) {
    (void)invocation;
    printf("stream-end\n");
    return LAMBDA_OK;
}

#if LAMBDA_PLUGIN_ABI_MINOR >= 2
static lambda_status http_request(const lambda_invocation *invocation, const lambda_http_request *request,
                                  lambda_http_response *response) {
    (void)invocation;
    printf("http-request: %s %s\n", request->method ? request->method : "GET", request->url ? request->url : "");
    response->status = 200;
    response->headers = NULL;
    response->header_count = 0;
    response->body = "";
    response->body_size = 0;
    return LAMBDA_OK;
}

static lambda_status http_prewarm(const lambda_invocation *invocation, const char *origin) {
    (void)invocation;
    (void)origin;
    return LAMBDA_OK;
}

static const char *last_error(const lambda_invocation *invocation) {
    (void)invocation;
    return "";
}
#endif

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: host_1_1 LIBRARY HANDLER EVENT\n");
        return 64;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        printf("refused: %s\n", dlerror());
        return 2;
    }
    lambda_plugin_entry_fn entry = (lambda_plugin_entry_fn)dlsym(library, LAMBDA_PLUGIN_ENTRY_SYMBOL);
    const lambda_plugin_descriptor *descriptor = entry ? entry() : NULL;
    if (!descriptor || descriptor->magic != LAMBDA_PLUGIN_MAGIC) {
        printf("refused: no descriptor\n");
        return 2;
    }
    if (descriptor->abi_major != LAMBDA_PLUGIN_ABI_MAJOR || descriptor->abi_minor > LAMBDA_PLUGIN_ABI_MINOR) {
        printf("refused: abi %u.%u, host speaks %d.%d\n", descriptor->abi_major, descriptor->abi_minor,
               LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_ABI_MINOR);
        return 2;
    }
    if (descriptor->struct_size < 56 || descriptor->struct_size > sizeof(lambda_plugin_descriptor)) {
        printf("refused: descriptor size %u\n", descriptor->struct_size);
        return 2;
    }
    lambda_handler_fn handler = (lambda_handler_fn)dlsym(library, argv[2]);
    if (!handler) {
        printf("refused: no handler %s\n", argv[2]);
        return 2;
    }
    static const lambda_host_api host = {sizeof(lambda_host_api), LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_ABI_MINOR,
                                         respond, fail, log_line, remaining, stream_begin, stream_write, stream_end
#if LAMBDA_PLUGIN_ABI_MINOR >= 2
                                         , http_request, http_prewarm, last_error
#endif
    };
    void *state = NULL;
    if (descriptor->init && descriptor->init(&host, &state) != LAMBDA_OK) {
        printf("init failed\n");
        return 3;
    }
    lambda_invocation invocation = {sizeof(lambda_invocation), 0, &host, state, argv[3], strlen(argv[3]), "request-1",
                                    0, "arn:aws:lambda:us-east-1:123456789012:function:f", NULL, NULL, NULL, NULL, NULL};
    printf("returned: %d\n", handler(&invocation));
    return 0;
}
