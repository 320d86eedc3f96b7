/* libffi through dlopen: see include/cffi.h. */
#include "cffi.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The soname the layer carries (lib/libffi.so.8, found through bootstrap's RPATH) and
 * Debian and Amazon Linux install. */
#define CFFI_LIBRARY "libffi.so.8"

enum { VOID, SINT8, SINT16, SINT32, SINT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, POINTER, TYPE_COUNT };
static const char *const type_names[TYPE_COUNT] = {
    "ffi_type_void",   "ffi_type_sint8",  "ffi_type_sint16", "ffi_type_sint32", "ffi_type_sint64", "ffi_type_uint8",
    "ffi_type_uint16", "ffi_type_uint32", "ffi_type_uint64", "ffi_type_float",  "ffi_type_double", "ffi_type_pointer"};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static ffi_type *types[TYPE_COUNT];
static ffi_status (*prep_cif)(ffi_cif *, ffi_abi, unsigned int, ffi_type *, ffi_type **);
static void (*call)(ffi_cif *, void (*)(void), void *, void **);
static char failure[256];

static void load(void) {
    void *library = dlopen(CFFI_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "%s", why ? why : CFFI_LIBRARY ": cannot be loaded");
        return;
    }
    for (int i = 0; i < TYPE_COUNT; i++) types[i] = (ffi_type *)dlsym(library, type_names[i]);
    *(void **)&prep_cif = dlsym(library, "ffi_prep_cif");
    *(void **)&call = dlsym(library, "ffi_call");
    int complete = prep_cif != NULL && call != NULL;
    for (int i = 0; i < TYPE_COUNT; i++) complete = complete && types[i] != NULL;
    if (!complete) {
        snprintf(failure, sizeof failure, CFFI_LIBRARY " lacks ffi_prep_cif, ffi_call or a ffi_type_* object");
        prep_cif = NULL;
        call = NULL;
        memset(types, 0, sizeof types);
    }
}

int cffi_load(char *error, size_t capacity) {
    pthread_once(&once, load);
    if (prep_cif) return 0;
    if (error && capacity > 0) snprintf(error, capacity, "%s", failure);
    return -1;
}

ffi_status cffi_prep_cif(ffi_cif *cif, ffi_abi abi, unsigned int count, ffi_type *result, ffi_type **arguments) {
    pthread_once(&once, load);
    if (!prep_cif) return FFI_BAD_TYPEDEF;
    return prep_cif(cif, abi, count, result, arguments);
}

void cffi_call(ffi_cif *cif, void (*function)(void), void *result, void **arguments) {
    pthread_once(&once, load);
    if (call) call(cif, function, result, arguments);
}

static ffi_type *type(int index) {
    pthread_once(&once, load);
    return types[index];
}

ffi_type *cffi_type_void(void) { return type(VOID); }
ffi_type *cffi_type_sint8(void) { return type(SINT8); }
ffi_type *cffi_type_sint16(void) { return type(SINT16); }
ffi_type *cffi_type_sint32(void) { return type(SINT32); }
ffi_type *cffi_type_sint64(void) { return type(SINT64); }
ffi_type *cffi_type_uint8(void) { return type(UINT8); }
ffi_type *cffi_type_uint16(void) { return type(UINT16); }
ffi_type *cffi_type_uint32(void) { return type(UINT32); }
ffi_type *cffi_type_uint64(void) { return type(UINT64); }
ffi_type *cffi_type_float(void) { return type(FLOAT); }
ffi_type *cffi_type_double(void) { return type(DOUBLE); }
ffi_type *cffi_type_pointer(void) { return type(POINTER); }
