/*
 * Text building for the crash guard: appends into a fixed buffer, never allocates, calls
 * nothing but memcpy, so it is async-signal-safe. What does not fit is cut.
 */
#ifndef LH_CRASH_TEXT_H
#define LH_CRASH_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
} lh_text;

static inline void text_bytes(lh_text *t, const void *bytes, size_t count) {
    size_t room = t->capacity - t->size;
    if (count > room) count = room;
    memcpy(t->data + t->size, bytes, count);
    t->size += count;
}

static inline void text_byte(lh_text *t, char c) { text_bytes(t, &c, 1); }

static inline void text_str(lh_text *t, const char *s) { text_bytes(t, s, strlen(s)); }

static inline void text_unsigned(lh_text *t, uint64_t value, unsigned base, const char *prefix) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value > 0);
    text_str(t, prefix);
    while (n > 0) text_byte(t, digits[--n]);
}

static inline void text_hex(lh_text *t, uint64_t value) { text_unsigned(t, value, 16, "0x"); }

static inline void text_decimal(lh_text *t, int64_t value) {
    if (value < 0) {
        text_byte(t, '-');
        text_unsigned(t, (uint64_t)0 - (uint64_t)value, 10, "");
    } else {
        text_unsigned(t, (uint64_t)value, 10, "");
    }
}

/* The length of the well-formed UTF-8 sequence that starts `s` (at most `count` bytes),
 * or 0 when it is not one (a stray or overlong byte, a surrogate, a cut sequence). */
static inline size_t text_utf8_sequence(const unsigned char *s, size_t count) {
    unsigned char c = s[0];
    size_t n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3;
    else if (c >= 0xF0 && c <= 0xF4) n = 4;
    else return 0;
    if (n > count) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)) return 0;
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)) return 0;
    return n;
}

/* The inside of a JSON string: quotes, backslashes and control bytes escaped, and each
 * byte that is not part of well-formed UTF-8 written as U+FFFD, so the text is always
 * valid JSON whatever a library or symbol name holds, or where a cut fell. */
static inline void text_json(lh_text *t, const char *s, size_t count) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < count;) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t n = text_utf8_sequence(u + i, count - i);
            if (n == 0) {
                text_str(t, "\\ufffd");
                i++;
            } else {
                text_bytes(t, u + i, n);
                i += n;
            }
            continue;
        }
        if (c == '"' || c == '\\') {
            text_byte(t, '\\');
            text_byte(t, (char)c);
        } else if (c < 0x20) {
            text_str(t, "\\u00");
            text_byte(t, "0123456789abcdef"[c >> 4]);
            text_byte(t, "0123456789abcdef"[c & 15]);
        } else {
            text_byte(t, (char)c);
        }
        i++;
    }
}

/* A URL path segment: every byte but A-Z a-z 0-9 - . _ ~ percent-encoded. */
static inline void text_path_segment(lh_text *t, const char *s, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            text_byte(t, (char)c);
        } else {
            text_byte(t, '%');
            text_byte(t, "0123456789ABCDEF"[c >> 4]);
            text_byte(t, "0123456789ABCDEF"[c & 15]);
        }
    }
}

/* Text on one line: control bytes (a newline among them) become spaces. */
static inline void text_one_line(lh_text *t, const char *s, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned char c = (unsigned char)s[i];
        text_byte(t, c < 32 || c == 127 ? ' ' : (char)c);
    }
}

/* A header value: on one line, at most 1024 bytes (as the Runtime API client does). */
static inline void text_header_value(lh_text *t, const char *s, size_t count) {
    text_one_line(t, s, count > 1024 ? 1024 : count);
}

static inline void text_base64(lh_text *t, const unsigned char *s, size_t count) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < count; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
        text_bytes(t, quad, 4);
    }
    if (i < count) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < count ? (uint32_t)s[i + 1] << 8 : 0);
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], i + 1 < count ? alphabet[(v >> 6) & 63] : '=',
                        '='};
        text_bytes(t, quad, 4);
    }
}

#endif
