/* mmu-tlb: what the SDM makes visible about the TLB and its invalidation,
 * on QEMU and emu: a new mapping after INVLPG, after a CR3 load, after a
 * PGE toggle, under PCIDs; a not-present entry is never cached;
 * PCIDs keep address spaces apart; accessed and dirty flags; SMEP, SMAP
 * and STAC/CLAC; canonical addresses; a write across a page boundary.
 *
 * Only architecturally defined outcomes are printed: never whether a stale
 * translation is still in use (QEMU flushes its whole TLB on every CR3 write
 * and may drop entries any time; tests/mmu/test_tlb.c covers staleness
 * against the SDM). Left out where QEMU 7.2 departs from the SDM: a
 * non-canonical stack access (QEMU: #GP, SDM: #SS). */
#include "mmulib.h"

#define V  (TEST_FREE + 0x5000)
#define VG (TEST_FREE + 0x6000)

static __attribute__((aligned(4096))) uint8_t frames[6][4096];
static __attribute__((aligned(4096))) uint64_t pml4b[512];

static uint64_t frame(int i)
{
    return (uint64_t)(uintptr_t)frames[i];
}

static uint64_t rd(uint64_t lin)
{
    return *(volatile uint64_t *)(uintptr_t)lin;
}

static void retarget(uint64_t *pte, int i)
{
    *pte = (*pte & ~PTE_ADDR) | frame(i);
}

static void probe_line(const char *name, enum mp_kind kind, uint64_t lin, int user)
{
    struct mp_result r;
    char what[48];
    mp_probe(kind, lin, user, &r);
    mp_describe(&r, lin, what, sizeof(what));
    if (r.vector < 0 && (kind == MP_READ || kind == MP_READ_AC))
        kprintf("%s: ok value=%lx\n", name, r.value);
    else
        kprintf("%s: %s\n", name, what);
}

static void invalidation(void)
{
    uint64_t *pte = mp_map(mp_pml4, V, frame(0), 1, PTE_W);
    rd(V);
    retarget(pte, 1);
    invlpg((void *)(uintptr_t)V);
    kprintf("after invlpg: %lx\n", rd(V));
    retarget(pte, 2);
    mp_flush_all();
    kprintf("after cr3 load: %lx\n", rd(V));

    uint64_t *g = mp_map(mp_pml4, VG, frame(0), 1, PTE_W | PTE_G);
    WRITE_CR(4, READ_CR(4) | CR4_PGE);
    rd(VG);
    retarget(g, 3);
    WRITE_CR(4, READ_CR(4) & ~CR4_PGE);
    kprintf("global after pge toggle: %lx\n", rd(VG));
    WRITE_CR(4, READ_CR(4) | CR4_PGE);
    invlpg((void *)(uintptr_t)VG);
    kprintf("global after invlpg: %lx\n", rd(VG));
    WRITE_CR(4, READ_CR(4) & ~CR4_PGE);

    *pte &= ~PTE_P;
    invlpg((void *)(uintptr_t)V);
    probe_line("not present", MP_READ, V, 0);
    *pte |= PTE_P; /* no INVLPG: not-present entries are never cached */
    probe_line("made present", MP_READ, V, 0);
}

static void accessed_dirty(void)
{
    uint64_t *pte = mp_map(mp_pml4, V, frame(4), 1, PTE_W);
    mp_flush_all();
    kprintf("fresh: A=%d D=%d\n", !!(*pte & PTE_A), !!(*pte & PTE_D));
    rd(V);
    kprintf("after read: A=%d D=%d\n", !!(*pte & PTE_A), !!(*pte & PTE_D));
    *(volatile uint64_t *)(uintptr_t)V = 1;
    kprintf("after write: A=%d D=%d\n", !!(*pte & PTE_A), !!(*pte & PTE_D));
    *pte &= ~(PTE_A | PTE_D);
    invlpg((void *)(uintptr_t)V);
    *(volatile uint64_t *)(uintptr_t)V = 2;
    kprintf("write after invlpg: A=%d D=%d\n", !!(*pte & PTE_A), !!(*pte & PTE_D));
    *pte &= ~PTE_W;
    invlpg((void *)(uintptr_t)V);
    probe_line("write read-only", MP_WRITE, V, 0);
    *pte |= PTE_W;
    invlpg((void *)(uintptr_t)V);
    probe_line("write after upgrade+invlpg", MP_WRITE, V, 0);
}

static void write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

/* PCIDs 1 and 2 name two address spaces in which V maps to different
 * frames. Left out for QEMU 7.2's sake (tested against the SDM in
 * tests/mmu/test_tlb.c and test_cpu_paging.c instead): the no-flush bit of
 * MOV to CR3 (QEMU does not honour it: with bit 63 set under CR4.PCIDE it
 * goes astray), and INVPCID (QEMU's TCG raises #UD). */
static void pcids(void)
{
    uint64_t *pte = mp_map(mp_pml4, V, frame(0), 1, PTE_W);
    pml4b[0] = mp_pml4[0];
    mp_map(pml4b, V, frame(5), 1, PTE_W);
    uint64_t a = (uint64_t)(uintptr_t)mp_pml4, b = (uint64_t)(uintptr_t)pml4b;
    write_cr3(a);
    WRITE_CR(4, READ_CR(4) | CR4_PCIDE);
    write_cr3(a | 1);
    kprintf("pcid 1: %lx\n", rd(V));
    write_cr3(b | 2);
    kprintf("pcid 2: %lx\n", rd(V));
    write_cr3(a | 1);
    rd(V);
    retarget(pte, 1);
    invlpg((void *)(uintptr_t)V);
    kprintf("pcid 1 after invlpg: %lx\n", rd(V));
    retarget(pte, 2);
    write_cr3(b | 2);
    kprintf("pcid 2 again: %lx\n", rd(V));
    write_cr3(a | 1);
    kprintf("pcid 1 after its cr3 load: %lx\n", rd(V));
    write_cr3(a | 1);
    WRITE_CR(4, READ_CR(4) & ~CR4_PCIDE);
    write_cr3(a);
}

static void smep_smap(void)
{
    mp_map(mp_pml4, V, frame(0), 1, PTE_W | PTE_U);
    mp_flush_all();
    mp_plant(frame(0) + 0x40);
    WRITE_CR(4, READ_CR(4) | CR4_SMEP);
    probe_line("smep: supervisor fetch from user page", MP_EXEC, V + 0x40, 0);
    probe_line("smep: user fetch from user page", MP_EXEC, V + 0x40, 1);
    WRITE_CR(4, READ_CR(4) & ~CR4_SMEP);
    WRITE_CR(4, READ_CR(4) | CR4_SMAP);
    probe_line("smap: supervisor read, AC=0", MP_READ, V, 0);
    probe_line("smap: supervisor read, AC=1", MP_READ_AC, V, 0);
    probe_line("smap: supervisor write, AC=0", MP_WRITE, V, 0);
    probe_line("smap: supervisor write, AC=1", MP_WRITE_AC, V, 0);
    probe_line("smap: user read", MP_READ, V, 1);
    probe_line("stac in ring 3", MP_READ_AC, V, 1);
    WRITE_CR(4, READ_CR(4) & ~CR4_SMAP);
}

static void canonical(void)
{
    /* The last page below the canonical hole, mapped, so that a read that
     * runs past it is refused for the address, not for a missing page. */
    mp_map(mp_pml4, 0x00007FFFFFFFF000ULL, frame(0), 1, PTE_W);
    mp_flush_all();
    probe_line("non-canonical read", MP_READ, 0x0000800000000000ULL, 0);
    probe_line("read across the canonical boundary", MP_READ, 0x00007FFFFFFFFFFCULL, 0);
    probe_line("last canonical qword", MP_READ, 0x00007FFFFFFFFFF8ULL, 0);
}

static void page_crossing(void)
{
    mp_map(mp_pml4, V, frame(2), 1, PTE_W | PTE_U);
    mp_map(mp_pml4, V + 4096, frame(3), 1, PTE_U);
    mp_flush_all();
    *(volatile uint64_t *)(uintptr_t)(frame(2) + 4088) = 0x1111111111111111ULL;
    probe_line("write across into a read-only page", MP_WRITE, V + 4092, 0);
    kprintf("first page after it: %lx\n", *(volatile uint64_t *)(uintptr_t)(frame(2) + 4088));
    uint64_t *second = mp_entry(mp_pml4, V + 4096, 1);
    *second &= ~PTE_P;
    mp_flush_all();
    probe_line("read across into a missing page", MP_READ, V + 4092, 0);
    /* int $0x81 with its second byte on the missing page: the fetch faults
     * for the second page, and nothing of the instruction runs. */
    *(volatile uint8_t *)(uintptr_t)(frame(2) + 4095) = 0xCD;
    probe_line("instruction across into a missing page", MP_EXEC, V + 4095, 0);
    probe_line("the same from ring 3", MP_EXEC, V + 4095, 1);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    mp_init();
    for (int i = 0; i < 6; i++)
        for (int k = 0; k < 4096; k += 8)
            *(uint64_t *)&frames[i][k] = 0xF0000000ULL + (uint64_t)i * 0x1111 + (uint64_t)k;
    invalidation();
    accessed_dirty();
    pcids();
    smep_smap();
    canonical();
    page_crossing();
    return 0;
}
