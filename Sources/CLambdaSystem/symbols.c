#include "CLambdaSystem.h"
#include "dynamic_tables.h"

#include <elf.h>
#include <link.h>

/* The library's dynamic tables, as ld.so mapped them. */
static int read_tables(void *handle, struct lh_dynamic_tables *t) {
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == NULL) return -1;
    return lh_dynamic_tables_read(map->l_addr, map->l_ld, t);
}

/* A symbol the library defines and exports (not an undefined reference, not local). */
static const char *defined_name(const struct lh_dynamic_tables *t, size_t index) {
    const ElfW(Sym) *symbol = &t->symbols[index];
    int bind = ELF64_ST_BIND(symbol->st_info);
    if (symbol->st_shndx == SHN_UNDEF || symbol->st_name >= t->string_size) return NULL;
    if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) return NULL;
    return t->strings + symbol->st_name;
}

/* The GNU hash of a symbol name (the ELF gABI extension's djb2 variant). */
static uint32_t gnu_hash_of(const char *name) {
    uint32_t hash = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) hash = hash * 33 + *c;
    return hash;
}

/* Whether symbol `index` is a definition of `name`; remembers the first one in *chosen.
 * Returns 1 when it is the very one dlsym answered with. */
static int consider(const struct lh_dynamic_tables *t, size_t index, const char *name, const void *address,
                    const ElfW(Sym) **chosen) {
    const char *found = defined_name(t, index);
    if (found == NULL || strcmp(found, name) != 0) return 0;
    if (*chosen == NULL) *chosen = &t->symbols[index];
    if ((const void *)(t->base + t->symbols[index].st_value) != address) return 0;
    *chosen = &t->symbols[index];
    return 1;
}

/* The library's definition of `name`: the one dlsym answered with when there are several
 * (symbol versions), else the first. Walks one GNU hash chain, or every symbol. */
static const ElfW(Sym) *definition(const struct lh_dynamic_tables *t, const char *name, const void *address) {
    const ElfW(Sym) *chosen = NULL;
    if (t->gnu_hash == NULL) {
        for (size_t i = 1; i < t->count; i++)
            if (consider(t, i, name, address, &chosen)) break;
        return chosen;
    }
    uint32_t hash = gnu_hash_of(name);
    uint32_t buckets_count = t->gnu_hash[0], first = t->gnu_hash[1];
    const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)&t->gnu_hash[4] + t->gnu_hash[2]);
    const uint32_t *chain = buckets + buckets_count;
    for (size_t i = buckets[hash % buckets_count]; i >= first && i < t->count; i++) {
        uint32_t entry = chain[i - first];
        if ((entry | 1) == (hash | 1) && consider(t, i, name, address, &chosen)) break;
        if (entry & 1) break; /* the last symbol of this bucket */
    }
    return chosen;
}

struct segment_query {
    ElfW(Addr) base;
    const void *dynamic;
    ElfW(Addr) address;
    int in_code;
};

/* Finds the library among the loaded objects (by base address and dynamic section) and
 * checks whether the address lies in one of its executable PT_LOAD segments. */
static int visit_object(struct dl_phdr_info *info, size_t size, void *raw) {
    (void)size;
    struct segment_query *query = raw;
    if (info->dlpi_addr != query->base) return 0;
    int same = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC && (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr) == query->dynamic)
            same = 1;
    if (!same) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        ElfW(Addr) start = info->dlpi_addr + segment->p_vaddr;
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_X) && query->address >= start &&
            query->address - start < segment->p_memsz)
            query->in_code = 1;
    }
    return 1;
}

int lh_find_function(void *handle, const char *name, struct lh_symbol *found) {
    found->address = NULL;
    found->elf_type = -1;
    found->defined_in = NULL;
    (void)dlerror();
    void *address = dlsym(handle, name);
    struct lh_dynamic_tables t;
    if (read_tables(handle, &t) != 0) return LH_SYMBOL_UNREADABLE;
    const ElfW(Sym) *symbol = definition(&t, name, address);
    if (symbol == NULL) {
        if (address == NULL) return LH_SYMBOL_ABSENT;
        Dl_info info;
        if (dladdr(address, &info) != 0) found->defined_in = info.dli_fname;
        return LH_SYMBOL_ELSEWHERE;
    }
    found->elf_type = ELF64_ST_TYPE(symbol->st_info);
    /* Defined, but not visible to dlsym (a hidden symbol version only). */
    if (address == NULL) return LH_SYMBOL_ABSENT;
    found->address = address;
    if (found->elf_type != STT_FUNC && found->elf_type != STT_GNU_IFUNC) return LH_SYMBOL_NOT_FUNCTION;
    /* For an IFUNC this is the resolver, which is the library's own code too. */
    struct segment_query query = {t.base, t.dynamic, t.base + symbol->st_value, 0};
    if (symbol->st_shndx == SHN_ABS || dl_iterate_phdr(visit_object, &query) == 0 || !query.in_code)
        return LH_SYMBOL_NOT_IN_CODE;
    return LH_SYMBOL_FUNCTION;
}

int lh_function_in_library(void *handle, const void *address, struct lh_symbol *found) {
    found->address = (void *)address;
    found->elf_type = -1;
    found->defined_in = NULL;
    struct link_map *own = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &own) != 0 || own == NULL) return LH_SYMBOL_UNREADABLE;
    Dl_info info;
    struct link_map *owner = NULL;
    /* dladdr1 names the object whose mapped range holds the address: code or data. */
    if (dladdr1(address, &info, (void **)&owner, RTLD_DL_LINKMAP) == 0 || owner == NULL) return LH_SYMBOL_ELSEWHERE;
    if (owner != own) {
        found->defined_in = info.dli_fname;
        return LH_SYMBOL_ELSEWHERE;
    }
    struct segment_query query = {own->l_addr, own->l_ld, (ElfW(Addr))address, 0};
    if (dl_iterate_phdr(visit_object, &query) == 0 || !query.in_code) return LH_SYMBOL_NOT_IN_CODE;
    return LH_SYMBOL_FUNCTION;
}

int lh_each_defined_symbol(void *handle, void (*each)(const char *name, void *context), void *context) {
    struct lh_dynamic_tables t;
    if (read_tables(handle, &t) != 0) return -1;
    int visited = 0;
    for (size_t i = 1; i < t.count; i++) {
        const char *name = defined_name(&t, i);
        if (name == NULL) continue;
        each(name, context);
        visited++;
    }
    return visited;
}
