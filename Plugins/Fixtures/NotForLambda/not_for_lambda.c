/*
 * A fixture for the packaging audit: a library that would not load on provided.al2023.
 * It needs a glibc symbol newer than 2.34 (arc4random, GLIBC_2.36) and a library that is
 * neither in the base image nor in the layer (zlib's libz.so.1).
 */
#include "not_for_lambda.h"

#include <stdlib.h>
#include <zlib.h>

unsigned int not_for_lambda_random(void) {
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 36)
    return arc4random();
#else
#error "this fixture needs glibc 2.36 or newer to build (it must need a symbol newer than provided.al2023's)"
#endif
}

const char *not_for_lambda_zlib(void) { return zlibVersion(); }
