/* What emu trace learns from the kernel's ELF file (read with libelf): the
 * guest note (include/emu/guest_note.h) and the symbol table, for
 * "symbol+offset" in instruction traces. */
#ifndef EMU_TRACE_ELFINFO_H
#define EMU_TRACE_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/emu/guest_note.h"
#include "sbuf.h"

struct elf_symbol {
    uint64_t addr;
    uint64_t size; // 0: unknown (extends to the next symbol)
    char *name;
};

#define ELFINFO_MAX_ALIASES 8

/* A PT_LOAD segment linked at vaddr but loaded at paddr: code that runs
 * before paging maps it there (a higher-half kernel's entry) has its
 * symbols at vaddr + (rip - paddr). */
struct elf_alias {
    uint64_t paddr, vaddr, size;
};

struct elfinfo {
    bool has_note;
    struct emu_guest_note note;
    struct elf_symbol *syms; // sorted by address
    size_t nsyms;
    bool elf32; // addresses in the file are 32 bits wide
    struct elf_alias aliases[ELFINFO_MAX_ALIASES];
    unsigned naliases;
};

/* Reads the note and symbols from an ELF image in memory. A file that is
 * not ELF (an a.out-kludge kernel) or has neither gives an empty result;
 * returns false only when out of memory. */
bool elfinfo_load(struct elfinfo *ei, const void *image, size_t size);
void elfinfo_free(struct elfinfo *ei);

/* Appends "name+0x1f" (or "name") for the symbol containing addr -- or,
 * when none does and addr lies where a segment was loaded (paddr), the
 * symbol at the address it was linked for; returns false (appending
 * nothing) when no symbol does. */
bool elfinfo_symbolize(const struct elfinfo *ei, struct sbuf *b, uint64_t addr);

#endif
