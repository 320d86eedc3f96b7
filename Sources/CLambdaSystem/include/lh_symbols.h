/*
 * What a name is in one loaded library's own dynamic symbol table, read from the image
 * ld.so mapped (DT_SYMTAB, DT_STRTAB, DT_GNU_HASH or DT_HASH, and the program headers).
 * The loader uses it at INIT only: to refuse a handler or entry point that is not code,
 * and to find C++-mangled entry points when lambda_plugin_v1 is missing.
 */
#ifndef LH_SYMBOLS_H
#define LH_SYMBOLS_H

#include <stddef.h>

/* The verdict of lh_find_function. */
enum lh_symbol_kind {
    /* Typed STT_FUNC or STT_GNU_IFUNC, defined inside an executable PT_LOAD segment of
     * the library itself: safe to call. */
    LH_SYMBOL_FUNCTION = 0,
    /* Neither the library nor anything it depends on defines the name. */
    LH_SYMBOL_ABSENT = 1,
    /* The library defines the name, but not as a function (data, NOTYPE linker symbols
     * such as _end, TLS, a section): calling it would jump into data. */
    LH_SYMBOL_NOT_FUNCTION = 2,
    /* Typed as a function, but its address is not in an executable segment. */
    LH_SYMBOL_NOT_IN_CODE = 3,
    /* The library does not define the name; dlsym finds it in a library it depends on. */
    LH_SYMBOL_ELSEWHERE = 4,
    /* The library's dynamic tables could not be read (no DT_SYMTAB, no hash table). */
    LH_SYMBOL_UNREADABLE = 5,
};

/* What lh_find_function found. */
struct lh_symbol {
    /* What dlsym answers for the name (NULL when absent). */
    void *address;
    /* The ELF symbol type (STT_*) of the library's definition, or -1. */
    int elf_type;
    /* For LH_SYMBOL_ELSEWHERE: the path of the library that defines it (owned by ld.so). */
    const char *defined_in;
};

/* Looks `name` up in the library `handle` (from dlopen) and says whether it is a
 * function the library itself defines. Costs one dlsym, one hash-table walk and one
 * dl_iterate_phdr over the loaded objects. Returns an lh_symbol_kind. */
int lh_find_function(void *handle, const char *name, struct lh_symbol *found);

/* Says whether `address` (a function pointer the library handed out, such as its
 * descriptor's handler) lies inside an executable PT_LOAD segment of the library `handle`
 * itself: LH_SYMBOL_FUNCTION; LH_SYMBOL_ELSEWHERE when another object holds it (its path
 * in found->defined_in) or none does; LH_SYMBOL_NOT_IN_CODE when it is the library's data.
 * Costs one dladdr1 and one dl_iterate_phdr over the loaded objects. */
int lh_function_in_library(void *handle, const void *address, struct lh_symbol *found);

/* Calls each(name, context) for every global or weak symbol the library `handle`
 * defines. Returns the number of symbols visited, or -1 when the tables cannot be read.
 * Costs one pass over the whole dynamic symbol table: for error paths only. */
int lh_each_defined_symbol(void *handle, void (*each)(const char *name, void *context), void *context);

#endif
