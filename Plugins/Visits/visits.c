/*
 * Visits: counts the visits to a page in DynamoDB. Each invocation adds 1 to the number
 * attribute `count` of the item whose string key `id` is the event's, and answers with
 * the new count.
 *
 *   _HANDLER=libVisits.so   VISITS_TABLE=<a table whose partition key is the string id>
 *   event:   {"id": "home"}
 *   answer:  {"id": "home", "count": 3}
 *
 * One DynamoDB UpdateItem call per invocation, signed by the host with the function's own
 * credentials (SigV4) and sent on the host's pooled connection: this plugin links no AWS
 * SDK, HTTP or crypto library. ADD is atomic in DynamoDB, so concurrent invocations never
 * lose a visit.
 *
 * Errors: AWS's refusal becomes a handler error whose type is AWS's error code
 * (ResourceNotFoundException, AccessDeniedException, ...) and whose message is AWS's; a
 * call that failed on the way is Visits.NotSent (nothing reached DynamoDB) or
 * Visits.Failed (sent, then it failed), with the host's reason (Visits.InvalidRequest when
 * the host would not send it, e.g. for a malformed AWS_ENDPOINT_URL); an event without a
 * usable id is InvalidEvent.
 *
 * A missing VISITS_TABLE fails INIT (Visits.Configuration) rather than each invocation:
 * it is the function's configuration that is wrong, not an event. Lambda users know that
 * failure from a Python or Node function whose module-level code throws: the invocation is
 * answered with the init error, the log shows it in the INIT phase, and nothing is sent.
 */
#define _GNU_SOURCE /* memmem */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest id taken, in bytes once decoded (DynamoDB allows 2,048 for a partition key). */
#define VISITS_MAX_ID 1024
/* The longest VISITS_TABLE: a table name (3 to 255 bytes) or a table's ARN. */
#define VISITS_MAX_TABLE 1024
/* The printf arguments of a response body's first 200 bytes, for a message (the host
 * makes the message valid UTF-8). */
#define EXCERPT(response) (int)((response)->body_size < 200 ? (response)->body_size : 200), (response)->body
/* What read_string returns for a malformed string. */
#define NOT_A_STRING ((size_t)-1)

/* VISITS_TABLE, JSON-escaped once by the init hook; read-only afterwards. */
static char table_json[VISITS_MAX_TABLE * 6];
static size_t table_json_size;

/* ---- Writing JSON into a bounded buffer ---------------------------------------------- */

/* A buffer that refuses to grow past its capacity: `overflow` is set and nothing more is
 * written, so a caller checks once at the end. */
typedef struct {
    char *data;
    size_t size, capacity;
    int overflow;
} text;

static void put(text *t, const char *bytes, size_t n) {
    if (t->overflow || n > t->capacity - t->size) {
        t->overflow = 1;
        return;
    }
    memcpy(t->data + t->size, bytes, n);
    t->size += n;
}

static void put_str(text *t, const char *s) { put(t, s, strlen(s)); }

/* Appends `n` bytes as the inside of a JSON string: quote, backslash and control
 * characters escaped, every other byte (UTF-8 included) as it is. At most 6 bytes out
 * for each byte in. */
static void put_escaped(text *t, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t size = 2;
        if (c == '\n') e[1] = 'n';
        else if (c == '\r') e[1] = 'r';
        else if (c == '\t') e[1] = 't';
        else if (c == '\b') e[1] = 'b';
        else if (c == '\f') e[1] = 'f';
        else if (c < 0x20) {
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
            size = 6;
        } else if (c != '"' && c != '\\') {
            e[0] = (char)c;
            size = 1;
        }
        put(t, e, size);
    }
}

/* ---- Reading JSON without a parser: one cursor, bounded by `end` --------------------- */

typedef struct {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int at(cursor *c, char ch) {
    skip_space(c);
    return c->p < c->end && *c->p == ch;
}

static int hex4(const char *p, const char *end, unsigned *value) {
    if (end - p < 4) return 0;
    *value = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        unsigned digit = h >= '0' && h <= '9' ? (unsigned)(h - '0')
                         : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                         : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
                                                : 16u;
        if (digit == 16) return 0;
        *value = *value << 4 | digit;
    }
    return 1;
}

/* Reads the JSON string at the cursor (its opening quote) into `out`, decoding every
 * escape (\uXXXX and surrogate pairs into UTF-8). Returns its decoded length, which may
 * exceed `capacity` (only `capacity` bytes are written, no NUL added), or NOT_A_STRING. */
static size_t read_string(cursor *c, char *out, size_t capacity) {
    if (!at(c, '"')) return NOT_A_STRING;
    const char *p = c->p + 1, *end = c->end;
    size_t n = 0;
    while (p < end && *p != '"') {
        unsigned char ch = (unsigned char)*p++;
        unsigned code = ch;
        if (ch < 0x20) return NOT_A_STRING;
        if (ch == '\\') {
            if (p >= end) return NOT_A_STRING;
            char e = *p++;
            code = e == '"' || e == '\\' || e == '/' ? (unsigned)e
                   : e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : 0x110000u;
            if (e == 'u') {
                if (!hex4(p, end, &code)) return NOT_A_STRING;
                p += 4;
                if (code >= 0xDC00 && code <= 0xDFFF) return NOT_A_STRING;
                if (code >= 0xD800 && code <= 0xDBFF) {
                    unsigned low;
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, end, &low) || low < 0xDC00 || low > 0xDFFF)
                        return NOT_A_STRING;
                    p += 6;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
            } else if (code == 0x110000u) {
                return NOT_A_STRING;
            }
        }
        unsigned char bytes[4];
        size_t size = 1;
        if (ch != '\\' || code < 0x80) bytes[0] = (unsigned char)code;
        else if (code < 0x800) bytes[0] = (unsigned char)(0xC0 | code >> 6), size = 2;
        else if (code < 0x10000) bytes[0] = (unsigned char)(0xE0 | code >> 12), size = 3;
        else bytes[0] = (unsigned char)(0xF0 | code >> 18), size = 4;
        for (size_t k = 1; k < size; k++) bytes[k] = (unsigned char)(0x80 | (code >> (6 * (size - 1 - k)) & 0x3F));
        for (size_t k = 0; k < size; k++, n++)
            if (n < capacity) out[n] = (char)bytes[k];
    }
    if (p >= end) return NOT_A_STRING;
    c->p = p + 1;
    return n;
}

/* Moves past one value of any kind. Nested values are only scanned (strings whole,
 * brackets counted), without recursion, so no depth of nesting can exhaust the stack. */
static int skip_value(cursor *c) {
    size_t depth = 0;
    do {
        skip_space(c);
        if (c->p >= c->end) return 0;
        char ch = *c->p;
        if (ch == '"') {
            if (read_string(c, NULL, 0) == NOT_A_STRING) return 0;
        } else if (ch == '{' || ch == '[') {
            depth++, c->p++;
        } else if (ch == '}' || ch == ']' || ch == ',' || ch == ':') {
            if (depth == 0) return 0;
            depth -= ch == '}' || ch == ']';
            c->p++;
        } else {
            const char *start = c->p;
            while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') || (*c->p >= 'a' && *c->p <= 'z') ||
                                     (*c->p >= 'A' && *c->p <= 'Z') || *c->p == '-' || *c->p == '+' || *c->p == '.'))
                c->p++;
            if (c->p == start) return 0;
        }
    } while (depth > 0);
    return 1;
}

/* Moves the cursor, at an object, to the value of its first member named `key` (an
 * escaped name counts as its decoded self). 0 when it is not at an object or the object
 * has no such member before it ends or stops being JSON. */
static int find_member(cursor *c, const char *key) {
    size_t key_size = strlen(key);
    if (!at(c, '{')) return 0;
    c->p++;
    if (at(c, '}')) return 0;
    for (;;) {
        char name[16];
        size_t n = read_string(c, name, sizeof name);
        if (n == NOT_A_STRING || !at(c, ':')) return 0;
        c->p++;
        skip_space(c);
        if (n == key_size && memcmp(name, key, n) == 0) return 1;
        if (!skip_value(c) || !at(c, ',')) return 0;
        c->p++;
    }
}

/* Whether `n` bytes are well-formed UTF-8 (no overlong forms, no surrogates, at most
 * U+10FFFF), so that the answer, which repeats the id, is valid JSON. */
static int is_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t more = b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xF0 && b <= 0xF4 ? 3 : 9;
        if (more == 9 || n - i - 1 < more) return 0;
        unsigned char second = more ? s[i + 1] : 0x80;
        if ((b == 0xE0 && second < 0xA0) || (b == 0xED && second > 0x9F) || (b == 0xF0 && second < 0x90) ||
            (b == 0xF4 && second > 0x8F))
            return 0;
        for (size_t k = 1; k <= more; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += more + 1;
    }
    return 1;
}

/* ---- The function -------------------------------------------------------------------- */

static lambda_status visits_init(const lambda_host_api *host, void **state) {
    (void)state;
    const char *table = getenv("VISITS_TABLE");
    size_t size = 0;
    while (table && size <= VISITS_MAX_TABLE && table[size]) size++;
    if (size == 0 || size > VISITS_MAX_TABLE) {
        host->fail(NULL, "Visits.Configuration",
                   size ? "VISITS_TABLE is longer than 1024 bytes: set it to the table's name or ARN"
                        : "VISITS_TABLE is not set: set it to the name of the DynamoDB table whose partition key is the "
                          "string id (deploy/visits/template.yaml does)");
        return LAMBDA_ERROR;
    }
    text t = {table_json, 0, sizeof table_json, 0};
    put_escaped(&t, table, size);
    table_json_size = t.size;
    return LAMBDA_OK;
}

LAMBDA_PLUGIN_DEFINE("visits", "1.0.0", visits_init, NULL)

/* Reads the event's id into id[VISITS_MAX_ID]; NULL, or what is wrong with the event. */
static const char *event_id(const char *payload, size_t size, char *id, size_t *id_size) {
    cursor c = {payload, payload + size};
    if (!at(&c, '{')) return "the event is not a JSON object";
    if (!find_member(&c, "id")) return "the event has no \"id\"";
    if (!at(&c, '"')) return "its \"id\" is not a string";
    size_t n = read_string(&c, id, VISITS_MAX_ID);
    if (n == NOT_A_STRING) return "its \"id\" is not a well-formed JSON string";
    if (n == 0 || n > VISITS_MAX_ID) return n ? "its \"id\" is longer than 1024 bytes" : "its \"id\" is empty";
    if (!is_utf8((const unsigned char *)id, n)) return "its \"id\" is not valid UTF-8";
    *id_size = n;
    return NULL;
}

/* Copies the text of the first <name>...</name> in the body into `out` (NUL-terminated,
 * cut to fit): AWS's XML error documents (the query protocol; also moto's refusals of a
 * signature, whatever the service). 0 when there is no such element. */
static int xml_element(const lambda_http_response *response, const char *name, char *out, size_t capacity) {
    char open[16], close[16];
    size_t open_size = (size_t)snprintf(open, sizeof open, "<%s>", name);
    size_t close_size = (size_t)snprintf(close, sizeof close, "</%s>", name);
    const char *end = response->body + response->body_size;
    const char *inner = memmem(response->body, response->body_size, open, open_size);
    if (inner == NULL) return 0;
    inner += open_size;
    const char *stop = memmem(inner, (size_t)(end - inner), close, close_size);
    if (stop == NULL) return 0;
    size_t n = (size_t)(stop - inner) < capacity - 1 ? (size_t)(stop - inner) : capacity - 1;
    memcpy(out, inner, n);
    out[n] = 0;
    return 1;
}

/* Copies the string member `key` of the JSON object in the body into `out`
 * (NUL-terminated, cut to fit); 0 when there is none. */
static int json_member(const lambda_http_response *response, const char *key, char *out, size_t capacity) {
    cursor c = {response->body, response->body + response->body_size};
    size_t n = find_member(&c, key) ? read_string(&c, out, capacity - 1) : NOT_A_STRING;
    if (n == NOT_A_STRING) return 0;
    out[n < capacity - 1 ? n : capacity - 1] = 0;
    return 1;
}

/* Answers with AWS's error document: the error code as the error type ("__type" after
 * its last '#' in the JSON protocols, {"__type": "com.amazonaws...#Code", "message": ...};
 * <Code> in XML), and AWS's message as the message. */
static lambda_status aws_error(const lambda_invocation *invocation, const lambda_http_response *response) {
    const lambda_host_api *host = invocation->host;
    char type[129], message[1024];
    const char *code = type;
    int found = json_member(response, "__type", type, sizeof type) || xml_element(response, "Code", type, sizeof type);
    for (const char *p = type; found && *p; p++)
        if (*p == '#') code = p + 1;
    for (const char *p = code; found && *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '_'))
            found = 0;
    if (!found || *code == 0) {
        snprintf(message, sizeof message, "DynamoDB answered HTTP %d without an AWS error document: %.*s",
                 response->status, EXCERPT(response));
        return host->fail(invocation, "Visits.UnexpectedResponse", message);
    }
    if (!json_member(response, "message", message, sizeof message) &&
        !json_member(response, "Message", message, sizeof message) &&
        !xml_element(response, "Message", message, sizeof message))
        snprintf(message, sizeof message, "DynamoDB answered HTTP %d with no message", response->status);
    return host->fail(invocation, code, message);
}

/* Copies Attributes.count.N of UpdateItem's answer into `out` once checked as a number
 * (-?digits, optional fraction: what DynamoDB writes); 0 when it is not there. */
static int new_count(const lambda_http_response *response, char *out, size_t capacity) {
    cursor c = {response->body, response->body + response->body_size};
    if (!find_member(&c, "Attributes") || !find_member(&c, "count") || !find_member(&c, "N")) return 0;
    size_t n = read_string(&c, out, capacity - 1);
    if (n == NOT_A_STRING || n == 0 || n >= capacity) return 0;
    out[n] = 0;
    size_t i = out[0] == '-', digits = 0, dot = 0;
    for (; i < n; i++) {
        if (out[i] >= '0' && out[i] <= '9') digits++;
        else if (out[i] == '.' && digits && !dot) dot = 1, digits = 0;
        else return 0;
    }
    return digits > 0;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    char id[VISITS_MAX_ID], message[256];
    size_t id_size = 0;
    const char *problem = event_id(invocation->payload, invocation->payload_size, id, &id_size);
    if (problem) {
        snprintf(message, sizeof message,
                 "%s; the event must be {\"id\": \"home\"}: a JSON object whose \"id\" is a string of 1 to %d bytes",
                 problem, VISITS_MAX_ID);
        return host->fail(invocation, "InvalidEvent", message);
    }

    char json[sizeof table_json + VISITS_MAX_ID * 6 + 256];
    text request = {json, 0, sizeof json, 0};
    put_str(&request, "{\"TableName\":\"");
    put(&request, table_json, table_json_size);
    put_str(&request, "\",\"Key\":{\"id\":{\"S\":\"");
    put_escaped(&request, id, id_size);
    put_str(&request, "\"}},\"UpdateExpression\":\"ADD #c :one\",\"ExpressionAttributeNames\":{\"#c\":\"count\"},"
                      "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}},\"ReturnValues\":\"UPDATED_NEW\"}");
    if (request.overflow) return host->fail(invocation, "Visits.Internal", "the UpdateItem request did not fit its buffer");

    lambda_http_response response;
    lambda_status status =
        lambda_aws_json(host, invocation, "dynamodb", "DynamoDB_20120810.UpdateItem", json, request.size, &response);
    if (status == LAMBDA_E_UNSUPPORTED)
        return host->fail(invocation, "Visits.Unsupported", "this lambda-host layer predates AWS calls (ABI 1.3)");
    if (status == LAMBDA_E_HTTP_NOT_SENT) return host->fail(invocation, "Visits.NotSent", lambda_http_error(host, invocation));
    if (status == LAMBDA_E_INVALID) return host->fail(invocation, "Visits.InvalidRequest", lambda_http_error(host, invocation));
    if (status != LAMBDA_OK) return host->fail(invocation, "Visits.Failed", lambda_http_error(host, invocation));
    if (response.status != 200) return aws_error(invocation, &response);

    char count[48];
    if (!new_count(&response, count, sizeof count)) {
        char unexpected[320];
        snprintf(unexpected, sizeof unexpected, "DynamoDB answered 200 without a number in Attributes.count.N: %.*s",
                 EXCERPT(&response));
        return host->fail(invocation, "Visits.UnexpectedResponse", unexpected);
    }
    char out[VISITS_MAX_ID * 6 + 96];
    text answer = {out, 0, sizeof out, 0};
    put_str(&answer, "{\"id\": \"");
    put_escaped(&answer, id, id_size);
    put_str(&answer, "\", \"count\": ");
    put_str(&answer, count);
    put_str(&answer, "}");
    if (answer.overflow) return host->fail(invocation, "Visits.Internal", "the answer did not fit its buffer");
    return host->respond(invocation, out, answer.size);
}
