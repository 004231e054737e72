/* mmu-fault: page faults in the middle of instructions and of event
 * delivery, on QEMU and emu -- what a kernel that builds its own page
 * tables runs into: REP STOS/MOVS stopping at a missing page with their
 * progress kept, pushes and pops that fault leaving RSP alone, CALL and
 * RET into a missing or XD page, read-modify-write instructions (ADD,
 * CMPXCHG whether or not it compares equal, XCHG) on a read-only page and
 * the A/D bits they leave, the interrupt frame of INT from ring 3 written
 * to a missing kernel stack (#PF, or #DF when #PF has no IST) or to a user
 * page under SMAP (implicit supervisor accesses), the descriptor's
 * accessed bit written to a read-only GDT, and a recursive PML4 slot.
 *
 * Printed: vector, error code, CR2 and the registers the SDM defines at a
 * fault; never a saved RIP of #DF (undefined, SDM Vol. 3 §6.15). */
#include <stdbool.h>

#include "mmulib.h"

#define VEC_DF   8
#define VEC_PF   14
#define VEC_DONE 0x81
#define VEC_SYS  0x80
#define IST_GOOD 1

#define V                 ((uint64_t)(TEST_FREE + 0x40000)) /* V: present; V + 4K: per case */
#define USTUB             ((uint64_t)(TEST_FREE + 0x80000)) /* the stubs, mapped for ring 3 */
#define UKSTK             ((uint64_t)(TEST_FREE + 0x90000)) /* a user page used as a kernel stack */
#define GDTA              ((uint64_t)(TEST_FREE + 0xA0000)) /* a read-only alias of the GDT */
#define RSLOT             510                               /* the recursive PML4 entry */
#define DS_SEL            (GDT_FREE_FIRST * 8)
#define DATA_NOT_ACCESSED 0x92 /* present, DPL 0, writable data, A = 0 */
#define DESC_ACCESSED     (1ULL << 40)

extern char fx_stubs[], fx_rep_stosb[], fx_rep_movsq[], fx_push_at[], fx_call[], fx_call_ret[],
    fx_ret[], fx_add[], fx_cmpxchg[], fx_lock_cmpxchg[], fx_xchg[], fx_pop_mem[], fx_push_mem[],
    fx_movsq[], fx_int80[], fx_load_ds[];
extern char mp_return[];
extern uint64_t mp_saved_rsp;
extern struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
} gdt_desc;
void fx_enter(void *stub, uint64_t rdi, uint64_t rsi, uint64_t rcx, uint64_t rax, int user);

static __attribute__((aligned(4096))) uint8_t frames[4][4096];
static __attribute__((aligned(16))) uint8_t ist_stack[8192];

static struct trap_frame seen; /* the frame of the trap that ended the stub */
static uint64_t seen_cr2;
static bool want_top;     /* read the qword at the interrupted RSP */
static uint64_t seen_top; /* ... into here */

static uint64_t frame(int i)
{
    return (uint64_t)(uintptr_t)frames[i];
}

static void on_trap(struct trap_frame *f)
{
    if (f->vector != VEC_DONE && f->vector != VEC_PF && f->vector != VEC_DF && f->vector != VEC_SYS)
        trap_default(f);
    seen = *f;
    seen_cr2 = f->vector == VEC_PF || f->vector == VEC_DF ? READ_CR(2) : 0;
    seen_top = want_top ? *(uint64_t *)(uintptr_t)f->rsp : 0;
    f->rip = (uint64_t)(uintptr_t)mp_return;
    f->cs = SEL_KCODE;
    f->ss = SEL_KDATA;
    f->rsp = mp_saved_rsp;
    f->rflags = 2;
}

static void run(char *stub, uint64_t rdi, uint64_t rsi, uint64_t rcx, uint64_t rax)
{
    memset(&seen, 0, sizeof(seen));
    seen_cr2 = 0;
    fx_enter(stub, rdi, rsi, rcx, rax, 0);
}

/* "#PF err=.. cr2=V+.." or "done". */
static void outcome(const char *name)
{
    if (seen.vector == VEC_DONE)
        kprintf("%s: done", name);
    else
        kprintf("%s: #%s err=%02lx cr2=V+%lx", name, seen.vector == VEC_PF ? "PF" : "DF",
                seen.error, seen_cr2 - V);
}

/* V and V + 4K map frames 0 and 1, or V + 4K is missing / read-only. */
static void two_pages(uint64_t second_flags)
{
    mp_map(mp_pml4, V, frame(0), 1, PTE_W);
    uint64_t *e = mp_map(mp_pml4, V + 4096, frame(1), 1, second_flags);
    if (!second_flags) *e = 0;
    mp_flush_all();
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4096; k += 8)
            *(uint64_t *)&frames[i][k] = 0x1000ULL * (uint64_t)(i + 1) + (uint64_t)k;
}

static void strings(void)
{
    two_pages(0);
    run(fx_rep_stosb, V + 4090, 0, 16, 0xAB);
    outcome("rep stosb into a missing page");
    kprintf(" rcx=%lu rdi=V+%lx last=%lx\n", seen.rcx, seen.rdi - V, *(uint64_t *)&frames[0][4088]);
    two_pages(0);
    run(fx_rep_movsq, V + 8, V + 4096 - 24, 5, 0);
    outcome("rep movsq reading a missing page");
    kprintf(" rcx=%lu rsi=V+%lx rdi=V+%lx\n", seen.rcx, seen.rsi - V, seen.rdi - V);
    two_pages(0);
    run(fx_rep_movsq, V + 4096 - 24, V + 8, 5, 0);
    outcome("rep movsq writing a missing page");
    kprintf(" rcx=%lu rsi=V+%lx rdi=V+%lx\n", seen.rcx, seen.rsi - V, seen.rdi - V);
    two_pages(PTE_W);
    mp_entry(mp_pml4, V + 4096, 1)[0] &= ~PTE_W;
    mp_flush_all();
    run(fx_movsq, V + 4096 + 8, V, 0, 0);
    outcome("movsq to a read-only page");
    kprintf(" rsi=V+%lx rdi=V+%lx dst=%lx\n", seen.rsi - V, seen.rdi - V,
            *(uint64_t *)&frames[1][8]);
}

static void stack(void)
{
    two_pages(0);
    run(fx_push_at, V + 4096 + 4, 0x77, 0, 0);
    outcome("push across into a missing page");
    kprintf(" first page=%lx\n", *(uint64_t *)&frames[0][4088]);
    two_pages(PTE_W);
    mp_entry(mp_pml4, V, 1)[0] = 0;
    mp_flush_all();
    run(fx_push_at, V + 4096 + 4, 0x77, 0, 0);
    outcome("push across from a missing page");
    kprintf(" second page=%lx\n", *(uint64_t *)&frames[1][0]);
    two_pages(0);
    run(fx_push_mem, V + 4096, 0, 0, 0);
    outcome("push of a missing qword");
    kprintf(" rsp moved by %ld\n", (long)(seen.rsp - seen.rsi));
    two_pages(PTE_W);
    mp_entry(mp_pml4, V + 4096, 1)[0] &= ~PTE_W;
    mp_flush_all();
    run(fx_pop_mem, V + 4096, 0, 0, 0);
    outcome("pop into a read-only page");
    kprintf(" rsp moved by %ld\n", (long)(seen.rsp - seen.rsi));
}

static void control(void)
{
    two_pages(0);
    want_top = true;
    run(fx_call, V + 4096, 0, 0, 0);
    want_top = false;
    outcome("call into a missing page");
    kprintf(" rip=V+%lx pushed=%ld ret ok=%d\n", seen.rip - V, (long)(seen.rsi - seen.rsp),
            seen_top == (uint64_t)(uintptr_t)fx_call_ret);
    two_pages(PTE_W | PTE_NX);
    run(fx_ret, V + 4096 + 0x10, 0, 0, 0);
    outcome("ret to an XD page");
    kprintf(" rip=V+%lx\n", seen.rip - V);
}

static void rmw_case(const char *name, char *stub)
{
    two_pages(PTE_W);
    uint64_t *pte = mp_entry(mp_pml4, V + 4096, 1);
    *pte &= ~(PTE_W | PTE_A | PTE_D);
    mp_flush_all();
    run(stub, V + 4096 + 0x20, 0, 0, 0);
    outcome(name);
    kprintf(" A=%d D=%d mem=%lx\n", !!(*pte & PTE_A), !!(*pte & PTE_D),
            *(uint64_t *)&frames[1][0x20]);
}

static void rmw(void)
{
    rmw_case("add to a read-only page", fx_add);
    rmw_case("cmpxchg (not equal) to a read-only page", fx_cmpxchg);
    rmw_case("lock cmpxchg (not equal) to a read-only page", fx_lock_cmpxchg);
    rmw_case("xchg with a read-only page", fx_xchg);
    two_pages(PTE_W);
    uint64_t *pte = mp_entry(mp_pml4, V + 4096, 1);
    *pte &= ~(PTE_A | PTE_D);
    mp_flush_all();
    run(fx_cmpxchg, V + 4096 + 0x20, 0, 0, 0);
    outcome("cmpxchg (not equal) to a writable page");
    kprintf(" A=%d D=%d\n", !!(*pte & PTE_A), !!(*pte & PTE_D));
}

/* INT 0x80 from ring 3 with TSS.RSP0 at kstack_top. */
static void int_from_user(const char *name, uint64_t kstack_top)
{
    uint64_t saved = tss.rsp[0];
    tss.rsp[0] = kstack_top;
    memset(&seen, 0, sizeof(seen));
    seen_cr2 = 0;
    fx_enter((void *)(uintptr_t)(USTUB + (uint64_t)(fx_int80 - fx_stubs)), 0, 0, 0, 0, 1);
    tss.rsp[0] = saved;
    if (seen.vector == VEC_SYS) {
        kprintf("%s: delivered\n", name);
        return;
    }
    kprintf("%s: #%s err=%02lx cr2=rsp0-%lx", name, seen.vector == VEC_PF ? "PF" : "DF", seen.error,
            kstack_top - seen_cr2);
    if (seen.vector == VEC_PF)
        kprintf(" at int=%d cs=%lx", seen.rip == USTUB + (uint64_t)(fx_int80 - fx_stubs), seen.cs);
    kprintf("\n");
}

static void delivery(void)
{
    mp_map(mp_pml4, USTUB, (uint64_t)(uintptr_t)fx_stubs, 1, PTE_U);
    uint64_t *kp = mp_map(mp_pml4, UKSTK, frame(2), 1, PTE_W | PTE_U);
    mp_flush_all();
    idt_set(VEC_SYS, 0, GATE_INT, 3, 0);
    int_from_user("int from ring 3, good stack", tss.rsp[0]);
    int_from_user("int from ring 3, user page as stack", UKSTK + 4096);
    WRITE_CR(4, READ_CR(4) | CR4_SMAP);
    int_from_user("int from ring 3, user page as stack, smap", UKSTK + 4096);
    WRITE_CR(4, READ_CR(4) & ~CR4_SMAP);
    *kp &= ~PTE_P;
    mp_flush_all();
    int_from_user("int from ring 3, missing stack", UKSTK + 4096);
    idt_set(VEC_PF, 0, GATE_INT, 0, 0);
    int_from_user("int from ring 3, missing stack, #PF without ist", UKSTK + 4096);
    idt_set(VEC_PF, 0, GATE_INT, 0, IST_GOOD);
}

/* The GDT seen through a read-only alias: loading a descriptor whose
 * accessed bit is clear writes the bit, an implicit supervisor write. */
static void descriptor_accessed(void)
{
    uint64_t base = (uint64_t)(uintptr_t)gdt, off = base & 0xFFF;
    mp_map(mp_pml4, GDTA, base & ~0xFFFULL, 1, 0);
    mp_map(mp_pml4, GDTA + 4096, (base & ~0xFFFULL) + 4096, 1, 0);
    mp_flush_all();
    for (unsigned i = SEL_KCODE / 8; i <= SEL_UCODE / 8; i++)
        gdt[i] |= DESC_ACCESSED; /* only the test's descriptor makes a write */
    gdt_set(GDT_FREE_FIRST, gdt_entry(0, 0xFFFFF, DATA_NOT_ACCESSED, 0xC));
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } alias = {gdt_desc.limit, GDTA + off};
    __asm__ volatile("lgdt %0" ::"m"(alias));
    run(fx_load_ds, DS_SEL, 0, 0, 0);
    __asm__ volatile("lgdt %0" ::"m"(gdt_desc));
    uint64_t entry = GDTA + off + DS_SEL;
    kprintf("load ds, descriptor on a read-only page: ");
    if (seen.vector == VEC_PF)
        kprintf("#PF err=%02lx in the entry=%d", seen.error, seen_cr2 - entry < 8);
    else
        kprintf("vector %lu", seen.vector);
    kprintf(" A=%d\n", !!(gdt[GDT_FREE_FIRST] & DESC_ACCESSED));
    run(fx_load_ds, DS_SEL, 0, 0, 0);
    kprintf("load ds, writable GDT: %s A=%d\n", seen.vector == VEC_DONE ? "done" : "fault",
            !!(gdt[GDT_FREE_FIRST] & DESC_ACCESSED));
}

/* PML4[RSLOT] points at the PML4: the PTE of lin appears at rec_pte(lin),
 * and the walk for it ends in lin's PDE, which gets A and D as a leaf. */
static uint64_t rec_pte(uint64_t lin)
{
    return 0xFFFF000000000000ULL | ((uint64_t)RSLOT << 39) | ((lin >> 9) & 0x7FFFFFFFF8ULL);
}

static void recursive(void)
{
    uint64_t *pte = mp_map(mp_pml4, V, frame(0), 1, PTE_W);
    uint64_t *pde = mp_entry(mp_pml4, V, 2);
    mp_pml4[RSLOT] = (uint64_t)(uintptr_t)mp_pml4 | PTE_P | PTE_W;
    *pde &= ~(PTE_A | PTE_D);
    mp_flush_all();
    volatile uint64_t *r = (volatile uint64_t *)(uintptr_t)rec_pte(V);
    kprintf("recursive: pte read through the slot matches=%d", *r == *pte);
    kprintf(" slot A=%d pde A=%d D=%d\n", !!(mp_pml4[RSLOT] & PTE_A), !!(*pde & PTE_A),
            !!(*pde & PTE_D));
    *r = (*r & ~PTE_ADDR) | frame(3);
    invlpg((void *)(uintptr_t)V);
    frames[3][0] = 0x5C;
    kprintf("recursive: after a write and invlpg V reads %x, pde A=%d D=%d, slot D=%d\n",
            *(volatile uint8_t *)(uintptr_t)V, !!(*pde & PTE_A), !!(*pde & PTE_D),
            !!(mp_pml4[RSLOT] & PTE_D));
    mp_pml4[RSLOT] = 0;
    mp_flush_all();
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    mp_init();
    trap_handler = on_trap;
    /* #PF and #DF on a stack of their own: some cases fault on the stack. */
    tss.ist[IST_GOOD - 1] = (uint64_t)(uintptr_t)(ist_stack + sizeof(ist_stack));
    idt_set(VEC_PF, 0, GATE_INT, 0, IST_GOOD);
    idt_set(VEC_DF, 0, GATE_INT, 0, IST_GOOD);
    strings();
    stack();
    control();
    rmw();
    delivery();
    descriptor_accessed();
    recursive();
    return 0;
}
