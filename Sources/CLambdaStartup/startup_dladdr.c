// The Swift runtime's static initialisers (Backtrace.cpp) ask dladdr() where the runtime
// is, to find its swift-backtrace helper. glibc's dladdr() also looks for the nearest
// symbol, a linear walk of the object's dynamic symbols: in this binary, which exports the
// whole Swift runtime (14,500 symbols; 16,000 when measured), that walk was 527,000 instructions, 40% of a C
// plugin's start, and it paged in the symbol table (0.9 MB of RSS). Every reference to
// dladdr inside this binary binds to the hidden definition below, which until main calls
// lh_startup_finished() answers what the runtime uses: the object that holds the address
// and its base, found with dl_iterate_phdr, with no symbol (dli_sname NULL, as glibc gives
// for an address no symbol covers). From then on it is glibc's dladdr1, which returns the
// same as dladdr: crash reports and fatal-error backtraces keep their symbol names.
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>

#include "lambda_startup.h"

static int started;

void lh_startup_finished(void) { started = 1; }

struct lh_containing_object {
    uintptr_t address;
    const char *name;
    void *base;
};

static int lh_find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct lh_containing_object *found = data;
    for (ElfW(Half) index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + header->p_vaddr;
        if (found->address >= start && found->address - start < header->p_memsz) {
            // glibc names the main program by argv[0], as here.
            found->name = info->dlpi_name[0] != '\0' ? info->dlpi_name : program_invocation_name;
            found->base = (void *)info->dlpi_addr;
            return 1;
        }
    }
    return 0;
}

__attribute__((visibility("hidden"))) int dladdr(const void *address, Dl_info *info) {
    if (started) {
        void *extra = NULL;
        return dladdr1(address, info, &extra, RTLD_DL_SYMENT);
    }
    struct lh_containing_object found = {(uintptr_t)address, NULL, NULL};
    if (dl_iterate_phdr(lh_find_object, &found) == 0 || found.name == NULL) return 0;
    info->dli_fname = found.name;
    info->dli_fbase = found.base;
    info->dli_sname = NULL;
    info->dli_saddr = NULL;
    return 1;
}
