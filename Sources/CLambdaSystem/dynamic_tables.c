#include "dynamic_tables.h"

#include <elf.h>
#include <string.h>

/* glibc relocates the d_ptr values of a writable dynamic section in place, and leaves
 * those of a read-only one (the vDSO, some architectures and linkers) as offsets. An
 * offset is smaller than the library's base address; a relocated pointer is not. */
static const void *pointer(ElfW(Addr) base, ElfW(Addr) value) {
    return (const void *)(value < base ? base + value : value);
}

/* DT_GNU_HASH has no symbol count: the highest bucket's chain ends at the last symbol. */
static size_t gnu_hash_count(const uint32_t *hash) {
    uint32_t buckets_count = hash[0], first = hash[1], bloom_words = hash[2];
    const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)&hash[4] + bloom_words);
    const uint32_t *chain = buckets + buckets_count;
    uint32_t last = 0;
    for (uint32_t i = 0; i < buckets_count; i++)
        if (buckets[i] > last) last = buckets[i];
    if (last < first) return first;
    while ((chain[last - first] & 1) == 0) last++;
    return (size_t)last + 1;
}

int lh_dynamic_tables_read(ElfW(Addr) base, const ElfW(Dyn) *dynamic, struct lh_dynamic_tables *t) {
    memset(t, 0, sizeof *t);
    if (dynamic == NULL) return -1;
    t->base = base;
    t->dynamic = dynamic;
    const uint32_t *sysv_hash = NULL;
    for (const ElfW(Dyn) *d = dynamic; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: t->symbols = pointer(base, d->d_un.d_ptr); break;
        case DT_STRTAB: t->strings = pointer(base, d->d_un.d_ptr); break;
        case DT_STRSZ: t->string_size = d->d_un.d_val; break;
        case DT_GNU_HASH: t->gnu_hash = pointer(base, d->d_un.d_ptr); break;
        case DT_HASH: sysv_hash = pointer(base, d->d_un.d_ptr); break;
        case DT_SYMENT:
            if (d->d_un.d_val != sizeof(ElfW(Sym))) return -1;
            break;
        default: break;
        }
    }
    if (t->symbols == NULL || t->strings == NULL) return -1;
    if (t->gnu_hash != NULL && t->gnu_hash[0] == 0) t->gnu_hash = NULL; /* no buckets: unusable */
    if (t->gnu_hash != NULL)
        t->count = gnu_hash_count(t->gnu_hash);
    else if (sysv_hash != NULL)
        t->count = sysv_hash[1];
    else
        return -1;
    return 0;
}
