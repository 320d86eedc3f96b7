/*
 * The DER and PEM readers of the lazy trust store (tls_trust_store.c): where a
 * certificate's subject is, a hash of a Name, and base64. Headers only: nothing here
 * parses a certificate the way d2i_X509 does, which is the cost the store avoids.
 */
#include "tls_trust_store.h"

#include "lh_outbound.h"

/* One DER tag and length at *at, within `end`: the tag, and the content's offset and
 * length; *at moves past the element. Low tag numbers and definite lengths only (DER). */
static int der_element(const uint8_t *der, size_t end, size_t *at, uint8_t *tag, size_t *body, size_t *length) {
    size_t p = *at;
    if (end < 2 || p > end - 2 || (der[p] & 0x1f) == 0x1f) return 0;
    *tag = der[p];
    size_t n = der[p + 1];
    p += 2;
    if (n & 0x80) {
        size_t bytes = n & 0x7f;
        if (bytes == 0 || bytes > 4 || bytes > end - p) return 0;
        n = 0;
        for (size_t i = 0; i < bytes; i++) n = (n << 8) | der[p + i];
        p += bytes;
    }
    if (n > end - p) return 0;
    *body = p;
    *length = n;
    *at = p + n;
    return 1;
}

int lho_certificate_subject(const uint8_t *der, size_t size, size_t *offset, size_t *length) {
    uint8_t tag;
    size_t at = 0, body, body_length;
    if (!der_element(der, size, &at, &tag, &body, &body_length) || tag != 0x30 || at != size) return 0;
    at = body;
    if (!der_element(der, body + body_length, &at, &tag, &body, &body_length) || tag != 0x30) return 0;
    size_t end = body + body_length;
    at = body;
    if (!der_element(der, end, &at, &tag, &body, &body_length)) return 0;
    /* [0] EXPLICIT version is absent from v1 certificates. */
    if (tag == 0xa0 && !der_element(der, end, &at, &tag, &body, &body_length)) return 0;
    if (tag != 0x02) return 0;
    /* signature AlgorithmIdentifier, issuer Name, validity: three SEQUENCEs. */
    for (int skipped = 0; skipped < 3; skipped++) {
        if (!der_element(der, end, &at, &tag, &body, &body_length) || tag != 0x30) return 0;
    }
    size_t start = at;
    if (!der_element(der, end, &at, &tag, &body, &body_length) || tag != 0x30) return 0;
    *offset = start;
    *length = at - start;
    return 1;
}

static uint32_t fnv(uint32_t hash, uint8_t byte) { return (hash ^ byte) * 16777619u; }

/* Bytes per character of the text types OpenSSL canonicalises (ASN1_MASK_CANON), or 0.
 * UTF-8 counts as one: its multi-byte characters are all bytes >= 0x80, never ASCII. */
static size_t text_width(uint8_t tag) {
    switch (tag) {
    case 0x0c: case 0x13: case 0x14: case 0x16: case 0x1a: return 1; /* UTF8, Printable, T61, IA5, Visible */
    case 0x1e: return 2;                                             /* BMPString */
    case 0x1c: return 4;                                             /* UniversalString */
    default: return 0;
    }
}

/* One AttributeTypeAndValue's hash; see lho_name_hash for what counts. */
static int attribute_hash(const uint8_t *der, size_t at, size_t end, uint32_t *hash) {
    uint8_t tag;
    size_t body, length;
    uint32_t h = 2166136261u;
    if (!der_element(der, end, &at, &tag, &body, &length) || tag != 0x06) return 0;
    for (size_t i = 0; i < length; i++) h = fnv(h, der[body + i]);
    if (!der_element(der, end, &at, &tag, &body, &length) || at != end) return 0;
    size_t width = text_width(tag);
    if (width == 0) {
        h = fnv(h, tag);
        for (size_t i = 0; i < length; i++) h = fnv(h, der[body + i]);
    } else {
        for (size_t i = 0; i + width <= length; i += width) {
            uint32_t c = 0;
            for (size_t b = 0; b < width; b++) c = (c << 8) | der[body + i + b];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) h = fnv(h, (uint8_t)c);
        }
    }
    *hash = h;
    return 1;
}

int lho_name_hash(const uint8_t *der, size_t size, uint32_t *hash) {
    uint8_t tag;
    size_t at = 0, body, length;
    if (!der_element(der, size, &at, &tag, &body, &length) || tag != 0x30 || at != size) return 0;
    uint32_t sum = 0;
    size_t name_end = body + length;
    for (at = body; at < name_end;) {
        if (!der_element(der, name_end, &at, &tag, &body, &length) || tag != 0x31) return 0;
        size_t set_end = body + length;
        for (size_t in_set = body; in_set < set_end;) {
            uint32_t one;
            if (!der_element(der, set_end, &in_set, &tag, &body, &length) || tag != 0x30) return 0;
            if (!attribute_hash(der, body, body + length, &one)) return 0;
            sum += one;
        }
    }
    *hash = sum;
    return 1;
}

static int8_t base64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return (int8_t)(c - 'A');
    if (c >= 'a' && c <= 'z') return (int8_t)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (int8_t)(c - '0' + 52);
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

size_t lho_base64_decode(const uint8_t *text, size_t size, uint8_t *out) {
    uint32_t bits = 0;
    size_t have = 0, written = 0, symbols = 0;
    int padded = 0;
    for (size_t i = 0; i < size; i++) {
        uint8_t c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') { padded = 1; continue; }
        int8_t value = base64_value(c);
        if (value < 0 || padded) return 0;
        bits = (bits << 6) | (uint32_t)value;
        symbols++;
        if (++have == 4) {
            out[written++] = (uint8_t)(bits >> 16);
            out[written++] = (uint8_t)(bits >> 8);
            out[written++] = (uint8_t)bits;
            bits = 0;
            have = 0;
        }
    }
    if (have == 1) return 0;
    if (have == 2) out[written++] = (uint8_t)(bits >> 4);
    if (have == 3) {
        out[written++] = (uint8_t)(bits >> 10);
        out[written++] = (uint8_t)(bits >> 2);
    }
    return symbols == 0 ? 0 : written;
}

int lh_test_certificate_subject(const void *der, size_t size, size_t *offset, size_t *length) {
    return lho_certificate_subject(der, size, offset, length);
}

int lh_test_name_hash(const void *der, size_t size, uint32_t *hash) { return lho_name_hash(der, size, hash); }
