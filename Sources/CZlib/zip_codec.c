#include "zip_codec.h"

#include <limits.h>
#include <zlib.h>

size_t lh_deflate_bound(size_t length) {
    /* deflateBound needs a stream; this is zlib's own bound for raw streams, plus room. */
    return length + (length >> 12) + (length >> 14) + (length >> 25) + 64;
}

int lh_deflate(const uint8_t *input, size_t input_length, uint8_t *output, size_t *output_length) {
    if (input_length > UINT_MAX || *output_length > UINT_MAX) return -1;
    z_stream stream = {0};
    /* windowBits -15: raw DEFLATE. Level 9 and memLevel 9 are fixed, so output is stable. */
    if (deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = output;
    stream.avail_out = (uInt)*output_length;
    int status = deflate(&stream, Z_FINISH);
    *output_length = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? 0 : -1;
}

int lh_inflate(const uint8_t *input, size_t input_length, uint8_t *output, size_t output_length) {
    if (input_length > UINT_MAX || output_length > UINT_MAX) return -1;
    z_stream stream = {0};
    if (inflateInit2(&stream, -15) != Z_OK) return -1;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = output;
    stream.avail_out = (uInt)output_length;
    int status = inflate(&stream, Z_FINISH);
    size_t produced = stream.total_out;
    inflateEnd(&stream);
    return status == Z_STREAM_END && produced == output_length ? 0 : -1;
}

uint32_t lh_crc32(const uint8_t *bytes, size_t length) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (length > 0) {
        uInt chunk = length > UINT_MAX ? UINT_MAX : (uInt)length;
        crc = crc32(crc, bytes, chunk);
        bytes += chunk;
        length -= chunk;
    }
    return (uint32_t)crc;
}
