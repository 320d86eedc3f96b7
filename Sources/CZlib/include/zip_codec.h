/*
 * CZlib: raw DEFLATE and CRC-32 from zlib, for the zip archives of `lambda-host package`.
 * Developer tools only; never linked into the Lambda runtime binary.
 */
#ifndef CZLIB_ZIP_CODEC_H
#define CZLIB_ZIP_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* An upper bound on lh_deflate's output for `length` input bytes. */
size_t lh_deflate_bound(size_t length);

/* Compresses `input` as a raw DEFLATE stream (no zlib header, as zip stores it) at the
 * highest level into `output`, which holds `*output_length` bytes; on success stores the
 * compressed length there and returns 0. The same input always gives the same bytes. */
int lh_deflate(const uint8_t *input, size_t input_length, uint8_t *output, size_t *output_length);

/* Decompresses a raw DEFLATE stream into exactly `output_length` bytes. Returns 0 on
 * success, -1 when the stream is damaged or does not give exactly that many bytes. */
int lh_inflate(const uint8_t *input, size_t input_length, uint8_t *output, size_t output_length);

/* The CRC-32 of `length` bytes, as zip records it. */
uint32_t lh_crc32(const uint8_t *bytes, size_t length);

#endif
