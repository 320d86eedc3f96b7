/*
 * CFFI: libffi for Swift, loaded with dlopen at first use rather than linked, so that a
 * host running a plugin (not a plain C function) never maps libffi. Only libffi's types
 * come from <ffi.h>; its functions and its type objects (C globals such as
 * ffi_type_sint8, which Swift cannot take the address of) are found with dlsym.
 *
 * Every function here loads libffi.so.8 once (thread-safe) if it is not loaded yet.
 */
#ifndef CFFI_H
#define CFFI_H

#include <ffi.h>
#include <stddef.h>

/* Loads libffi.so.8 (once): 0, or -1 with why in `error` (NUL-terminated, cut to
 * `capacity`). The host calls it at INIT for a handler given by a signature, so that a
 * missing libffi is an init error rather than a failed invocation. Costs a dlopen and 14
 * dlsym the first time, nothing after. */
int cffi_load(char *error, size_t capacity);

/* libffi's ffi_prep_cif and ffi_call; FFI_BAD_TYPEDEF (and no call) when libffi is not
 * loadable. */
ffi_status cffi_prep_cif(ffi_cif *cif, ffi_abi abi, unsigned int count, ffi_type *result, ffi_type **arguments);
void cffi_call(ffi_cif *cif, void (*function)(void), void *result, void **arguments);

/* libffi's type objects; NULL when libffi is not loadable. */
ffi_type *cffi_type_void(void);
ffi_type *cffi_type_sint8(void);
ffi_type *cffi_type_sint16(void);
ffi_type *cffi_type_sint32(void);
ffi_type *cffi_type_sint64(void);
ffi_type *cffi_type_uint8(void);
ffi_type *cffi_type_uint16(void);
ffi_type *cffi_type_uint32(void);
ffi_type *cffi_type_uint64(void);
ffi_type *cffi_type_float(void);
ffi_type *cffi_type_double(void);
ffi_type *cffi_type_pointer(void);

/* FFI_DEFAULT_ABI is an enum constant whose name differs per platform. */
static inline ffi_abi cffi_default_abi(void) { return FFI_DEFAULT_ABI; }

#endif
