/*
 * A fixture for the packaging audit, compiled by the packaging tests (not a package
 * target, so that `swift build` works on any glibc): a library that would not load on
 * provided.al2023. It needs a glibc symbol newer than 2.34 (arc4random, GLIBC_2.36) and
 * a library that is neither in the base image nor in the layer (zlib's libz.so.1).
 *
 * On glibc 2.36 or newer, linking it against the system's libc gives the GLIBC_2.36
 * need. On an older glibc the tests link it against a stub libc.so.6 that defines
 * arc4random@GLIBC_2.36 (stub_libc.c), which gives the same need.
 */
#include <zlib.h>

/* Declared here rather than taken from <stdlib.h>, which has it from glibc 2.36 only. */
unsigned int arc4random(void);

unsigned int not_for_lambda_random(void) { return arc4random(); }

const char *not_for_lambda_zlib(void) { return zlibVersion(); }
