/*
 * One SSL_CTX per process, made on the first TLS connection. The CA bundle is indexed
 * (tls_trust_store.c; certificates parsed when a chain needs them) or, when it cannot be,
 * parsed into it, exactly once and only from one file: never a file and then a directory whose
 * entries link to the same bundle (the double load .NET did on provided.al2023).
 */
#include "tls_context.h"

#include "connection.h"
#include "tls_trust_store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t context_once = PTHREAD_ONCE_INIT;
static lh_ssl_ctx *context;
static const char *ca_file;
static char context_failure[400];

/* The bundle paths tried after SSL_CERT_FILE: Amazon Linux (provided.al2023), then Debian. */
static const char *const default_bundles[] = {
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
};

/* SSL_CERT_FILE, when set, is the operator's choice and the only file tried: falling
 * back to the system bundle would trust more than they asked for. */
static const char *choose_bundle(int *from_environment) {
    const char *chosen = getenv("SSL_CERT_FILE");
    *from_environment = chosen != NULL && chosen[0] != '\0';
    if (*from_environment) return chosen;
    for (size_t index = 0; index < sizeof default_bundles / sizeof default_bundles[0]; index++) {
        if (access(default_bundles[index], R_OK) == 0) return default_bundles[index];
    }
    return NULL;
}

static void openssl_reason(const lh_tls_functions *f, char *text, size_t size) {
    unsigned long code = f->ERR_get_error();
    const char *reason = NULL;
    /* The first error is the cause: for a file that cannot be opened, an errno. */
    if (code & LH_ERR_SYSTEM_FLAG) reason = strerror((int)(code & ~LH_ERR_SYSTEM_FLAG));
    else if (code != 0) reason = f->ERR_reason_error_string(code);
    lho_message(text, size, "%s", reason != NULL ? reason : "no reason given");
    f->ERR_clear_error();
}

static int on_new_session(lh_ssl *ssl, lh_ssl_session *session) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    lh_conn *c = f != NULL ? f->SSL_get_ex_data(ssl, 0) : NULL;
    if (c == NULL) return 0;
    lho_tls_sessions_keep(f, c->session_key, session);
    /* 1: the cache took OpenSSL's reference. */
    return 1;
}

static void make_context(void) {
    char reason[200];
    const lh_tls_functions *f = lho_tls_library(context_failure, sizeof context_failure);
    if (f == NULL) return;
    lh_ssl_ctx *made = f->SSL_CTX_new(f->TLS_client_method());
    if (made == NULL) {
        openssl_reason(f, reason, sizeof reason);
        lho_message(context_failure, sizeof context_failure, "TLS is unavailable: SSL_CTX_new failed: %s", reason);
        return;
    }
    int from_environment = 0;
    const char *bundle = choose_bundle(&from_environment);
    if (bundle == NULL) {
        lho_message(context_failure, sizeof context_failure,
                       "TLS is unavailable: no CA bundle (SSL_CERT_FILE is not set and neither %s nor %s exists); "
                       "install ca-certificates or set SSL_CERT_FILE",
                       default_bundles[0], default_bundles[1]);
        return;
    }
    /* Lazily when the bundle allows it (about 1 ms instead of parsing every CA); OpenSSL's
     * own loader otherwise, whose errors then say what is wrong with the file. */
    if (!lho_trust_store_install(f, made, bundle) && f->SSL_CTX_load_verify_file(made, bundle) != 1) {
        openssl_reason(f, reason, sizeof reason);
        lho_message(context_failure, sizeof context_failure,
                       "TLS is unavailable: the CA bundle %s%s could not be loaded: %s", bundle,
                       from_environment ? " (SSL_CERT_FILE)" : "", reason);
        return;
    }
    f->SSL_CTX_set_verify(made, LH_SSL_VERIFY_PEER, NULL);
    f->SSL_CTX_ctrl(made, LH_SSL_CTRL_SET_MIN_PROTO_VERSION, LH_TLS1_2_VERSION, NULL);
    /* Partial writes: lh_conn_write then knows how many whole records went out. */
    f->SSL_CTX_ctrl(made, LH_SSL_CTRL_MODE, LH_SSL_MODE_ENABLE_PARTIAL_WRITE, NULL);
    /* Client sessions go to our cache, keyed by host:port (OpenSSL's internal cache is
     * keyed by session id, which a client cannot look up by destination). */
    f->SSL_CTX_ctrl(made, LH_SSL_CTRL_SET_SESS_CACHE_MODE,
                    LH_SSL_SESS_CACHE_CLIENT | LH_SSL_SESS_CACHE_NO_INTERNAL_STORE, NULL);
    f->SSL_CTX_sess_set_new_cb(made, on_new_session);
    size_t length = strlen(bundle);
    char *kept = malloc(length + 1);
    if (kept != NULL) memcpy(kept, bundle, length + 1);
    ca_file = kept;
    __atomic_store_n(&context, made, __ATOMIC_RELEASE);
}

lh_ssl_ctx *lho_tls_context(const lh_tls_functions **functions, char *message, size_t message_size) {
    pthread_once(&context_once, make_context);
    if (context == NULL) {
        lho_message(message, message_size, "%s", context_failure);
        return NULL;
    }
    *functions = lho_tls_library_loaded();
    return context;
}

const char *lh_tls_ca_file(void) {
    /* Written inside pthread_once before `context`; readers that see a context see it. */
    return __atomic_load_n(&context, __ATOMIC_ACQUIRE) != NULL ? ca_file : NULL;
}
