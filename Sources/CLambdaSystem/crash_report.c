/* The crash guard's report to the Runtime API and its log line (crash_report.h). */
#include "crash_report.h"

#include "CLambdaSystem.h"

#include <poll.h>

/* Static buffers: in .bss, so they cost no memory until a crash writes them. A request id
 * is at most a reply head (64 KiB), three times that percent-encoded. */
static char body_data[64 * 1024];
static char request_data[3 * 64 * 1024 + 128 * 1024];
static char reply_data[512];
static char line_data[64 * 1024];

enum { max_addresses = 4 };
static struct sockaddr_storage addresses[max_addresses];
static socklen_t address_sizes[max_addresses];
static int address_count;

/* ---- Addresses --------------------------------------------------------------------- */

static void add_address(const struct sockaddr *address, socklen_t size, uint16_t port) {
    if (address_count >= max_addresses || size > sizeof addresses[0]) return;
    memcpy(&addresses[address_count], address, size);
    if (address->sa_family == AF_INET) ((struct sockaddr_in *)&addresses[address_count])->sin_port = htons(port);
    if (address->sa_family == AF_INET6) ((struct sockaddr_in6 *)&addresses[address_count])->sin6_port = htons(port);
    address_sizes[address_count++] = size;
}

int lh_report_resolve(const char *host, uint16_t port) {
    address_count = 0;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        add_address((struct sockaddr *)&v4, sizeof v4, port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        add_address((struct sockaddr *)&v6, sizeof v6, port);
        return 0;
    }
    /* As lh_tcp_connect does: every address the name has, in the resolver's order. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    if (getaddrinfo(host, NULL, &hints, &found) != 0 || found == NULL) return EHOSTUNREACH;
    for (struct addrinfo *a = found; a != NULL; a = a->ai_next) add_address(a->ai_addr, a->ai_addrlen, port);
    freeaddrinfo(found);
    return address_count > 0 ? 0 : EHOSTUNREACH;
}

/* ---- Sockets, with a deadline ------------------------------------------------------ */

int64_t lh_report_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Waits for `events` on fd until `deadline`; 1 when ready. */
static int wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - lh_report_now_ms();
        if (left <= 0) return 0;
        struct pollfd entry = {.fd = fd, .events = events};
        int ready = poll(&entry, 1, (int)left);
        if (ready > 0) return 1;
        if (ready < 0 && errno != EINTR) return 0;
    }
}

static int connect_to(int index, int64_t deadline) {
    int fd = socket(addresses[index].ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addresses[index], address_sizes[index]) != 0) {
        int error = 0;
        socklen_t size = sizeof error;
        if (errno != EINPROGRESS || !wait_for(fd, POLLOUT, deadline) ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t size, int64_t deadline) {
    while (size > 0) {
        ssize_t sent = send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            data += sent;
            size -= (size_t)sent;
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_for(fd, POLLOUT, deadline)) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Reads the status line of the reply; returns the status, or -1. */
static int read_status(int fd, int64_t deadline) {
    size_t have = 0;
    while (have < sizeof reply_data - 1) {
        if (!wait_for(fd, POLLIN, deadline)) return -1;
        ssize_t got = recv(fd, reply_data + have, sizeof reply_data - 1 - have, MSG_DONTWAIT);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) return -1;
        have += (size_t)got;
        for (size_t i = 0; i + 1 < have; i++) {
            if (reply_data[i] != '\r') continue;
            /* "HTTP/1.1 202 Accepted" */
            if (i < 12 || memcmp(reply_data, "HTTP/1.", 7) != 0) return -1;
            int status = 0;
            for (int d = 9; d < 12; d++) {
                if (reply_data[d] < '0' || reply_data[d] > '9') return -1;
                status = status * 10 + (reply_data[d] - '0');
            }
            return status;
        }
    }
    return -1;
}

/* ---- The request ------------------------------------------------------------------- */

/* {"errorMessage":...,"errorType":...,"stackTrace":[...]} */
static void error_document(lh_text *body, const char *type, const lh_text *message, const lh_text *frames) {
    text_str(body, "{\"errorMessage\":\"");
    text_json(body, message->data, message->size);
    text_str(body, "\",\"errorType\":\"");
    text_str(body, type);
    text_str(body, "\",\"stackTrace\":[");
    text_bytes(body, frames->data, frames->size);
    text_str(body, "]}");
}

static void error_request_head(lh_text *request, const lh_report_target *target, const char *type, size_t body_size) {
    if (target->phase == LH_PHASE_INIT) {
        text_str(request, "POST /2018-06-01/runtime/init/error HTTP/1.1\r\n");
    } else {
        text_str(request, "POST /2018-06-01/runtime/invocation/");
        text_path_segment(request, target->request_id, target->request_id_size);
        text_str(request, "/error HTTP/1.1\r\n");
        if (target->invocation_id != NULL) {
            text_str(request, "Lambda-Runtime-Invocation-Id: ");
            text_header_value(request, target->invocation_id, target->invocation_id_size);
            text_str(request, "\r\n");
        }
    }
    text_str(request, "Host: lambda\r\nLambda-Runtime-Function-Error-Type: ");
    text_str(request, type);
    text_str(request, "\r\nContent-Type: application/vnd.aws.lambda.error+json\r\nContent-Length: ");
    text_decimal(request, (int64_t)body_size);
    text_str(request, "\r\nConnection: close\r\n\r\n");
}

int lh_report_send(const lh_report_target *target, const char *type, const lh_text *message, const lh_text *frames,
                   int64_t deadline) {
    int phase = target->phase;
    if (phase != LH_PHASE_INIT && phase != LH_PHASE_INVOKE && phase != LH_PHASE_STREAM) return 0;
    lh_text body = {body_data, 0, sizeof body_data};
    error_document(&body, type, message, frames);
    lh_text request = {request_data, 0, sizeof request_data};
    if (phase == LH_PHASE_STREAM) {
        /* The error after the first byte: the trailers end the open chunked body. */
        text_str(&request, "0\r\nLambda-Runtime-Function-Error-Type: ");
        text_str(&request, type);
        text_str(&request, "\r\nLambda-Runtime-Function-Error-Body: ");
        text_base64(&request, (const unsigned char *)body.data, body.size);
        text_str(&request, "\r\n\r\n");
        int fd = target->stream_fd;
        return fd >= 0 && send_all(fd, request.data, request.size, deadline) == 0 ? read_status(fd, deadline) : -1;
    }
    error_request_head(&request, target, type, body.size);
    text_bytes(&request, body.data, body.size);
    for (int i = 0; i < address_count; i++) {
        int fd = connect_to(i, deadline);
        if (fd < 0) continue;
        int status = send_all(fd, request.data, request.size, deadline) == 0 ? read_status(fd, deadline) : -1;
        close(fd);
        return status;
    }
    return -1;
}

/* ---- The log line ------------------------------------------------------------------ */

/* Writes the UTC time as 2026-11-23T10:31:34.123Z without gmtime_r (which locks). */
static void text_utc_now(lh_text *t) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t days = now.tv_sec / 86400, seconds = now.tv_sec % 86400;
    /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    int64_t parts[] = {year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, now.tv_nsec / 1000000};
    const char *separators[] = {"", "-", "-", "T", ":", ":", "."};
    for (int i = 0; i < 7; i++) {
        text_str(t, separators[i]);
        int width = i == 0 ? 4 : i == 6 ? 3 : 2;
        for (int64_t scale = width == 4 ? 1000 : width == 3 ? 100 : 10; scale > 0; scale /= 10)
            text_byte(t, (char)('0' + parts[i] / scale % 10));
    }
    text_byte(t, 'Z');
}

void lh_report_log(const lh_report_target *target, int json, const char *type, const lh_text *message, int status) {
    /* The line always fits: a message of 4 KiB and a request id cut at 1 KiB, escaped. */
    lh_text line = {line_data, 0, sizeof line_data - 1};
    int with_id = target->request_id != NULL;
    size_t id_size = target->request_id_size > 1024 ? 1024 : target->request_id_size;
    char outcome[64];
    lh_text what = {outcome, 0, sizeof outcome};
    if (status > 0) {
        text_str(&what, " (reported: ");
        text_decimal(&what, status);
        text_byte(&what, ')');
    } else if (status < 0) {
        text_str(&what, " (the report could not be delivered)");
    }
    if (json) {
        text_str(&line, "{\"timestamp\":\"");
        text_utc_now(&line);
        text_str(&line, "\",\"level\":\"FATAL\"");
        if (with_id) {
            text_str(&line, ",\"requestId\":\"");
            text_json(&line, target->request_id, id_size);
            text_byte(&line, '"');
        }
        text_str(&line, ",\"message\":\"");
        text_str(&line, type);
        text_str(&line, ": ");
        text_json(&line, message->data, message->size);
        text_json(&line, what.data, what.size);
        text_str(&line, "\",\"logger\":\"lambda-host\"}");
    } else {
        text_str(&line, "[FATAL]\t");
        if (with_id) {
            text_one_line(&line, target->request_id, id_size);
            text_byte(&line, '\t');
        }
        text_str(&line, "lambda-host: ");
        text_str(&line, type);
        text_str(&line, ": ");
        text_one_line(&line, message->data, message->size);
        text_bytes(&line, what.data, what.size);
    }
    line.capacity += 1;
    text_byte(&line, '\n');
    for (size_t done = 0; done < line.size;) {
        ssize_t written = write(2, line.data + done, line.size - done);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) break;
        done += (size_t)written;
    }
}
