/*
 * SHA-256 (FIPS 180-4, section 6.2) and HMAC-SHA-256 (RFC 2104) for SigV4 signing.
 *
 * Why not libcrypto: OpenSSL is dlopened only when the first TLS connection opens, and a
 * signed request to an http:// endpoint (a local server, moto in the tests) must not load
 * it. This file needs no library and no glibc symbol newer than explicit_bzero (2.25;
 * Lambda's provided.al2023 has 2.34); a signing hashes a few hundred bytes.
 */
#include "lh_outbound.h"

#include <string.h>

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes
 * (FIPS 180-4, 4.2.2). */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotate_right(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void compress(uint32_t state[8], const uint8_t block[64]) {
    uint32_t w[64];
    for (int t = 0; t < 16; t++) {
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 | (uint32_t)block[4 * t + 2] << 8 |
               (uint32_t)block[4 * t + 3];
    }
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotate_right(w[t - 15], 7) ^ rotate_right(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotate_right(w[t - 2], 17) ^ rotate_right(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        uint32_t choose = (e & f) ^ (~e & g);
        uint32_t t1 = h + sum1 + choose + round_constants[t] + w[t];
        uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = sum0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void lh_sha256_init(lh_sha256_context *context) {
    /* The first 32 bits of the fractional parts of the square roots of the first 8 primes
     * (FIPS 180-4, 5.3.3). */
    static const uint32_t initial[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(context->state, initial, sizeof initial);
    context->length = 0;
    context->buffered = 0;
}

void lh_sha256_update(lh_sha256_context *context, const void *data, size_t size) {
    const uint8_t *bytes = data;
    context->length += (uint64_t)size;
    if (context->buffered > 0) {
        size_t take = 64 - context->buffered;
        if (take > size) take = size;
        memcpy(context->buffer + context->buffered, bytes, take);
        context->buffered += take;
        bytes += take;
        size -= take;
        if (context->buffered < 64) return;
        compress(context->state, context->buffer);
        context->buffered = 0;
    }
    while (size >= 64) {
        compress(context->state, bytes);
        bytes += 64;
        size -= 64;
    }
    if (size > 0) {
        memcpy(context->buffer, bytes, size);
        context->buffered = size;
    }
}

void lh_sha256_final(lh_sha256_context *context, uint8_t out[32]) {
    /* Padding (FIPS 180-4, 5.1.1): a 1 bit, zeros up to 56 mod 64, the bit length. */
    uint64_t bits = context->length * 8;
    uint8_t *buffer = context->buffer;
    size_t used = context->buffered;
    buffer[used++] = 0x80;
    if (used > 56) {
        memset(buffer + used, 0, 64 - used);
        compress(context->state, buffer);
        used = 0;
    }
    memset(buffer + used, 0, 56 - used);
    for (int i = 0; i < 8; i++) buffer[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(context->state, buffer);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(context->state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(context->state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(context->state[i] >> 8);
        out[4 * i + 3] = (uint8_t)context->state[i];
    }
    explicit_bzero(context, sizeof *context);
}

void lh_sha256(const void *data, size_t size, uint8_t out[32]) {
    lh_sha256_context context;
    lh_sha256_init(&context);
    lh_sha256_update(&context, data, size);
    lh_sha256_final(&context, out);
}

void lh_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size, uint8_t out[32]) {
    /* RFC 2104: a key longer than the block is hashed first; the key is zero-padded to
     * the block and XORed with 0x36 (inner) and 0x5c (outer). */
    uint8_t block_key[64] = {0};
    if (key_size > 64) {
        lh_sha256(key, key_size, block_key);
    } else if (key_size > 0) {
        memcpy(block_key, key, key_size);
    }
    uint8_t pad[64];
    for (int i = 0; i < 64; i++) pad[i] = block_key[i] ^ 0x36;
    uint8_t inner[32];
    lh_sha256_context context;
    lh_sha256_init(&context);
    lh_sha256_update(&context, pad, 64);
    lh_sha256_update(&context, data, size);
    lh_sha256_final(&context, inner);
    for (int i = 0; i < 64; i++) pad[i] = block_key[i] ^ 0x5c;
    lh_sha256_init(&context);
    lh_sha256_update(&context, pad, 64);
    lh_sha256_update(&context, inner, 32);
    lh_sha256_final(&context, out);
    /* The key-derived pads are secrets (the SigV4 signing key chain): wipe them with a
     * call the compiler may not drop as a dead store (glibc 2.25+). */
    explicit_bzero(block_key, sizeof block_key);
    explicit_bzero(pad, sizeof pad);
    explicit_bzero(inner, sizeof inner);
}
