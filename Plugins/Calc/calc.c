/*
 * Calc: a few plain C functions that know nothing of lambda-host (no include of
 * lambda_plugin.h). lambda-host calls them through libffi from a signature in _HANDLER,
 * e.g. libCalc.so:distance(lat1:f64,lon1:f64,lat2:f64,lon2:f64)->f64.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* Great-circle distance in kilometres between two points given in degrees. */
EXPORT double distance(double lat1, double lon1, double lat2, double lon2) {
    const double r = 6371.0, rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

/* v limited to the int8_t range: a narrow return, widened by libffi. */
EXPORT int8_t clamp_i8(int64_t v) { return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : (int8_t)v; }

/* a + b, wrapping as uint16_t does. */
EXPORT uint16_t add_u16(uint16_t a, uint16_t b) { return (uint16_t)(a + b); }

/* v * k in single precision. */
EXPORT float scale_f32(float v, float k) { return v * k; }

/* Whether v is even. */
EXPORT bool is_even(int32_t v) { return v % 2 == 0; }

/* The product, in 64 bits. */
EXPORT int64_t mul_i64(int64_t a, int64_t b) { return a * b; }

/* The largest uint64_t. */
EXPORT uint64_t max_u64(void) { return UINT64_MAX; }

/* "Hello, <name>!" in a static buffer: the caller copies it and frees nothing. */
EXPORT const char *greet(const char *name) {
    static char buffer[256];
    snprintf(buffer, sizeof buffer, "Hello, %s!", name);
    return buffer;
}

/* The sum of the bytes: a pointer and a length, as a `bytes` parameter passes them. */
EXPORT uint32_t checksum(const uint8_t *data, size_t size) {
    uint32_t sum = 0;
    for (size_t i = 0; i < size; i++) sum += data[i];
    return sum;
}

/* Nothing, for a void result. */
EXPORT void noop(void) {}

/* The signature of distance, for lambda-host, when _HANDLER names only the function
 * (libCalc.so:distance): a string the library exports, as a signature may be longer than
 * Lambda's Handler field allows. */
EXPORT const char lambda_signature_distance[] = "distance(lat1:f64,lon1:f64,lat2:f64,lon2:f64)->f64";

/* name in capitals, in memory from malloc: the caller frees it (signature ...->str_free). */
EXPORT char *shout(const char *name) {
    size_t length = strlen(name);
    char *out = malloc(length + 2);
    if (out == NULL) return NULL;
    for (size_t i = 0; i < length; i++) out[i] = (char)toupper((unsigned char)name[i]);
    out[length] = '!';
    out[length + 1] = 0;
    return out;
}
