/*
 * Outbound connections for the host's HTTP client: name resolution, TCP connects with a
 * deadline, and TLS over OpenSSL 3 loaded with dlopen on the first TLS connection (so a
 * process that never connects with TLS maps no TLS library and reads no CA bundle).
 *
 * Every call that can wait takes an absolute deadline in CLOCK_MONOTONIC milliseconds
 * (lh_monotonic_ms) and never blocks past it. Failures return an LH_NET_* code and write
 * a NUL-terminated message into the caller's buffer (truncated to message_size; NULL or
 * 0 is allowed and means "no message"). Messages name the address and the reason and
 * never contain the bytes that were sent.
 *
 * Threads: every function may be called from any thread. One lh_conn is used by one
 * thread at a time (the caller serialises, e.g. a pool hands a connection to one
 * request); different connections may be used at once.
 */
#ifndef LH_OUTBOUND_H
#define LH_OUTBOUND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Why a network call failed. Stable numbers. */
enum {
    LH_NET_OK = 0,
    LH_NET_DNS = 1,             /* name did not resolve (getaddrinfo failed) */
    LH_NET_REFUSED = 2,         /* ECONNREFUSED on every address */
    LH_NET_CONNECT = 3,         /* other connect failure: unreachable, EHOSTUNREACH, ... */
    LH_NET_TIMEOUT = 4,         /* the deadline passed (connect, handshake, read or write) */
    LH_NET_TLS_UNAVAILABLE = 5, /* libssl.so.3 / libcrypto.so.3 could not be loaded, or no CA bundle */
    LH_NET_TLS_VERIFY = 6,      /* certificate or host name verification failed */
    LH_NET_TLS_HANDSHAKE = 7,   /* other handshake failure (protocol, alert) */
    LH_NET_RESET = 8,           /* ECONNRESET / EPIPE while reading or writing */
    LH_NET_CLOSED = 9,          /* (not an error code from read: read returns 0 at EOF) */
    LH_NET_IO = 10,             /* any other I/O or TLS error after connecting */
};

/* The CLOCK_MONOTONIC time in milliseconds: the clock of every deadline here. One
 * vDSO call, no system call. */
int64_t lh_monotonic_ms(void);

/* Addresses of one host, resolved once (at most 8 kept). */
typedef struct lh_addresses {
    int count;
    struct sockaddr_storage address[8];
    socklen_t length[8];
} lh_addresses;

/* getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM) into *out, in the resolver's order,
 * waiting at most until deadline_ms: a name is resolved on a short-lived thread, which
 * finishes on its own if the caller gives up (glibc's getaddrinfo takes no deadline). IP
 * literals (IPv6 without brackets) resolve at once, without DNS or a thread. Costs a
 * thread per name resolved, so callers cache the answer. Returns LH_NET_OK; LH_NET_DNS with
 * a message such as "nonexistent.invalid: Name or service not known"; or LH_NET_TIMEOUT
 * when the deadline passed first. Thread-safe. */
int lh_resolve(const char *host, uint16_t port, int64_t deadline_ms, lh_addresses *out, char *message,
               size_t message_size);

/* One open connection, plain or TLS. Opaque; made by lh_conn_open, freed by lh_conn_close. */
typedef struct lh_conn lh_conn;

/* Connects to the first address that answers (non-blocking connect + poll, until
 * deadline; an address before the last gets an equal share of the time left, at least
 * 2 s, so a dead first address leaves time for the next), TCP_NODELAY on, CLOEXEC. When tls_host is not NULL: loads TLS on first use
 * (dlopen, one SSL_CTX per process, CA bundle parsed once: SSL_CERT_FILE, else
 * /etc/pki/tls/certs/ca-bundle.crt, else /etc/ssl/certs/ca-certificates.crt; never a
 * directory as well), SNI and host name verification for tls_host (IP literals checked
 * as IPs and sent without SNI), TLS 1.2 minimum, resumes the last session kept for
 * (tls_host, port) and keeps new ones (TLS 1.3 tickets included).
 * Returns the connection (caller owns it: lh_conn_close), or NULL with *error (LH_NET_*)
 * and a message naming the address and reason (verification: OpenSSL's reason text, e.g.
 * "certificate has expired"). Cost: a socket and a connect; with TLS a handshake (one
 * round trip more when resumed), and on the process's first TLS connection the dlopen of
 * libssl/libcrypto and one read of the CA bundle, indexed by subject so that only the CAs
 * a chain names are parsed (about 1 ms for 140 CAs; a bundle the index cannot take, e.g.
 * with TRUSTED CERTIFICATE blocks, is parsed whole: tens of ms).
 * Never blocks past deadline_ms. Thread-safe. */
lh_conn *lh_conn_open(const lh_addresses *addresses, const char *tls_host, uint16_t port, int64_t deadline_ms,
                      int *error, char *message, size_t message_size);

/* Writes all `size` bytes or fails. Returns the number of bytes the peer may have got
 * (== size on success; less on failure: bytes the kernel accepted, or for TLS the bytes
 * of whole records written), *error set on failure (LH_NET_RESET, TIMEOUT, IO).
 * Never raises SIGPIPE (plain: MSG_NOSIGNAL; TLS: SIGPIPE blocked on the calling thread
 * during the OpenSSL call and a SIGPIPE it caused consumed). */
size_t lh_conn_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                     size_t message_size);

/* Reads up to `capacity` (> 0) bytes: returns > 0 bytes, 0 at a clean EOF (for TLS:
 * the peer's close_notify), -1 on error (*error LH_NET_RESET / TIMEOUT / IO, message
 * set). A TLS peer that closes the socket without close_notify gives -1 with
 * LH_NET_RESET: the data may have been cut short. Tries the read first and polls only
 * when nothing is buffered. Blocks at most until deadline_ms. */
ssize_t lh_conn_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                     size_t message_size);

/* For an idle pooled connection, without blocking: 1 if it can be reused (nothing to
 * read, or only TLS records that carry no application data such as session tickets,
 * which are processed and kept for resumption), 0 if the peer closed it, reset it, or
 * sent unexpected bytes (then close it: its framing is lost). Costs one recv(MSG_PEEK)
 * when nothing arrived. */
int lh_conn_idle_usable(lh_conn *c);

/* 1 for TLS connections, 0 for plain. */
int lh_conn_is_tls(const lh_conn *c);
/* Whether this connection resumed a TLS session (1/0; 0 for plain connections). */
int lh_conn_resumed(const lh_conn *c);

/* Closes the socket and frees the connection (no close_notify is sent or awaited). The
 * TLS session of a connection whose handshake completed stays resumable, however the
 * connection ended. NULL is fine. */
void lh_conn_close(lh_conn *c);

/* Copies `size` bytes of a plugin's buffer at `from` to `to`, or returns -1 (nothing to
 * trust in `to`) when part of [from, from + size) is not readable, instead of faulting:
 * the kernel does the copy (process_vm_readv on this process). Costs one system call;
 * falls back to memcpy where a seccomp filter refuses the call. 0 on success. */
int lh_copy_checked(void *to, const void *from, size_t size);

/* Whether TLS has been loaded in this process (libssl mapped; for tests/diagnostics): 0 or 1. */
int lh_tls_loaded(void);
/* The CA bundle path loaded, or NULL before TLS loaded (or when no bundle could be
 * loaded). The string lives as long as the process. */
const char *lh_tls_ca_file(void);
/* How many certificates of the CA bundle are indexed for lazy parsing (0 before TLS
 * loaded, or when the bundle was loaded eagerly because the index could not take it),
 * and how many of them were parsed on demand so far (for tests/diagnostics). */
int lh_tls_trust_indexed(void);
int lh_tls_trust_parsed(void);

/* Test-only entry points of the lazy trust store's DER readers. The subject Name's
 * offset and length (tag included) in one DER certificate: 1, or 0 when it is not one. */
int lh_test_certificate_subject(const void *der, size_t size, size_t *offset, size_t *length);
/* The subject-index hash of one DER Name (equal for names OpenSSL's X509_NAME_cmp calls
 * equal): 1, or 0 when it is not one whole Name. */
int lh_test_name_hash(const void *der, size_t size, uint32_t *hash);

/* SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for SigV4 request signing. Built in,
 * not taken from libcrypto: OpenSSL is loaded only for TLS, and signing a request to an
 * http:// endpoint must not load it. Pure functions of their input, thread-safe; the
 * cost is one compression (64 rounds) per 64 bytes, plus one or two for the padding. */

/* An incremental SHA-256: init, update any number of times, final once. */
typedef struct lh_sha256_context {
    uint32_t state[8];
    uint64_t length;   /* bytes hashed so far */
    uint8_t buffer[64];
    size_t buffered;   /* bytes waiting in buffer */
} lh_sha256_context;

/* Starts a hash. */
void lh_sha256_init(lh_sha256_context *context);
/* Adds `size` bytes at `data` (NULL is fine when size is 0). */
void lh_sha256_update(lh_sha256_context *context, const void *data, size_t size);
/* Writes the 32-byte digest to `out` and wipes the context (init it again to reuse). */
void lh_sha256_final(lh_sha256_context *context, uint8_t out[32]);
/* The SHA-256 digest of `size` bytes at `data`, in one call. */
void lh_sha256(const void *data, size_t size, uint8_t out[32]);
/* HMAC-SHA-256 of `size` bytes at `data` under a key of any length (keys longer than 64
 * bytes are hashed first, as RFC 2104 says). Key-derived temporaries are wiped. */
void lh_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size, uint8_t out[32]);

/* Datagrams to the X-Ray daemon (AWS_XRAY_DAEMON_ADDRESS), over UDP. */

/* Fills *out and *length with `host`, an IPv4 (dotted decimal) or IPv6 literal without
 * brackets or zone, and `port`: 1, or 0 when `host` is neither (no name is resolved).
 * Pure: one or two inet_pton calls. */
int lh_udp_address(const char *host, uint16_t port, struct sockaddr_storage *out, socklen_t *length);
/* A UDP socket (non-blocking, close-on-exec) connect()ed to the address, which sends no
 * packet: the descriptor (caller closes it), or -1 with the errno value in *error. Costs
 * two system calls. */
int lh_udp_open(const struct sockaddr_storage *address, socklen_t length, int *error);
/* Sends one datagram on a connected UDP socket without blocking (MSG_DONTWAIT, and
 * MSG_NOSIGNAL): 0, or the errno value, e.g. EAGAIN when the socket buffer is full,
 * ECONNREFUSED when an earlier datagram met a closed port, EMSGSIZE when too large.
 * One system call. Thread-safe on a shared socket. */
int lh_udp_send(int fd, const void *data, size_t size);

/* What the AWS signer needs of the process, in C so that the Swift modules need not import
 * Glibc (whose overlay library the layer does not carry). */

/* Seconds since the epoch (CLOCK_REALTIME): the signature's date. */
int64_t lh_realtime_seconds(void);
/* The process's environment (environ), a NULL-terminated array. Read it once, at INIT. */
char **lh_environment(void);
/* Reads at most `capacity` bytes of the file at `path` into `buffer` (a token file):
 * the count read, or -1 when the file cannot be opened or read. */
long lh_read_small_file(const char *path, void *buffer, size_t capacity);

#endif
