/* ELF symbols (libelf) and DWARF line tables (libdw) -- see symbols.h. */
#include "symbols.h"

#ifdef EMU_HAVE_LIBDW
#include <elfutils/libdw.h>
#endif
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALIASES 16

struct sym {
    uint64_t addr;
    uint64_t size; // 0: unknown (assembly labels)
    uint32_t name; // offset in the string pool
    uint8_t rank;  // preference among symbols at one address (higher wins)
};

struct line {
    uint64_t addr;
    uint32_t file; // offset in the string pool
    uint32_t line; // 0: end of a sequence
};

/* A PT_LOAD segment linked at vaddr and loaded at paddr. */
struct alias {
    uint64_t paddr, vaddr, size;
};

struct symtab {
    struct sym *syms;
    size_t nsyms, cap_syms;
    struct line *lines;
    size_t nlines, cap_lines;
    char *pool;
    size_t pool_len, pool_cap;
    struct alias aliases[MAX_ALIASES];
    int naliases;
};

struct symtab *symtab_new(void)
{
    return calloc(1, sizeof(struct symtab));
}

void symtab_free(struct symtab *t)
{
    if (!t) return;
    free(t->syms);
    free(t->lines);
    free(t->pool);
    free(t);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap * 2 : 256;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

/* Interns s in the pool; returns its offset, or UINT32_MAX when out of memory. */
static uint32_t intern(struct symtab *t, const char *s)
{
    size_t n = strlen(s) + 1;
    if (t->pool_len + n > UINT32_MAX || !grow((void **)&t->pool, &t->pool_cap, t->pool_len + n, 1))
        return UINT32_MAX;
    memcpy(t->pool + t->pool_len, s, n);
    t->pool_len += n;
    return (uint32_t)(t->pool_len - n);
}

static uint8_t sym_rank(const GElf_Sym *s)
{
    uint8_t r = GELF_ST_BIND(s->st_info) == STB_GLOBAL ? 4 : 0;
    unsigned type = GELF_ST_TYPE(s->st_info);
    if (type == STT_FUNC)
        r += 2;
    else if (type == STT_OBJECT)
        r += 1;
    return r;
}

static bool wanted(const GElf_Sym *s, const char *name)
{
    unsigned type = GELF_ST_TYPE(s->st_info);
    if (!name || !*name || s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS) return false;
    if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) return false;
    return strncmp(name, ".L", 2) != 0 && strcmp(name, "$x") != 0;
}

static int add_symbols(struct symtab *t, Elf *elf)
{
    int added = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0) continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = data ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(data, (int)i, &s)) break;
            const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
            if (!wanted(&s, name)) continue;
            uint32_t off = intern(t, name);
            if (off == UINT32_MAX ||
                !grow((void **)&t->syms, &t->cap_syms, t->nsyms + 1, sizeof(struct sym)))
                return -1;
            t->syms[t->nsyms++] = (struct sym){s.st_value, s.st_size, off, sym_rank(&s)};
            added++;
        }
    }
    return added;
}

static void add_aliases(struct symtab *t, Elf *elf)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0) return;
    for (size_t i = 0; i < n && t->naliases < MAX_ALIASES; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_paddr == ph.p_vaddr)
            continue;
        t->aliases[t->naliases++] = (struct alias){ph.p_paddr, ph.p_vaddr, ph.p_memsz};
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

#ifdef EMU_HAVE_LIBDW
/* Appends one CU's line table. */
static int add_cu_lines(struct symtab *t, Dwarf_Die *cu)
{
    Dwarf_Lines *lines;
    size_t n;
    if (dwarf_getsrclines(cu, &lines, &n) != 0) return 0;
    uint32_t last_file = UINT32_MAX;
    const char *last_src = NULL;
    for (size_t i = 0; i < n; i++) {
        Dwarf_Line *l = dwarf_onesrcline(lines, i);
        Dwarf_Addr addr;
        int lineno = 0;
        bool end = false;
        if (!l || dwarf_lineaddr(l, &addr) != 0) continue;
        dwarf_lineno(l, &lineno);
        dwarf_lineendsequence(l, &end);
        const char *src = dwarf_linesrc(l, NULL, NULL);
        if (!src) continue;
        if (src != last_src) {
            last_file = intern(t, base_name(src));
            last_src = src;
        }
        if (last_file == UINT32_MAX ||
            !grow((void **)&t->lines, &t->cap_lines, t->nlines + 1, sizeof(struct line)))
            return -1;
        t->lines[t->nlines++] = (struct line){addr, last_file, end ? 0 : (uint32_t)lineno};
    }
    return 0;
}

static int add_lines(struct symtab *t, Elf *elf)
{
    Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
    if (!dw) return 0; /* no DWARF: symbols only */
    Dwarf_Off off = 0, next;
    size_t hsize;
    int rc = 0;
    while (rc == 0 && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        if (dwarf_offdie(dw, off + hsize, &cu)) rc = add_cu_lines(t, &cu);
        off = next;
    }
    dwarf_end(dw);
    return rc;
}
#else
static int add_lines(struct symtab *t, Elf *elf)
{
    (void)t;
    (void)elf;
    return 0; /* built without libdw: symbols only */
}
#endif

static int cmp_sym(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1; /* the preferred name last: floor_sym finds it */
    return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_line(const void *a, const void *b)
{
    const struct line *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    /* at one address, a sequence end comes before the next sequence's start */
    return (x->line != 0) - (y->line != 0);
}

/* Sorts both tables by address. */
static void sort_tables(struct symtab *t)
{
    if (t->nsyms) qsort(t->syms, t->nsyms, sizeof(*t->syms), cmp_sym);
    if (t->nlines) qsort(t->lines, t->nlines, sizeof(*t->lines), cmp_line);
}

int symtab_add_elf(struct symtab *t, const void *image, size_t size, const char *file_name,
                   const char **why)
{
    (void)file_name;
    elf_version(EV_CURRENT);
    char *copy = malloc(size ? size : 1);
    if (!copy) {
        *why = "out of memory";
        return -1;
    }
    memcpy(copy, image, size);
    Elf *elf = elf_memory(copy, size);
    int added = -1;
    *why = "not an ELF file";
    if (elf && elf_kind(elf) == ELF_K_ELF) {
        added = add_symbols(t, elf);
        add_aliases(t, elf);
        if (added < 0 || add_lines(t, elf) < 0) {
            *why = "out of memory";
            added = -1;
        }
    }
    if (elf) elf_end(elf);
    free(copy);
    sort_tables(t);
    return added;
}

/* ---- lookups ----------------------------------------------------------------- */

/* Index of the last symbol / line with addr <= x (tables sorted by addr), or -1. */
static long floor_sym(const struct symtab *t, uint64_t x)
{
    size_t lo = 0, hi = t->nsyms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].addr <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

static long floor_line(const struct symtab *t, uint64_t x)
{
    size_t lo = 0, hi = t->nlines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->lines[mid].addr <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

#define MAX_UNSIZED_SPAN 0x10000 /* how far past an assembly label we still name it */

static bool lookup_direct(const struct symtab *t, uint64_t addr, struct sym_loc *out)
{
    *out = (struct sym_loc){0};
    long i = floor_sym(t, addr);
    if (i >= 0) {
        const struct sym *s = &t->syms[i];
        uint64_t off = addr - s->addr;
        if (s->size ? off < s->size : off < MAX_UNSIZED_SPAN) {
            out->name = t->pool + s->name;
            out->offset = off;
        }
    }
    long j = floor_line(t, addr);
    if (j >= 0 && t->lines[j].line != 0) {
        out->file = t->pool + t->lines[j].file;
        out->line = t->lines[j].line;
    }
    return out->name || out->file;
}

bool symtab_lookup(const struct symtab *t, uint64_t addr, struct sym_loc *out)
{
    if (!t) {
        *out = (struct sym_loc){0};
        return false;
    }
    if (lookup_direct(t, addr, out)) return true;
    for (int i = 0; i < t->naliases; i++) {
        const struct alias *a = &t->aliases[i];
        if (addr >= a->paddr && addr - a->paddr < a->size)
            return lookup_direct(t, a->vaddr + (addr - a->paddr), out);
    }
    return false;
}

bool symtab_find(const struct symtab *t, const char *name, uint64_t *addr)
{
    if (!t) return false;
    const struct sym *best = NULL;
    for (size_t i = 0; i < t->nsyms; i++)
        if (!strcmp(t->pool + t->syms[i].name, name) && (!best || t->syms[i].rank > best->rank))
            best = &t->syms[i];
    if (best) *addr = best->addr;
    return best != NULL;
}

const char *symtab_name_at(const struct symtab *t, size_t i)
{
    return t && i < t->nsyms ? t->pool + t->syms[i].name : NULL;
}

size_t symtab_count(const struct symtab *t)
{
    return t ? t->nsyms : 0;
}
