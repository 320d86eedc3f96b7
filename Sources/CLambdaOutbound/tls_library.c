/*
 * dlopen of OpenSSL 3 on first use. Nothing here runs at process start: the libraries
 * are mapped only when the first TLS connection asks for them, so a function that never
 * calls HTTPS pays nothing (no mapping, no relocation, no OPENSSL_init).
 */
#include "tls_library.h"

#include "connection.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static lh_tls_functions functions;
static int loaded;
static char load_failure[320];

/* Where each pointer of the table is and the name dlsym looks for. */
struct lookup {
    const char *name;
    size_t offset;
};

#define LOOKUP(field) {#field, offsetof(lh_tls_functions, field)}
static const struct lookup lookups[] = {
    LOOKUP(TLS_client_method), LOOKUP(SSL_CTX_new), LOOKUP(SSL_CTX_set_verify), LOOKUP(SSL_CTX_load_verify_file),
    LOOKUP(SSL_CTX_ctrl), LOOKUP(SSL_CTX_sess_set_new_cb), LOOKUP(SSL_new), LOOKUP(SSL_free), LOOKUP(SSL_set_fd),
    LOOKUP(SSL_ctrl), LOOKUP(SSL_set1_host), LOOKUP(SSL_get0_param), LOOKUP(X509_VERIFY_PARAM_set1_ip_asc),
    LOOKUP(SSL_set_ex_data), LOOKUP(SSL_get_ex_data), LOOKUP(SSL_set_session), LOOKUP(SSL_session_reused),
    LOOKUP(SSL_SESSION_up_ref), LOOKUP(SSL_SESSION_free), LOOKUP(SSL_set_shutdown), LOOKUP(SSL_connect),
    LOOKUP(SSL_read), LOOKUP(SSL_write), LOOKUP(SSL_get_error), LOOKUP(SSL_pending), LOOKUP(SSL_get_verify_result),
    LOOKUP(X509_verify_cert_error_string), LOOKUP(ERR_get_error), LOOKUP(ERR_peek_error),
    LOOKUP(ERR_reason_error_string), LOOKUP(ERR_clear_error), LOOKUP(SSL_CTX_get_cert_store),
    LOOKUP(X509_LOOKUP_meth_new), LOOKUP(X509_LOOKUP_meth_set_get_by_subject), LOOKUP(X509_STORE_add_lookup),
    LOOKUP(X509_LOOKUP_get_store), LOOKUP(X509_STORE_add_cert), LOOKUP(X509_STORE_lock), LOOKUP(X509_STORE_unlock),
    LOOKUP(X509_STORE_get0_objects), LOOKUP(X509_OBJECT_retrieve_by_subject), LOOKUP(X509_OBJECT_get0_X509),
    LOOKUP(X509_OBJECT_set1_X509), LOOKUP(d2i_X509), LOOKUP(i2d_X509_NAME), LOOKUP(X509_get_subject_name),
    LOOKUP(X509_NAME_cmp), LOOKUP(X509_free),
};
#undef LOOKUP

static const char install_hint[] =
    "install OpenSSL 3 (Amazon Linux 2023: dnf install openssl-libs; Debian/Ubuntu: apt-get install libssl3)";

/* dlopen of one library, RTLD_LOCAL so its symbols never interpose on a plugin's; on
 * failure the reason goes into load_failure. */
static void *open_library(const char *name) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(load_failure, sizeof load_failure, "TLS is unavailable: %s could not be loaded (%s); %s", name,
                 reason != NULL ? reason : "unknown reason", install_hint);
    }
    return handle;
}

static void load(void) {
    /* libcrypto first, so that libssl's NEEDED entry finds the same copy. */
    void *crypto = open_library("libcrypto.so.3");
    if (crypto == NULL) return;
    void *ssl = open_library("libssl.so.3");
    if (ssl == NULL) return;
    for (size_t index = 0; index < sizeof lookups / sizeof lookups[0]; index++) {
        /* A handle's lookup also searches its dependencies: libcrypto's names resolve
         * through libssl's handle too, but asking the right library is clearer. */
        void *address = dlsym(ssl, lookups[index].name);
        if (address == NULL) address = dlsym(crypto, lookups[index].name);
        if (address == NULL) {
            snprintf(load_failure, sizeof load_failure,
                     "TLS is unavailable: the loaded OpenSSL has no %s (OpenSSL 3.0 or newer is needed); %s",
                     lookups[index].name, install_hint);
            return;
        }
        /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
        memcpy((char *)&functions + lookups[index].offset, &address, sizeof address);
    }
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

const lh_tls_functions *lho_tls_library(char *message, size_t message_size) {
    pthread_once(&load_once, load);
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) return &functions;
    lho_message(message, message_size, "%s", load_failure);
    return NULL;
}

const lh_tls_functions *lho_tls_library_loaded(void) {
    return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE) ? &functions : NULL;
}

int lh_tls_loaded(void) { return lho_tls_library_loaded() != NULL; }
