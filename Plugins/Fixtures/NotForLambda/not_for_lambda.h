#ifndef NOT_FOR_LAMBDA_H
#define NOT_FOR_LAMBDA_H

/* arc4random(): needs GLIBC_2.36. */
unsigned int not_for_lambda_random(void);

/* zlibVersion(): needs libz.so.1. */
const char *not_for_lambda_zlib(void);

#endif
