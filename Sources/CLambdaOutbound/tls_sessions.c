/*
 * TLS sessions kept for resumption, keyed by "host:port". A reconnect to the same origin
 * offers the newest session (a TLS 1.3 ticket or a TLS 1.2 session), saving the
 * certificate exchange and its verification. Small and fixed: a function talks to a few
 * origins, and 32 entries looked up linearly under one mutex cost less than hashing.
 */
#include "tls_context.h"

#include <pthread.h>
#include <string.h>

#include "connection.h"

#define SESSION_SLOTS 32

struct slot {
    char key[LH_SESSION_KEY_SIZE];
    lh_ssl_session *session;
    unsigned long kept_at;
};

static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[SESSION_SLOTS];
static unsigned long clock_ticks;

static struct slot *find(const char *key) {
    for (int index = 0; index < SESSION_SLOTS; index++) {
        if (slots[index].session != NULL && strcmp(slots[index].key, key) == 0) return &slots[index];
    }
    return NULL;
}

lh_ssl_session *lho_tls_sessions_take(const lh_tls_functions *f, const char *key) {
    lh_ssl_session *session = NULL;
    pthread_mutex_lock(&sessions_lock);
    struct slot *found = find(key);
    if (found != NULL && f->SSL_SESSION_up_ref(found->session) == 1) session = found->session;
    pthread_mutex_unlock(&sessions_lock);
    return session;
}

void lho_tls_sessions_keep(const lh_tls_functions *f, const char *key, lh_ssl_session *session) {
    size_t length = strlen(key);
    if (length >= LH_SESSION_KEY_SIZE) {
        f->SSL_SESSION_free(session);
        return;
    }
    lh_ssl_session *dropped = NULL;
    pthread_mutex_lock(&sessions_lock);
    struct slot *target = find(key);
    if (target == NULL) {
        target = &slots[0];
        for (int index = 0; index < SESSION_SLOTS; index++) {
            if (slots[index].session == NULL) {
                target = &slots[index];
                break;
            }
            if (slots[index].kept_at < target->kept_at) target = &slots[index];
        }
        memcpy(target->key, key, length + 1);
    }
    dropped = target->session;
    target->session = session;
    target->kept_at = ++clock_ticks;
    pthread_mutex_unlock(&sessions_lock);
    /* Freed outside the lock: freeing may run OpenSSL callbacks. */
    if (dropped != NULL) f->SSL_SESSION_free(dropped);
}

void lho_tls_sessions_forget(const lh_tls_functions *f, const char *key) {
    lh_ssl_session *dropped = NULL;
    pthread_mutex_lock(&sessions_lock);
    struct slot *found = find(key);
    if (found != NULL) {
        dropped = found->session;
        found->session = NULL;
    }
    pthread_mutex_unlock(&sessions_lock);
    if (dropped != NULL) f->SSL_SESSION_free(dropped);
}
