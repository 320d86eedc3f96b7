/*
 * A test fixture, compiled by the adversarial loader tests (not a package target): a
 * plugin whose descriptor is damaged in the way HOSTILE_DESCRIPTOR names, and which
 * exports symbols that must never be called as a handler.
 */
#include <lambda_plugin.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    return invocation->host->respond(invocation, "\"hostile\"", 9);
}

/* The descriptor's own handler (ABI 1.4), for HOSTILE_DESCRIPTOR=handler-own. */
static lambda_status own_handler(const lambda_invocation *invocation) {
    return invocation->host->respond(invocation, "\"own\"", 5);
}

/* Data, thread-local data, and a symbol the linker types as a function but places in
 * writable data; and a label in code that has no type (STT_NOTYPE). */
LAMBDA_EXPORT const int data_symbol = 42;
LAMBDA_EXPORT __thread int tls_symbol;
__asm__(".data\n"
        ".globl function_in_data\n"
        ".type function_in_data, @function\n"
        "function_in_data:\n"
        ".byte 0xc3, 0xc3, 0xc3, 0xc3\n"
        ".size function_in_data, 4\n"
        ".text\n"
        ".globl untyped_code\n"
        "untyped_code:\n"
        "ret\n");

/* Name and version bytes that are not UTF-8. */
static const char not_utf8[] = {'h', (char)0xff, (char)0xfe, 0};

LAMBDA_EXPORT const lambda_plugin_descriptor *lambda_plugin_v1(void) {
    static lambda_plugin_descriptor d;
    const lambda_plugin_descriptor sound = {LAMBDA_PLUGIN_MAGIC, LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_ABI_MINOR,
                                            (uint32_t)sizeof(lambda_plugin_descriptor), 0, "hostile", "1.0.0",
                                            NULL, NULL, NULL};
    d = sound;
    const char *mode = getenv("HOSTILE_DESCRIPTOR");
    if (mode == NULL) return &d;
    if (strcmp(mode, "null") == 0) return NULL;
    if (strcmp(mode, "magic") == 0) d.magic = 0xdeadbeef;
    if (strcmp(mode, "huge") == 0) d.struct_size = 0xffffffffu;
    if (strcmp(mode, "tiny") == 0) d.struct_size = 8;
    if (strcmp(mode, "zero") == 0) d.struct_size = 0;
    if (strcmp(mode, "no-name") == 0) d.name = NULL;
    if (strcmp(mode, "minor") == 0) d.abi_minor = LAMBDA_PLUGIN_ABI_MINOR + 1;
    if (strcmp(mode, "major") == 0) d.abi_major = 0;
    if (strcmp(mode, "name-not-utf8") == 0) d.name = not_utf8;
    if (strcmp(mode, "version-not-utf8") == 0) d.version = not_utf8;
    if (strcmp(mode, "toolchain") == 0) d.swift_toolchain = "0.1";
    /* The descriptor's handler (ABI 1.4): the library's own function, a function of
     * another library (libc's malloc), or the library's data. */
    if (strcmp(mode, "handler-own") == 0) d.handler = own_handler;
    if (strcmp(mode, "handler-elsewhere") == 0) d.handler = (lambda_handler_fn)(uintptr_t)malloc;
    if (strcmp(mode, "handler-data") == 0) d.handler = (lambda_handler_fn)(uintptr_t)&data_symbol;
    if (strcmp(mode, "v1.0-at-page-end") == 0) {
        /* A 1.0 descriptor (56 bytes) that ends where readable memory ends: a host that
         * read a whole 1.4 descriptor (64 bytes) through it would fault. */
        static unsigned char *pages;
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        if (pages == NULL) {
            void *mapped = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (mapped == MAP_FAILED || mprotect((unsigned char *)mapped + page, page, PROT_NONE) != 0) return NULL;
            pages = mapped;
        }
        lambda_plugin_descriptor *old = (lambda_plugin_descriptor *)(pages + page - LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0);
        memcpy(old, &d, LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0);
        old->abi_minor = 0;
        old->struct_size = (uint32_t)LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0;
        return old;
    }
    return &d;
}
