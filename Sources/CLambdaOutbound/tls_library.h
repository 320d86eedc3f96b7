/*
 * OpenSSL 3, reached through function pointers found with dlsym in libssl.so.3 and
 * libcrypto.so.3, which are dlopened on the first TLS connection. The prototypes and
 * constants are declared here (checked against OpenSSL 3.0's headers; the 3.x ABI is
 * stable), with opaque types, so building needs no OpenSSL headers and the host has no
 * NEEDED entry for OpenSSL.
 */
#ifndef LH_TLS_LIBRARY_H
#define LH_TLS_LIBRARY_H

#include <stddef.h>

typedef struct lh_ssl lh_ssl;                 /* SSL */
typedef struct lh_ssl_ctx lh_ssl_ctx;         /* SSL_CTX */
typedef struct lh_ssl_method lh_ssl_method;   /* SSL_METHOD */
typedef struct lh_ssl_session lh_ssl_session; /* SSL_SESSION */
typedef struct lh_x509_param lh_x509_param;   /* X509_VERIFY_PARAM */
typedef struct lh_x509 lh_x509;               /* X509 */
typedef struct lh_x509_name lh_x509_name;     /* X509_NAME */
typedef struct lh_x509_store lh_x509_store;   /* X509_STORE */
typedef struct lh_x509_lookup lh_x509_lookup; /* X509_LOOKUP */
typedef struct lh_x509_lookup_method lh_x509_lookup_method; /* X509_LOOKUP_METHOD */
typedef struct lh_x509_object lh_x509_object; /* X509_OBJECT */
typedef struct lh_x509_objects lh_x509_objects; /* STACK_OF(X509_OBJECT) */

/* X509_LOOKUP_get_by_subject_fn of x509_vfy.h (`type` is the X509_LOOKUP_TYPE enum). */
typedef int (*lh_get_by_subject)(lh_x509_lookup *lookup, int type, const lh_x509_name *name, lh_x509_object *ret);

/* ssl.h, tls1.h, prov_ssl.h, sslerr.h, x509_vfy.h, err.h (OpenSSL 3.0). */
enum {
    LH_SSL_ERROR_SSL = 1,
    LH_SSL_ERROR_WANT_READ = 2,
    LH_SSL_ERROR_WANT_WRITE = 3,
    LH_SSL_ERROR_SYSCALL = 5,
    LH_SSL_ERROR_ZERO_RETURN = 6,
    LH_SSL_VERIFY_PEER = 0x01,
    LH_SSL_CTRL_MODE = 33,
    LH_SSL_CTRL_SET_SESS_CACHE_MODE = 44,
    LH_SSL_CTRL_SET_TLSEXT_HOSTNAME = 55,
    LH_SSL_CTRL_SET_MIN_PROTO_VERSION = 123,
    LH_TLSEXT_NAMETYPE_HOST_NAME = 0,
    LH_TLS1_2_VERSION = 0x0303,
    LH_SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1,
    LH_SSL_SESS_CACHE_CLIENT = 0x0001,
    LH_SSL_SESS_CACHE_NO_INTERNAL_STORE = 0x0200,
    LH_SSL_SENT_SHUTDOWN = 1,
    LH_SSL_RECEIVED_SHUTDOWN = 2,
    LH_SSL_R_UNEXPECTED_EOF_WHILE_READING = 294,
    LH_X509_LU_X509 = 1,
    LH_X509_V_OK = 0,
    LH_X509_V_ERR_HOSTNAME_MISMATCH = 62,
    LH_X509_V_ERR_IP_ADDRESS_MISMATCH = 64,
};

/* ERR_SYSTEM_FLAG and ERR_REASON_MASK of err.h: an error code with the top bit of an
 * unsigned int set carries an errno; otherwise its low 23 bits are the reason. */
#define LH_ERR_SYSTEM_FLAG 0x80000000UL
#define LH_ERR_REASON_MASK 0x7FFFFFUL

/* The functions used, named as OpenSSL names them. */
typedef struct lh_tls_functions {
    const lh_ssl_method *(*TLS_client_method)(void);
    lh_ssl_ctx *(*SSL_CTX_new)(const lh_ssl_method *method);
    void (*SSL_CTX_set_verify)(lh_ssl_ctx *ctx, int mode, void *callback);
    int (*SSL_CTX_load_verify_file)(lh_ssl_ctx *ctx, const char *file);
    long (*SSL_CTX_ctrl)(lh_ssl_ctx *ctx, int command, long number, void *pointer);
    void (*SSL_CTX_sess_set_new_cb)(lh_ssl_ctx *ctx, int (*callback)(lh_ssl *ssl, lh_ssl_session *session));
    lh_ssl *(*SSL_new)(lh_ssl_ctx *ctx);
    void (*SSL_free)(lh_ssl *ssl);
    int (*SSL_set_fd)(lh_ssl *ssl, int fd);
    long (*SSL_ctrl)(lh_ssl *ssl, int command, long number, void *pointer);
    int (*SSL_set1_host)(lh_ssl *ssl, const char *host);
    lh_x509_param *(*SSL_get0_param)(lh_ssl *ssl);
    int (*X509_VERIFY_PARAM_set1_ip_asc)(lh_x509_param *param, const char *ip);
    int (*SSL_set_ex_data)(lh_ssl *ssl, int index, void *data);
    void *(*SSL_get_ex_data)(const lh_ssl *ssl, int index);
    int (*SSL_set_session)(lh_ssl *ssl, lh_ssl_session *session);
    int (*SSL_session_reused)(const lh_ssl *ssl);
    int (*SSL_SESSION_up_ref)(lh_ssl_session *session);
    void (*SSL_SESSION_free)(lh_ssl_session *session);
    void (*SSL_set_shutdown)(lh_ssl *ssl, int mode);
    int (*SSL_connect)(lh_ssl *ssl);
    int (*SSL_read)(lh_ssl *ssl, void *buffer, int size);
    int (*SSL_write)(lh_ssl *ssl, const void *buffer, int size);
    int (*SSL_get_error)(const lh_ssl *ssl, int result);
    int (*SSL_pending)(const lh_ssl *ssl);
    long (*SSL_get_verify_result)(const lh_ssl *ssl);
    const char *(*X509_verify_cert_error_string)(long code);
    unsigned long (*ERR_get_error)(void);
    unsigned long (*ERR_peek_error)(void);
    const char *(*ERR_reason_error_string)(unsigned long code);
    void (*ERR_clear_error)(void);
    /* The lazy trust store (tls_trust_store.c). */
    lh_x509_store *(*SSL_CTX_get_cert_store)(const lh_ssl_ctx *ctx);
    lh_x509_lookup_method *(*X509_LOOKUP_meth_new)(const char *name);
    int (*X509_LOOKUP_meth_set_get_by_subject)(lh_x509_lookup_method *method, lh_get_by_subject function);
    lh_x509_lookup *(*X509_STORE_add_lookup)(lh_x509_store *store, lh_x509_lookup_method *method);
    lh_x509_store *(*X509_LOOKUP_get_store)(const lh_x509_lookup *lookup);
    int (*X509_STORE_add_cert)(lh_x509_store *store, lh_x509 *certificate);
    int (*X509_STORE_lock)(lh_x509_store *store);
    int (*X509_STORE_unlock)(lh_x509_store *store);
    lh_x509_objects *(*X509_STORE_get0_objects)(const lh_x509_store *store);
    lh_x509_object *(*X509_OBJECT_retrieve_by_subject)(lh_x509_objects *objects, int type, const lh_x509_name *name);
    lh_x509 *(*X509_OBJECT_get0_X509)(const lh_x509_object *object);
    int (*X509_OBJECT_set1_X509)(lh_x509_object *object, lh_x509 *certificate);
    lh_x509 *(*d2i_X509)(lh_x509 **reuse, const unsigned char **in, long length);
    int (*i2d_X509_NAME)(const lh_x509_name *name, unsigned char **out);
    lh_x509_name *(*X509_get_subject_name)(const lh_x509 *certificate);
    int (*X509_NAME_cmp)(const lh_x509_name *a, const lh_x509_name *b);
    void (*X509_free)(lh_x509 *certificate);
} lh_tls_functions;

/* Loads libcrypto.so.3 and libssl.so.3 (RTLD_NOW | RTLD_LOCAL) and looks every function
 * up, once per process (pthread_once). Returns the table, or NULL with a message that
 * says what is missing and what to install. Costs the two dlopens (about a millisecond)
 * on the first call and nothing after. */
const lh_tls_functions *lho_tls_library(char *message, size_t message_size);

/* The table once lho_tls_library succeeded, else NULL. No locking: set once, before any
 * SSL object exists. */
const lh_tls_functions *lho_tls_library_loaded(void);

#endif
