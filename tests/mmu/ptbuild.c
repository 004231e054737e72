#include "ptbuild.h"

#include <stdio.h>
#include <stdlib.h>

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)
#define ADDR        0x000FFFFFFFFFF000ULL

struct pt *pt_new(void)
{
    struct pt *p = calloc(1, sizeof(*p));
    if (!p || phys_init(&p->pm, PT_RAM) < 0 || mmu_init(&p->mmu, &p->pm) < 0) {
        fprintf(stderr, "ptbuild: out of memory\n");
        abort();
    }
    p->next = PT_POOL;
    return p;
}

void pt_free(struct pt *p)
{
    mmu_destroy(&p->mmu);
    phys_destroy(&p->pm);
    free(p);
}

static uint64_t new_table(struct pt *p)
{
    if (p->next >= PT_POOL_END) {
        fprintf(stderr, "ptbuild: out of table pages\n");
        abort();
    }
    uint64_t t = p->next;
    p->next += PAGE_SIZE;
    static const uint8_t zero[PAGE_SIZE];
    phys_copy_to(&p->pm, t, zero, sizeof(zero));
    return t;
}

uint64_t pt_root(struct pt *p)
{
    return new_table(p);
}

uint64_t pt_get(struct pt *p, uint64_t entry_pa)
{
    return phys_read(&p->pm, entry_pa, 8);
}

void pt_set(struct pt *p, uint64_t entry_pa, uint64_t v)
{
    phys_write(&p->pm, entry_pa, v, 8);
}

uint64_t pt_entry(struct pt *p, uint64_t root, uint64_t lin, int level)
{
    uint64_t table = root;
    for (int l = 4; l > level; l--)
        table = pt_get(p, table + ((lin >> (12 + 9 * (l - 1))) & 511) * 8) & ADDR;
    return table + ((lin >> (12 + 9 * (level - 1))) & 511) * 8;
}

uint64_t pt_map(struct pt *p, uint64_t root, uint64_t lin, uint64_t pa, int level, uint64_t flags)
{
    uint64_t table = root;
    for (int l = 4; l > level; l--) {
        uint64_t at = table + ((lin >> (12 + 9 * (l - 1))) & 511) * 8;
        uint64_t e = pt_get(p, at);
        if (!(e & PTE_P)) {
            e = new_table(p) | TABLE_FLAGS;
            pt_set(p, at, e);
        }
        table = e & ADDR;
    }
    uint64_t at = table + ((lin >> (12 + 9 * (level - 1))) & 511) * 8;
    pt_set(p, at, pa | flags | PTE_P | (level > 1 ? PTE_PS : 0));
    return at;
}

void pt_enable(struct pt *p, uint64_t root, uint64_t cr4_extra)
{
    mmu_set_regs(&p->mmu, CR0_PE_BIT | CR0_PG | CR0_WP, root, CR4_PAE | cr4_extra,
                 EFER_LMA | LME | EFER_NXE);
}

uint64_t pt_xlate(struct pt *p, uint64_t lin, unsigned acc, uint32_t *err)
{
    uint64_t pa;
    uint32_t e = 0;
    bool ok = mmu_translate(&p->mmu, lin, acc, &pa, &e);
    if (err) *err = e;
    return ok ? pa : ~0ULL;
}

emu_tlb_stats pt_stats(struct pt *p, enum tlb_id id)
{
    emu_tlb_stats s;
    mmu_tlb_stats(&p->mmu, id, &s);
    return s;
}
