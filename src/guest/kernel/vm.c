/* Page tables. */
#include "vm.h"

#include "bootinfo.h"
#include "errno.h"
#include "memlayout.h"
#include "mmu.h"
#include "page.h"
#include "printk.h"
#include "str.h"
#include "x86.h"

#define PML4_INDEX(va)    (((va) >> 39) & 0x1FF)
#define PDPT_INDEX(va)    (((va) >> 30) & 0x1FF)
#define PD_INDEX(va)      (((va) >> 21) & 0x1FF)
#define PT_INDEX(va)      (((va) >> 12) & 0x1FF)
#define CPUID_1_ECX_PCID  (1 << 17)
#define CPUID_1_EDX_PGE   (1 << 13)
#define CPUID_EXT1_EDX_NX (1 << 20)
#define KERNEL_IMAGE_MAP  (1ULL << 30) /* map 1 GiB at KERNBASE */

struct cpu_features cpu_has;
u64 kernel_cr3;
static pte_t *kernel_pml4;
static u64 kernel_global; /* PTE_G when the CPU has global pages */
static u64 kernel_nx;     /* PTE_NX when the CPU has execute-disable */

void cpu_features_init(void)
{
    u32 r[4];
    cpuid(1, 0, r);
    cpu_has.pcid = r[2] & CPUID_1_ECX_PCID;
    cpu_has.pge = r[3] & CPUID_1_EDX_PGE;
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        cpu_has.nx = r[3] & CPUID_EXT1_EDX_NX;
    }
    if (cpu_has.nx) {
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
        kernel_nx = PTE_NX;
    }
    if (cpu_has.pge) {
        write_cr4(read_cr4() | CR4_PGE);
        kernel_global = PTE_G;
    }
    printk("CPU features: pcid %s, nx %s, pge %s\n", cpu_has.pcid ? "yes" : "no",
           cpu_has.nx ? "yes" : "no", cpu_has.pge ? "yes" : "no");
}

/* The next-level table under *e, allocated when `alloc` and missing. */
static pte_t *next_table(pte_t *e, bool alloc, u64 flags)
{
    if (!(*e & PTE_P)) {
        void *t = alloc ? page_alloc_zeroed() : NULL;
        if (!t) return NULL;
        *e = v2p(t) | flags;
    }
    return p2v(*e & PTE_ADDR_MASK);
}

pte_t *vm_walk(pte_t *pml4, u64 va, bool alloc)
{
    u64 table_flags = PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
    pte_t *pdpt = next_table(&pml4[PML4_INDEX(va)], alloc, table_flags);
    pte_t *pd = pdpt ? next_table(&pdpt[PDPT_INDEX(va)], alloc, table_flags) : NULL;
    if (!pd || (pd[PD_INDEX(va)] & PTE_PS)) return NULL;
    pte_t *pt = next_table(&pd[PD_INDEX(va)], alloc, table_flags);
    return pt ? &pt[PT_INDEX(va)] : NULL;
}

int vm_map(pte_t *pml4, u64 va, u64 pa, u64 flags)
{
    pte_t *pte = vm_walk(pml4, va, true);
    if (!pte) return -ENOMEM;
    *pte = pa | flags | PTE_P;
    return 0;
}

/* Maps physical [start, end) at DIRECT_MAP with 2 MiB pages. */
static void map_direct(u64 start, u64 end)
{
    for (u64 pa = ALIGN_DOWN(start, HUGE_PAGE_SIZE); pa < end; pa += HUGE_PAGE_SIZE) {
        u64 va = DIRECT_MAP + pa;
        pte_t *pdpt = next_table(&kernel_pml4[PML4_INDEX(va)], true, PTE_P | PTE_W);
        pte_t *pd = pdpt ? next_table(&pdpt[PDPT_INDEX(va)], true, PTE_P | PTE_W) : NULL;
        if (!pd) panic("vm_init: out of memory for the direct map");
        pd[PD_INDEX(va)] = pa | PTE_P | PTE_W | PTE_PS | kernel_global | kernel_nx;
    }
}

/* Maps the kernel image's gigabyte at KERNBASE with 2 MiB pages. */
static void map_image(void)
{
    for (u64 off = 0; off < KERNEL_IMAGE_MAP; off += HUGE_PAGE_SIZE) {
        u64 va = KERNBASE + off;
        pte_t *pdpt = next_table(&kernel_pml4[PML4_INDEX(va)], true, PTE_P | PTE_W);
        pte_t *pd = pdpt ? next_table(&pdpt[PDPT_INDEX(va)], true, PTE_P | PTE_W) : NULL;
        if (!pd) panic("vm_init: out of memory for the kernel map");
        pd[PD_INDEX(va)] = off | PTE_P | PTE_W | PTE_PS | kernel_global;
    }
}

/* The kernel's PML4 entries are all made here, at boot (the direct map and
 * the image; ioremap adds below the direct map's entry): address spaces
 * created later share them by copying the PML4's upper half once. */
void vm_init(const struct boot_info *bi)
{
    kernel_pml4 = page_alloc_zeroed();
    if (!kernel_pml4) panic("vm_init: no memory for the kernel PML4");
    u64 top = 0;
    for (int i = 0; i < bi->nram; i++) {
        map_direct(bi->ram[i].base, bi->ram[i].end);
        top = MAX(top, bi->ram[i].end);
    }
    map_image();
    kernel_cr3 = v2p(kernel_pml4);
    write_cr3(kernel_cr3);
    printk("vm: RAM up to %lu MiB mapped at %#lx, kernel image at %#lx\n", top >> 20,
           (u64)DIRECT_MAP, (u64)KERNBASE);
}

/* Whether the direct map already covers va with a 2 MiB page. */
static bool in_huge_page(u64 va)
{
    pte_t *pdpt = next_table(&kernel_pml4[PML4_INDEX(va)], false, 0);
    pte_t *pd = pdpt ? next_table(&pdpt[PDPT_INDEX(va)], false, 0) : NULL;
    return pd && (pd[PD_INDEX(va)] & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS);
}

void *ioremap(u64 pa, u64 size)
{
    u64 start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + size, PAGE_SIZE);
    for (u64 p = start; p < end; p += PAGE_SIZE) {
        u64 va = DIRECT_MAP + p;
        if (in_huge_page(va))
            continue; /* legacy memory next to low RAM (VGA): the MTRRs make it uncached */
        pte_t *pte = vm_walk(kernel_pml4, va, true);
        if (!pte) panic("ioremap: cannot map %#lx", p);
        *pte = p | PTE_P | PTE_W | PTE_PCD | PTE_PWT | kernel_global | kernel_nx;
        invlpg(va);
    }
    return p2v(pa);
}

pte_t *vm_create(void)
{
    pte_t *pml4 = page_alloc_zeroed();
    if (pml4)
        for (int i = KERNEL_PML4_FIRST; i < PT_ENTRIES; i++)
            pml4[i] = kernel_pml4[i];
    return pml4;
}

/* Frees a user table at `level` (4 = PML4 ... 1 = PT) and what it maps. */
static void free_level(pte_t *table, int level, int first, int last)
{
    for (int i = first; i < last; i++) {
        if (!(table[i] & PTE_P)) continue;
        u64 pa = table[i] & PTE_ADDR_MASK;
        if (level == 1)
            page_put(pa);
        else
            free_level(p2v(pa), level - 1, 0, PT_ENTRIES);
        table[i] = 0;
    }
    if (level < 4) free_pages(virt_to_page(table), 0);
}

void vm_destroy(pte_t *pml4)
{
    free_level(pml4, 4, 0, KERNEL_PML4_FIRST);
    free_pages(virt_to_page(pml4), 0);
}

/* Copies entries [first, last) of a user table at `level` for fork. */
static int copy_level(pte_t *dst, pte_t *src, int level, int first, int last)
{
    for (int i = first; i < last; i++) {
        if (!(src[i] & PTE_P)) continue;
        if (level == 1) {
            if (src[i] & (PTE_W | PTE_COW)) src[i] = (src[i] & ~(u64)PTE_W) | PTE_COW;
            page_get(src[i] & PTE_ADDR_MASK);
            dst[i] = src[i];
            continue;
        }
        pte_t *child = next_table(&dst[i], true, src[i] & (PTE_P | PTE_W | PTE_U));
        if (!child || copy_level(child, p2v(src[i] & PTE_ADDR_MASK), level - 1, 0, PT_ENTRIES))
            return -ENOMEM;
    }
    return 0;
}

int vm_copy_cow(pte_t *dst, pte_t *src)
{
    return copy_level(dst, src, 4, 0, KERNEL_PML4_FIRST);
}
