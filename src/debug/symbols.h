/* Symbols for the debugger: function and object names from ELF symbol
 * tables (libelf) and source lines from DWARF line tables (libdw), for the
 * kernel and any extra files the user adds (add-symbol-file).
 *
 * Addresses are linear addresses as the CPU sees them. A kernel whose
 * program headers load it at a physical address other than its link address
 * (a higher-half kernel entered with paging off) is also found by its
 * physical address: such a lookup is translated through the PT_LOAD
 * segment that covers it. */
#ifndef EMU_DEBUG_SYMBOLS_H
#define EMU_DEBUG_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symtab;

/* Creates an empty table; NULL on allocation failure. */
struct symtab *symtab_new(void);
void symtab_free(struct symtab *t);

/* Adds the symbols and line tables of the ELF file in image[0..size)
 * (which need not outlive the call). Returns the number of symbols added,
 * or -1 with *why set to a short reason if the file is not usable ELF. */
int symtab_add_elf(struct symtab *t, const void *image, size_t size, const char *file_name,
                   const char **why);

/* A resolved address. */
struct sym_loc {
    const char *name; // symbol name, or NULL if no symbol covers the address
    uint64_t offset;  // address - symbol start
    const char *file; // source file (basename), or NULL without DWARF lines
    unsigned line;
};

/* Resolves addr: the nearest symbol at or below it (within its size when
 * the ELF gives one) and the source line. Returns false if neither is known. */
bool symtab_lookup(const struct symtab *t, uint64_t addr, struct sym_loc *out);

/* The address of the symbol called `name`. */
bool symtab_find(const struct symtab *t, const char *name, uint64_t *addr);

/* The i-th symbol name in table order, or NULL past the end (completion). */
const char *symtab_name_at(const struct symtab *t, size_t i);

size_t symtab_count(const struct symtab *t);

#endif
