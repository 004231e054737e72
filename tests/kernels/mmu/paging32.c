/* mmu-paging32: 32-bit paging (4 KiB and 4 MiB pages, PSE-36) and PAE
 * paging (4 KiB and 2 MiB, XD), from a 32-bit kernel in ring 0, on QEMU and
 * emu: for U/S x R/W (x XD) x CR0.WP x (SMEP and SMAP off, on) x (read,
 * write, execute, read with AC), whether the access faults, the error code,
 * CR2, and the accessed/dirty flags. Then RAM above 4 GiB through PSE-36 and
 * PAE mappings.
 *
 * Left out for QEMU 7.2's sake (tests/mmu covers them against the SDM):
 * reserved-bit faults, and PDPTE reserved bits (emu: #GP at the MOV that
 * loads them; QEMU does not check). */
#include "klib.h"

#define PTE_P    0x1u
#define PTE_W    0x2u
#define PTE_U    0x4u
#define PTE_A    0x20u
#define PTE_D    0x40u
#define PTE_PS   0x80u
#define CR0_PG   0x80000000u
#define CR0_WP   0x10000u
#define CR4_PSE  0x10u
#define CR4_PAE  0x20u
#define CR4_SMEP 0x100000u
#define CR4_SMAP 0x200000u
#define MSR_EFER 0xC0000080u
#define EFER_NXE 0x800u
#define XD       (1ULL << 63)

#define TEST_VA    0x40000000u /* 1 GiB: PDE 256 (32-bit), PDPTE 1 (PAE) */
#define OFF        0x123u
#define PA_4K_BASE 0x00800000u
#define PA_LARGE   0x01000000u /* 16 MiB, 4 MiB and 2 MiB aligned */

uint32_t probe_read(uint32_t addr);
void probe_write(uint32_t addr);
void probe_exec(uint32_t addr);
uint32_t probe_read_ac(uint32_t addr);
void pf_entry(void);
void other_entry(void);
extern volatile uint32_t pf_error, pf_cr2, pf_count;

static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32[1024] __attribute__((aligned(4096)));
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_pae[4][512] __attribute__((aligned(4096)));
static uint64_t pt_pae[512] __attribute__((aligned(4096)));
static uint64_t idt32[32] __attribute__((aligned(8)));

static void idt_setup(void)
{
    for (unsigned v = 0; v < 32; v++) {
        uint32_t h = (uint32_t)(uintptr_t)(v == 14 ? pf_entry : other_entry);
        idt32[v] = (h & 0xFFFF) | (0x08u << 16) | (0x8EULL << 40) | ((uint64_t)(h >> 16) << 48);
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } d = {sizeof(idt32) - 1, (uint32_t)(uintptr_t)idt32};
    __asm__ volatile("lidt %0" ::"m"(d));
}

/* The kernel itself: identity-mapped, supervisor, by large pages (the first
 * 16 MiB, enough for the image, the tables and the test frames). */
static void map_kernel32(void)
{
    for (uint32_t i = 0; i < 8; i++)
        pd32[i] = (i << 22) | PTE_P | PTE_W | PTE_PS;
}

static void map_kernel_pae(void)
{
    for (int i = 0; i < 4; i++)
        pdpt[i] = (uint32_t)(uintptr_t)pd_pae[i] | PTE_P;
    for (uint64_t i = 0; i < 16; i++)
        pd_pae[0][i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
}

struct layout {
    const char *name;
    int pae, large;
    void *leaf;      // the entry that maps TEST_VA
    void *upper;     // the entry above it (or NULL for a large page)
    uint32_t target; // physical address of TEST_VA + OFF
};

static uint64_t get(const struct layout *l, void *e)
{
    return l->pae ? *(uint64_t *)e : *(uint32_t *)e;
}

static void set(const struct layout *l, void *e, uint64_t v)
{
    if (l->pae)
        *(uint64_t *)e = v;
    else
        *(uint32_t *)e = (uint32_t)v;
}

static void flush(void)
{
    WRITE_CR(3, READ_CR(3));
}

static void plant(const struct layout *l)
{
    *(volatile uint8_t *)(uintptr_t)l->target = 0xC3; /* ret */
}

static const char *kind_names[] = {"rd", "wr", "ex", "rd-ac"};

static void probe(int kind)
{
    uint32_t a = TEST_VA + OFF;
    pf_count = 0;
    switch (kind) {
    case 0: probe_read(a); break;
    case 1: probe_write(a); break;
    case 2: probe_exec(a); break;
    default: probe_read_ac(a); break;
    }
}

static void one_case(const struct layout *l, unsigned bits, int wp, int prot, int kind)
{
    uint64_t leaf = (get(l, l->leaf) & ~(uint64_t)(PTE_U | PTE_W | PTE_A | PTE_D)) & ~XD;
    leaf |= ((bits & 1) ? 0 : PTE_U) | ((bits & 2) ? 0 : PTE_W) | ((bits & 4) ? XD : 0);
    set(l, l->leaf, leaf);
    if (l->upper) set(l, l->upper, get(l, l->upper) & ~(uint64_t)PTE_A);
    unsigned long cr0 = READ_CR(0), cr4 = READ_CR(4);
    WRITE_CR(0, wp ? (cr0 | CR0_WP) : (cr0 & ~CR0_WP));
    WRITE_CR(4, prot ? (cr4 | CR4_SMEP | CR4_SMAP) : (cr4 & ~(CR4_SMEP | CR4_SMAP)));
    flush();
    plant(l);
    probe(kind);
    uint64_t e = get(l, l->leaf);
    int ua = l->upper ? (get(l, l->upper) & PTE_A) != 0 : -1;
    WRITE_CR(4, cr4);
    WRITE_CR(0, cr0);
    if (pf_count)
        kprintf("%s %s%s%s wp%d prot%d %s: #PF err=%02x cr2%s", l->name, (bits & 1) ? "S" : "U",
                (bits & 2) ? "R" : "W", (bits & 4) ? "X" : "-", wp, prot, kind_names[kind],
                (unsigned)pf_error, pf_cr2 == TEST_VA + OFF ? "=addr" : "!=addr");
    else
        kprintf("%s %s%s%s wp%d prot%d %s: ok", l->name, (bits & 1) ? "S" : "U",
                (bits & 2) ? "R" : "W", (bits & 4) ? "X" : "-", wp, prot, kind_names[kind]);
    kprintf(" A=%d D=%d upperA=%d\n", (e & PTE_A) != 0, (e & PTE_D) != 0, ua);
}

static void run_layout(const struct layout *l)
{
    unsigned nbits = l->pae ? 8 : 4;
    for (unsigned bits = 0; bits < nbits; bits++)
        for (int wp = 0; wp < 2; wp++)
            for (int prot = 0; prot < 2; prot++)
                for (int kind = 0; kind < 4; kind++)
                    one_case(l, bits, wp, prot, kind);
}

static void paging32(void)
{
    map_kernel32();
    pd32[TEST_VA >> 22] = (uint32_t)(uintptr_t)pt32 | PTE_P | PTE_W | PTE_U;
    pt32[(TEST_VA >> 12) & 1023] = PA_4K_BASE | PTE_P;
    WRITE_CR(3, (uint32_t)(uintptr_t)pd32);
    WRITE_CR(4, READ_CR(4) | CR4_PSE);
    WRITE_CR(0, READ_CR(0) | CR0_PG);
    struct layout l4k = {"32/4K",         0, 0, &pt32[(TEST_VA >> 12) & 1023], &pd32[TEST_VA >> 22],
                         PA_4K_BASE + OFF};
    run_layout(&l4k);
    pd32[TEST_VA >> 22] = PA_LARGE | PTE_P | PTE_PS;
    struct layout l4m = {"32/4M", 0, 1, &pd32[TEST_VA >> 22], 0, PA_LARGE + OFF};
    run_layout(&l4m);
    /* PSE-36: a 4 MiB page at 4 GiB (PDE bits 20:13 hold PA bits 39:32). */
    pd32[(TEST_VA >> 22) + 1] = (1u << 13) | PTE_P | PTE_W | PTE_PS;
    pd32[(TEST_VA >> 22) + 2] = (1u << 13) | PTE_P | PTE_PS;
    flush();
    volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)(TEST_VA + (4u << 20) + 0x1000);
    volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)(TEST_VA + (8u << 20) + 0x1000);
    *w = 0xC0FFEE36;
    kprintf("pse-36: wrote %x, read back %x through another mapping\n", *w, *r);
    WRITE_CR(0, READ_CR(0) & ~CR0_PG);
    WRITE_CR(4, READ_CR(4) & ~CR4_PSE);
}

static void pae(void)
{
    map_kernel_pae();
    uint64_t *pde = &pd_pae[1][0]; /* TEST_VA = PDPTE 1, PDE 0 */
    *pde = (uint32_t)(uintptr_t)pt_pae | PTE_P | PTE_W | PTE_U;
    pt_pae[0] = PA_4K_BASE | PTE_P;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    WRITE_CR(3, (uint32_t)(uintptr_t)pdpt);
    WRITE_CR(4, READ_CR(4) | CR4_PAE);
    WRITE_CR(0, READ_CR(0) | CR0_PG);
    struct layout l4k = {"pae/4K", 1, 0, &pt_pae[0], pde, PA_4K_BASE + OFF};
    run_layout(&l4k);
    *pde = PA_LARGE | PTE_P | PTE_PS;
    struct layout l2m = {"pae/2M", 1, 1, pde, 0, PA_LARGE + OFF};
    run_layout(&l2m);
    /* RAM above 4 GiB through a 2 MiB page: what PSE-36 wrote is there. */
    pd_pae[1][1] = 0x100000000ULL | PTE_P | PTE_PS;
    flush();
    kprintf("pae: read %x at 4 GiB + 4 KiB\n",
            *(volatile uint32_t *)(uintptr_t)(TEST_VA + (2u << 20) + 0x1000));
    WRITE_CR(0, READ_CR(0) & ~CR0_PG);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    idt_setup();
    paging32();
    pae();
    return 0;
}
