/*
 * Name resolution bounded by a deadline. glibc's getaddrinfo takes no deadline (its
 * timeouts come from resolv.conf: 5 s per try), so a name is resolved on a short-lived
 * thread while the caller waits at most until its deadline. A caller that gives up leaves
 * the thread to finish and free the lookup; the two share it by a reference count.
 * IP literals skip the thread: they resolve without DNS.
 */
#include "connection.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One lookup, shared by the waiting caller and the resolving thread. */
struct lookup {
    pthread_mutex_t mutex;
    pthread_cond_t done_signal;
    int references;
    int done;
    int status;
    int system_error;
    struct addrinfo *found;
    char host[256];
    char service[8];
};

static void release(struct lookup *lookup) {
    pthread_mutex_lock(&lookup->mutex);
    int last = --lookup->references == 0;
    pthread_mutex_unlock(&lookup->mutex);
    if (!last) return;
    if (lookup->found) freeaddrinfo(lookup->found);
    pthread_cond_destroy(&lookup->done_signal);
    pthread_mutex_destroy(&lookup->mutex);
    free(lookup);
}

static void *resolve_thread(void *argument) {
    struct lookup *lookup = argument;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    int status = getaddrinfo(lookup->host, lookup->service, &hints, &found);
    int system_error = errno;
    pthread_mutex_lock(&lookup->mutex);
    lookup->status = status;
    lookup->system_error = system_error;
    lookup->found = found;
    lookup->done = 1;
    pthread_cond_signal(&lookup->done_signal);
    pthread_mutex_unlock(&lookup->mutex);
    release(lookup);
    return NULL;
}

static int copy_addresses(const char *host, struct addrinfo *found, lh_addresses *out, char *message, size_t size) {
    for (struct addrinfo *entry = found; entry != NULL && out->count < 8; entry = entry->ai_next) {
        if (entry->ai_addrlen > sizeof(struct sockaddr_storage)) continue;
        memcpy(&out->address[out->count], entry->ai_addr, entry->ai_addrlen);
        out->length[out->count] = entry->ai_addrlen;
        out->count += 1;
    }
    if (out->count > 0) return LH_NET_OK;
    lho_message(message, size, "%s: no usable address", host);
    return LH_NET_DNS;
}

/* IP literals, without DNS and without a thread. -1 when `host` is a name. */
static int resolve_literal(const char *host, const char *service, lh_addresses *out, char *message, size_t size) {
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST};
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, service, &hints, &found) != 0) return -1;
    int status = copy_addresses(host, found, out, message, size);
    freeaddrinfo(found);
    return status;
}

int lh_resolve(const char *host, uint16_t port, int64_t deadline_ms, lh_addresses *out, char *message,
               size_t message_size) {
    out->count = 0;
    size_t length = host ? strlen(host) : 0;
    if (length == 0 || length >= sizeof ((struct lookup *)0)->host) {
        lho_message(message, message_size, "no host name given, or one longer than 255 bytes");
        return LH_NET_DNS;
    }
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int literal = resolve_literal(host, service, out, message, message_size);
    if (literal >= 0) return literal;

    struct lookup *lookup = calloc(1, sizeof *lookup);
    if (!lookup) {
        lho_message(message, message_size, "%s: out of memory", host);
        return LH_NET_DNS;
    }
    pthread_mutex_init(&lookup->mutex, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&lookup->done_signal, &attributes);
    pthread_condattr_destroy(&attributes);
    memcpy(lookup->host, host, length + 1);
    memcpy(lookup->service, service, sizeof service);
    lookup->references = 2;
    pthread_attr_t thread_attributes;
    pthread_attr_init(&thread_attributes);
    pthread_attr_setdetachstate(&thread_attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int started = pthread_create(&thread, &thread_attributes, resolve_thread, lookup);
    pthread_attr_destroy(&thread_attributes);
    if (started != 0) {
        /* No thread (out of resources): resolve here, unbounded, rather than not at all. */
        lookup->references = 1;
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
        lookup->status = getaddrinfo(host, service, &hints, &lookup->found);
        lookup->system_error = errno;
        lookup->done = 1;
        pthread_mutex_lock(&lookup->mutex);
        lookup->references += 1;
        pthread_mutex_unlock(&lookup->mutex);
        release(lookup);
    }

    struct timespec until = {.tv_sec = deadline_ms / 1000, .tv_nsec = (deadline_ms % 1000) * 1000000};
    pthread_mutex_lock(&lookup->mutex);
    while (!lookup->done) {
        if (pthread_cond_timedwait(&lookup->done_signal, &lookup->mutex, &until) == ETIMEDOUT) break;
    }
    int done = lookup->done;
    int status = lookup->status;
    int system_error = lookup->system_error;
    struct addrinfo *found = lookup->found;
    pthread_mutex_unlock(&lookup->mutex);
    int result;
    if (!done) {
        lho_message(message, message_size, "%s: the name did not resolve before the deadline", host);
        result = LH_NET_TIMEOUT;
    } else if (status != 0) {
        lho_message(message, message_size, "%s: %s", host, status == EAI_SYSTEM ? strerror(system_error) : gai_strerror(status));
        result = LH_NET_DNS;
    } else {
        result = copy_addresses(host, found, out, message, message_size);
    }
    release(lookup);
    return result;
}
