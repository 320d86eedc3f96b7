/*
 * A stand-in for glibc 2.36's libc.so.6, for machines with an older glibc: linked with
 * -Wl,-soname,libc.so.6 and stub_libc.map, it defines arc4random at version GLIBC_2.36,
 * so that not_for_lambda.c linked against it needs arc4random@GLIBC_2.36 exactly as it
 * would against a real glibc 2.36. Never loaded: the audit only reads the ELF tables.
 */
unsigned int arc4random(void) { return 4; }
