/*
 * The crash guard's table of loaded libraries, for naming an address in a crash report
 * as "libfoo.so+0x1234 (symbol+0x12)".
 *
 * dladdr() is not async-signal-safe (it takes the loader's lock, which a crash inside
 * dlopen holds), so the table is taken with dl_iterate_phdr at INIT, and the signal
 * handler only reads it and the dynamic symbol tables the loader has mapped. A library
 * loaded after the snapshot is named by its address alone.
 */
#include "crash_libraries.h"

#include "dynamic_tables.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>

extern char *program_invocation_short_name;

enum { max_libraries = 96, names_capacity = 8192 };

typedef struct {
    uintptr_t base;  /* load bias: addresses in the file are relative to it */
    uintptr_t start; /* lowest mapped address of its PT_LOAD segments */
    uintptr_t end;   /* one past the highest */
    const char *name;
    /* Its dynamic section: the symbol tables are read from it only when a crash names an
     * address (reading them all at INIT would cost every start the hash-table pages). */
    const ElfW(Dyn) *dynamic;
} library;

static library libraries[max_libraries];
static int library_count;
static int plugin_library = -1;
static char names[names_capacity];
static size_t names_used;

static const char *remember_name(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t length = strlen(name) + 1;
    if (names_used + length > names_capacity) return "?";
    char *copy = names + names_used;
    memcpy(copy, name, length);
    names_used += length;
    return copy;
}

static int add_library(struct dl_phdr_info *info, size_t size, void *unused) {
    (void)size;
    (void)unused;
    if (library_count >= max_libraries) return 1;
    library *entry = &libraries[library_count];
    memset(entry, 0, sizeof *entry);
    entry->base = info->dlpi_addr;
    entry->start = UINTPTR_MAX;
    const ElfW(Dyn) *dynamic = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_DYNAMIC) dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + segment->p_vaddr);
        if (segment->p_type != PT_LOAD) continue;
        uintptr_t low = info->dlpi_addr + segment->p_vaddr, high = low + segment->p_memsz;
        if (low < entry->start) entry->start = low;
        if (high > entry->end) entry->end = high;
    }
    if (entry->start >= entry->end) return 0;
    entry->dynamic = dynamic;
    const char *path = info->dlpi_name;
    entry->name = remember_name(path != NULL && path[0] != 0 ? path : program_invocation_short_name);
    library_count++;
    return 0;
}

void lh_guard_libraries_snapshot(const void *plugin) {
    library_count = 0;
    names_used = 0;
    dl_iterate_phdr(add_library, NULL);
    plugin_library = plugin ? lh_guard_library_of((uintptr_t)plugin) : -1;
}

int lh_guard_library_of(uintptr_t address) {
    for (int i = 0; i < library_count; i++)
        if (address >= libraries[i].start && address < libraries[i].end) return i;
    return -1;
}

int lh_guard_plugin_library(void) { return plugin_library; }

/* The exported function whose range holds `offset`, or NULL. The nearest symbol below
 * is not taken: a library's static functions are not in its dynamic symbol table, so it
 * would name the wrong function. */
static const ElfW(Sym) *symbol_at(const struct lh_dynamic_tables *tables, uintptr_t offset) {
    for (size_t i = 1; i < tables->count; i++) {
        const ElfW(Sym) *symbol = &tables->symbols[i];
        int type = ELF64_ST_TYPE(symbol->st_info);
        if (symbol->st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC)) continue;
        if (symbol->st_name >= tables->string_size) continue;
        if (offset >= symbol->st_value && offset - symbol->st_value < symbol->st_size) return symbol;
    }
    return NULL;
}

void lh_guard_name_address(lh_text *text, uintptr_t address, int return_address) {
    int index = lh_guard_library_of(address);
    if (index < 0) {
        text_hex(text, address);
        text_str(text, " (in no library loaded at INIT)");
        return;
    }
    const library *entry = &libraries[index];
    uintptr_t offset = address - entry->base;
    text_str(text, entry->name);
    text_byte(text, '+');
    text_hex(text, offset);
    /* A return address points after its call, which may be another function's start. */
    struct lh_dynamic_tables loaded;
    if (lh_dynamic_tables_read(entry->base, entry->dynamic, &loaded) != 0) return;
    const struct lh_dynamic_tables *tables = &loaded;
    const ElfW(Sym) *symbol = symbol_at(tables, return_address && offset > 0 ? offset - 1 : offset);
    if (symbol == NULL) return;
    const char *name = tables->strings + symbol->st_name;
    text_str(text, " (");
    text_bytes(text, name, strnlen(name, tables->string_size - symbol->st_name));
    text_byte(text, '+');
    text_hex(text, offset - symbol->st_value);
    text_byte(text, ')');
}
