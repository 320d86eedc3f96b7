/*
 * A test fixture, compiled by the adversarial loader tests (not a package target): a
 * plugin whose descriptor is damaged in the way HOSTILE_DESCRIPTOR names, and which
 * exports symbols that must never be called as a handler.
 */
#include <lambda_plugin.h>

#include <stdlib.h>
#include <string.h>

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    return invocation->host->respond(invocation, "\"hostile\"", 9);
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
    return &d;
}
