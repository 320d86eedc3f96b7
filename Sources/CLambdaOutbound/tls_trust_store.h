/*
 * The CA bundle as a lazy X509_STORE lookup: the bundle's certificates are indexed by
 * subject without being parsed, and OpenSSL parses only the ones a chain asks for.
 * Loading a bundle eagerly (SSL_CTX_load_verify_file) parses every certificate, 17-28 ms
 * for Debian's 139, on the first TLS connection of every process; the index costs about a
 * millisecond. Not part of the public header.
 */
#ifndef LH_TLS_TRUST_STORE_H
#define LH_TLS_TRUST_STORE_H

#include "tls_library.h"

#include <stddef.h>
#include <stdint.h>

/* Reads `bundle` (one read), indexes its certificates by subject and adds a lookup to
 * ctx's X509_STORE that parses (d2i_X509) and adds to the store every certificate whose
 * subject a chain asks for, the first time it is asked. Trust is that of loading the file
 * eagerly: the same certificates, matched by subject with OpenSSL's own X509_NAME_cmp.
 * Returns 1 when the lookup is installed, 0 when the caller must load the bundle eagerly
 * instead: the file cannot be read, has no certificate, holds any PEM block other than
 * plain CERTIFICATE (TRUSTED CERTIFICATE carries trust settings, X509 CRL revocations) or
 * a certificate the index cannot read (never is a CA dropped). Call once per SSL_CTX,
 * before the context is shared; the index is immutable afterwards, so lookups from any
 * thread need no lock of ours (OpenSSL calls lookups outside its store lock). */
int lho_trust_store_install(const lh_tls_functions *f, lh_ssl_ctx *ctx, const char *bundle);

/* Where the subject Name (tag and length included) is in a DER certificate: 1 with
 * *offset and *length set, or 0 when `der` is not one whole certificate SEQUENCE with a
 * tbsCertificate of the X.509 shape. Reads only headers: no allocation, no parse. */
int lho_certificate_subject(const uint8_t *der, size_t size, size_t *offset, size_t *length);

/* A 32-bit hash of a DER Name under which names that X509_NAME_cmp calls equal hash
 * equal: OpenSSL compares canonical forms (strings of the text types as UTF-8, ASCII
 * lower-cased, white space collapsed), so only the attribute types and, of text values,
 * the ASCII letters and digits (lower-cased) count; other values count byte for byte,
 * and attributes are summed so that their order in a set does not matter. Different
 * names may share a hash: the lookup confirms every match with X509_NAME_cmp. 1 with
 * *hash set, or 0 when `der` is not one whole Name. */
int lho_name_hash(const uint8_t *der, size_t size, uint32_t *hash);

/* Decodes a PEM body (base64 with white space) into `out`, which holds at least `size`
 * bytes; returns the byte count, or 0 for anything else, such as the header lines of an
 * encrypted PEM (then OpenSSL's loader decides what the block is). */
size_t lho_base64_decode(const uint8_t *text, size_t size, uint8_t *out);

#endif
