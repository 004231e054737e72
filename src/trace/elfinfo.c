/* libelf reading for elfinfo.h. The image stays the caller's; names are
 * copied. Multiboot kernels are often ELF32 files carrying 64-bit code
 * linked high: their 32-bit symbol values are the low halves of
 * sign-extended addresses (0x80100000 for 0xffffffff80100000). */
#include "elfinfo.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_ALIGN 4
#define HIGH_HALF  0xFFFFFFFF00000000ULL

static bool note_valid(const struct emu_guest_note *n)
{
    return n->version == EMU_GUEST_NOTE_VERSION && n->ncpus >= 1 &&
           (n->comm_offset == EMU_GUEST_NOTE_NONE || n->comm_size <= EMU_GUEST_NOTE_COMM_MAX);
}

/* Looks through one note section's data for the emu note. */
static void scan_notes(struct elfinfo *ei, Elf_Data *d)
{
    size_t off = 0;
    GElf_Nhdr nh;
    size_t name_off, desc_off;
    while (d && off < d->d_size && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
        const char *name = (const char *)d->d_buf + name_off;
        if (nh.n_type == EMU_GUEST_NOTE_TYPE && nh.n_namesz == sizeof(EMU_GUEST_NOTE_NAME) &&
            !memcmp(name, EMU_GUEST_NOTE_NAME, sizeof(EMU_GUEST_NOTE_NAME)) &&
            nh.n_descsz >= sizeof(struct emu_guest_note)) {
            struct emu_guest_note n;
            memcpy(&n, (const char *)d->d_buf + desc_off, sizeof(n));
            if (note_valid(&n)) {
                ei->note = n;
                ei->has_note = true;
            }
        }
    }
}

static int cmp_sym(const void *a, const void *b)
{
    const struct elf_symbol *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name); /* a stable order among aliases */
}

static bool wanted(const GElf_Sym *s)
{
    int type = GELF_ST_TYPE(s->st_info);
    return s->st_shndx != SHN_UNDEF && s->st_shndx != SHN_ABS && s->st_value != 0 &&
           (type == STT_FUNC || type == STT_NOTYPE || type == STT_OBJECT);
}

static bool read_symbols(struct elfinfo *ei, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0) return true;
    size_t n = sh->sh_size / sh->sh_entsize;
    struct elf_symbol *syms = realloc(ei->syms, (ei->nsyms + n) * sizeof(*syms));
    if (!syms && n) return false;
    ei->syms = syms;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        const char *name;
        if (!gelf_getsym(d, (int)i, &s) || !wanted(&s) ||
            !(name = elf_strptr(e, sh->sh_link, s.st_name)) || !*name)
            continue;
        char *copy = strdup(name);
        if (!copy) return false;
        ei->syms[ei->nsyms++] = (struct elf_symbol){s.st_value, s.st_size, copy};
    }
    return true;
}

static bool walk_sections(struct elfinfo *ei, Elf *e)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        if (sh.sh_type == SHT_NOTE && !ei->has_note)
            scan_notes(ei, elf_getdata(scn, NULL));
        else if (sh.sh_type == SHT_SYMTAB && !read_symbols(ei, e, scn, &sh))
            return false;
    }
    return true;
}

/* The PT_LOAD segments loaded elsewhere than they are linked for. */
static void read_aliases(struct elfinfo *ei, Elf *e)
{
    size_t n;
    if (elf_getphdrnum(e, &n) != 0) return;
    for (size_t i = 0; i < n && ei->naliases < ELFINFO_MAX_ALIASES; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_paddr == ph.p_vaddr ||
            ph.p_memsz == 0)
            continue;
        ei->aliases[ei->naliases++] = (struct elf_alias){ph.p_paddr, ph.p_vaddr, ph.p_memsz};
    }
}

bool elfinfo_load(struct elfinfo *ei, const void *image, size_t size)
{
    memset(ei, 0, sizeof(*ei));
    if (elf_version(EV_CURRENT) == EV_NONE) return true;
    Elf *e = elf_memory((char *)(uintptr_t)image, size);
    if (!e) return true;
    bool ok = true;
    if (elf_kind(e) == ELF_K_ELF) {
        ei->elf32 = gelf_getclass(e) == ELFCLASS32;
        ok = walk_sections(ei, e);
        read_aliases(ei, e);
        if (ei->nsyms) qsort(ei->syms, ei->nsyms, sizeof(*ei->syms), cmp_sym);
    }
    elf_end(e);
    return ok;
}

void elfinfo_free(struct elfinfo *ei)
{
    for (size_t i = 0; i < ei->nsyms; i++)
        free(ei->syms[i].name);
    free(ei->syms);
    memset(ei, 0, sizeof(*ei));
}

/* The last symbol at or below addr, or NULL. */
static const struct elf_symbol *floor_sym(const struct elfinfo *ei, uint64_t addr)
{
    size_t lo = 0, hi = ei->nsyms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ei->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &ei->syms[lo - 1] : NULL;
}

/* Prefers a sized symbol that contains addr among aliases at the same
 * address; an unsized one covers up to the next symbol. */
static const struct elf_symbol *containing(const struct elfinfo *ei, uint64_t addr)
{
    const struct elf_symbol *s = floor_sym(ei, addr);
    if (!s) return NULL;
    const struct elf_symbol *first = s;
    while (first > ei->syms && first[-1].addr == s->addr)
        first--;
    for (const struct elf_symbol *p = first; p <= s; p++)
        if (p->size && addr < p->addr + p->size) return p;
    for (const struct elf_symbol *p = first; p <= s; p++)
        if (!p->size) return p;
    return NULL;
}

/* addr as linked, when it lies in a segment loaded elsewhere; else addr. */
static uint64_t linked_address(const struct elfinfo *ei, uint64_t addr)
{
    for (unsigned i = 0; i < ei->naliases; i++) {
        const struct elf_alias *a = &ei->aliases[i];
        if (addr >= a->paddr && addr - a->paddr < a->size) return a->vaddr + (addr - a->paddr);
    }
    return addr;
}

bool elfinfo_symbolize(const struct elfinfo *ei, struct sbuf *b, uint64_t addr)
{
    if (ei->elf32 && (addr & HIGH_HALF) == HIGH_HALF) addr &= ~HIGH_HALF;
    const struct elf_symbol *s = containing(ei, addr);
    if (!s) {
        addr = linked_address(ei, addr);
        s = containing(ei, addr);
    }
    if (!s) return false;
    sb_puts(b, s->name);
    if (addr != s->addr) {
        sb_putc(b, '+');
        sb_hex(b, addr - s->addr);
    }
    return true;
}
