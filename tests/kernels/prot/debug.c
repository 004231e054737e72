/* #DB and RFLAGS: TF single-stepping (one trap per instruction, deferred
 * past the instruction after MOV SS, CALL/RET stepped), debug registers
 * (an instruction breakpoint is a fault before the instruction and RF lets
 * it run on return; data write and read/write breakpoints are traps after
 * it, LEN ranges and overlapping accesses; an I/O breakpoint with CR4.DE),
 * DR6 as the handler sees it, and what POPF and IRETQ may change in RFLAGS
 * at CPL 0 and at CPL 3 with IOPL 0 and 3.
 *
 * Left out (QEMU 7.2 departs from the SDM; tests/prot/test_debug.c covers
 * them): DR7.GD (QEMU raises no #DB for MOV DR), one access hitting two
 * breakpoints (the SDM sets both B bits in DR6, QEMU only the first), and
 * the RF bit of the RFLAGS pushed for a #DB fault (not printed). */
#include "probe.h"

#define P(fn) extern void fn(void)
P(k_step); P(k_step_movss); P(k_step_call); P(k_exec_bp); P(k_write_bp); P(k_rw_bp);
P(k_io_bp); P(u_popf); P(u_popf_clear); P(u_iret_same); P(k_popf);
P(bp_exec);
extern uint64_t watch_w, watch_rw, fl_before, fl_after, probe_user_rflags;

#define RF (1u << 16)
#define TF 0x100u
#define MAX_DB 16

static trap_fn probe_handler;
static struct {
    uint64_t rip, dr6, rflags;
} db[MAX_DB];
static unsigned ndb;
static void (*current_fn)(void);

static inline uint64_t get_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}
static inline void set_dr(int n, uint64_t v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" ::"r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" ::"r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%dr2" ::"r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%dr3" ::"r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" ::"r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%dr7" ::"r"(v)); break;
    }
}

/* #DB: logs RIP, DR6 and RFLAGS, clears DR6, and resumes (with RF set, so
 * an instruction breakpoint lets its instruction run). Anything else ends
 * the probe. */
static void on_trap(struct trap_frame *f)
{
    if (f->vector != 1) {
        probe_handler(f);
        return;
    }
    uint64_t dr6 = get_dr6();
    if (ndb < MAX_DB)
        db[ndb] = (typeof(db[0])){f->rip, dr6, f->rflags};
    ndb++;
    set_dr(6, 0);
    if (ndb >= MAX_DB) /* runaway: stop stepping */
        f->rflags &= ~(uint64_t)TF;
    f->rflags |= RF;
}

static void run_db(const char *name, void (*fn)(void))
{
    struct probe_result r;
    ndb = 0;
    current_fn = fn;
    probe(fn, 0, &r);
    kprintf("%s: %u #DB%s\n", name, ndb, r.faulted ? ", then an exception" : "");
    if (r.faulted)
        probe_print("  exception", fn, &r);
    for (unsigned i = 0; i < ndb && i < MAX_DB; i++) {
        int64_t off = (int64_t)(db[i].rip - (uint64_t)(uintptr_t)fn);
        kprintf("  #DB rip fn+%ld dr6 0x%lx TF %lu\n", off, db[i].dr6, (db[i].rflags >> 8) & 1);
    }
}

static void flags(const char *name, void (*fn)(void), int user, uint64_t rflags)
{
    struct probe_result r;
    fl_before = fl_after = 0;
    probe_user_rflags = rflags;
    probe(fn, user, &r);
    probe_user_rflags = 2;
    kprintf("%s: rflags 0x%lx -> 0x%lx", name, fl_before, fl_after);
    if (r.faulted)
        kprintf(" (then vector %lu at fn+%ld)", r.f.vector,
                (long)(r.f.rip - (uint64_t)(uintptr_t)fn));
    kputc('\n');
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    outb(0x21, 0xff); /* mask the PIC: ring-3 probes run with IF = 1 */
    outb(0xa1, 0xff);
    probe_init();
    probe_handler = trap_handler;
    trap_handler = on_trap;

    kprintf("dr6 at reset 0x%lx\n", get_dr6());
    run_db("single-step", k_step);
    run_db("single-step over MOV SS", k_step_movss);
    run_db("single-step CALL/RET", k_step_call);

    set_dr(0, (uint64_t)(uintptr_t)bp_exec);
    set_dr(7, 1u << 0); /* L0, execute, length 1 */
    run_db("DR0 instruction breakpoint", k_exec_bp);
    set_dr(7, 0);

    set_dr(1, (uint64_t)(uintptr_t)&watch_w);
    set_dr(7, (1u << 2) | (1u << 20) | (3u << 22)); /* L1, write, 4 bytes */
    run_db("DR1 write breakpoint", k_write_bp);
    kprintf("  watch_w 0x%lx\n", watch_w);

    set_dr(2, (uint64_t)(uintptr_t)&watch_rw);
    set_dr(7, (1u << 4) | (3u << 24) | (2u << 26)); /* L2, read/write, 8 bytes */
    run_db("DR2 read/write breakpoint", k_rw_bp);

    WRITE_CR(4, READ_CR(4) | 8); /* CR4.DE */
    set_dr(3, 0x80);
    set_dr(7, (1u << 6) | (2u << 28)); /* L3, I/O, 1 byte */
    run_db("DR3 I/O breakpoint", k_io_bp);
    WRITE_CR(4, READ_CR(4) & ~8ul);

    set_dr(7, 0);

    flags("ring 0 popf sets IOPL, NT, AC, ID", k_popf, 0, 2);
    flags("ring 3 IOPL 0 popf sets IOPL, IF, NT, AC, ID", u_popf, 1, 2);
    flags("ring 3 IOPL 3 popf sets IOPL, IF, NT, AC, ID", u_popf, 1, 0x3002);
    flags("ring 3 IOPL 3 IF 1 popf clears IOPL, IF", u_popf_clear, 1, 0x3202);
    flags("ring 3 IOPL 0 iretq asks IOPL, IF, NT, AC, ID", u_iret_same, 1, 2);
    flags("ring 3 IOPL 3 iretq asks IOPL, IF, NT, AC, ID", u_iret_same, 1, 0x3002);
    return 0;
}
