/*
 * A loaded library's dynamic symbol tables, read from the dynamic section ld.so mapped:
 * DT_SYMTAB, DT_STRTAB and DT_STRSZ, with the symbol count from DT_GNU_HASH or DT_HASH.
 * Internal to CLambdaSystem: the loader's symbol checks (symbols.c) and the crash guard's
 * library table (crash_libraries.c) both read them. Reading only memory the loader has
 * mapped, it is async-signal-safe.
 */
#ifndef LH_DYNAMIC_TABLES_H
#define LH_DYNAMIC_TABLES_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

struct lh_dynamic_tables {
    /* The load bias: a symbol's address is base + st_value. */
    ElfW(Addr) base;
    const ElfW(Dyn) *dynamic;
    const ElfW(Sym) *symbols;
    const char *strings;
    size_t string_size;
    /* NULL when the library has only DT_HASH (or a GNU hash table with no buckets). */
    const uint32_t *gnu_hash;
    /* The number of entries in `symbols`, the undefined entry 0 included. */
    size_t count;
};

/* Reads the tables of the library loaded at `base` whose dynamic section is `dynamic`.
 * Returns 0, or -1 when they cannot be read (no symbol or string table, no usable hash
 * table, symbol entries of another size). */
int lh_dynamic_tables_read(ElfW(Addr) base, const ElfW(Dyn) *dynamic, struct lh_dynamic_tables *tables);

#endif
