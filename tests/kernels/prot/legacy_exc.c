/* 32-bit protected mode, as many hobby kernels run: exceptions with their
 * frames (#DE #UD #BP #GP #NP #SS #PF #DF), segment loads and bases,
 * ring 3 through IRET with the TSS stack switch, INT 0x80, privileged
 * instructions and the I/O permission bitmap in ring 3, a 32-bit call gate
 * copying parameters, conforming code, SYSENTER/SYSEXIT, and
 * LAR/LSL/VERR/VERW/SGDT/STR.
 *
 * Left out (QEMU 7.2 departs from the SDM; tests/prot unit tests cover
 * them): segment limit and type checks on data accesses (QEMU's TCG does
 * not check limits, expand-down, read-only data or writes through CS),
 * error codes of faults raised while delivering an event (EXT), and the
 * pushed EFLAGS.RF of faults. */
#include "legacy.h"

#define P(fn) extern void fn(void)
P(k_de); P(k_ud); P(k_bp); P(k_execonly_ds); P(k_np); P(k_ss_np);
P(k_ss_rpl3); P(k_gp_beyond); P(k_based); P(k_pf_read); P(k_pf_write); P(k_gp13_missing);
P(u_hlt); P(u_cli); P(u_out80); P(u_out81); P(u_outw7f); P(u_int80); P(u_int3);
P(u_pf_supervisor); P(u_callgate); P(u_conforming); P(gate_target);
P(u_sysenter); P(u_sysexit); P(k_sysexit); P(sysenter_entry);
extern uint32_t se_esp, se_eflags, se_eax, se_after_esp, se_after_eax;
extern uint16_t se_cs, se_ss, se_ds;
extern uint32_t based_seen, after_gate_esp;
extern uint16_t conform_cs;
void print_gate_frame(uint32_t *esp);

#define SEL_EXECONLY 0x48
#define SEL_NOTPRES 0x50
#define SEL_CALLGATE 0x60
#define SEL_CONFORM 0x68
#define SEL_BASED 0x70
#define SEL_LDT 0x78
#define SEL_TSS16 0x80
#define EFL_IOPL3 0x3002

static uint32_t based_area[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
static uint32_t pd[1024] __attribute__((aligned(4096)));

static void run(const char *name, void (*fn)(void), int user, uint32_t eflags)
{
    struct lprobe r;
    lprobe(fn, user, eflags, &r);
    lprobe_print(name, fn, &r);
}

void print_gate_frame(uint32_t *esp)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    /* the gate's frame: eip, cs, the two parameters, the caller's esp and ss */
    kprintf("  call gate: now cs 0x%x; frame eip fn+%u cs 0x%x params 0x%x 0x%x ss 0x%x\n", cs,
            esp[0] - (uint32_t)(uintptr_t)u_callgate, esp[1], esp[2], esp[3], esp[5]);
}

static void descriptors(void)
{
    lgdt[SEL_EXECONLY / 8] = lseg(0, 0xFFFFF, 0x98, 0xC);
    lgdt[SEL_NOTPRES / 8] = lseg(0, 0xFFFFF, 0x12, 0xC);
    lgdt[SEL_CALLGATE / 8] = lgate(L_KCODE, (uint32_t)(uintptr_t)gate_target, 0xC, 3, 2);
    lgdt[SEL_CONFORM / 8] = lseg(0, 0xFFFFF, 0x9E, 0xC);
    lgdt[SEL_BASED / 8] = lseg((uint32_t)(uintptr_t)based_area, 0xFF, 0x92, 0x4);
    lgdt[SEL_LDT / 8] = lseg(0x1000, 0xFF, 0x82, 0);
    lgdt[SEL_TSS16 / 8] = lseg(0x2000, 0x2B, 0x81, 0);
}

/* 4 MiB pages: 0-16 MiB user, 20-24 MiB supervisor, 16-20 MiB not mapped. */
static void paging_on(void)
{
    for (uint32_t i = 0; i < 4; i++)
        pd[i] = (i << 22) | 0x87;
    pd[5] = (5u << 22) | 0x83;
    WRITE_CR(4, READ_CR(4) | 0x10);
    WRITE_CR(3, (uint32_t)(uintptr_t)pd);
    WRITE_CR(0, READ_CR(0) | 0x80000000u);
}

static void probes_ring0(void)
{
    run("#DE div by zero", k_de, 0, 0);
    run("#UD ud2", k_ud, 0, 0);
    run("#BP int3", k_bp, 0, 0);
    run("mov ds, execute-only code", k_execonly_ds, 0, 0);
    run("mov ds, not present", k_np, 0, 0);
    run("mov ss, not present", k_ss_np, 0, 0);
    run("mov ss, RPL 3 at CPL 0", k_ss_rpl3, 0, 0);
    run("mov ds, beyond the GDT", k_gp_beyond, 0, 0);
    run("segment base", k_based, 0, 0);
    kprintf("  read through a based segment: 0x%x\n", based_seen);
}

static void probes_ring3(void)
{
    run("ring 3 hlt", u_hlt, 1, 2);
    run("ring 3 cli, IOPL 0", u_cli, 1, 2);
    run("ring 3 cli, IOPL 3", u_cli, 1, EFL_IOPL3);
    run("ring 3 out 0x80, bitmap denies", u_out80, 1, 2);
    ltss_iomap_ptr[0x80 / 8] &= (uint8_t)~(1u << (0x80 % 8));
    run("ring 3 out 0x80, bitmap allows", u_out80, 1, 2);
    run("ring 3 out 0x81, bitmap denies", u_out81, 1, 2);
    run("ring 3 outw 0x7f (0x80 allowed, 0x7f not)", u_outw7f, 1, 2);
    run("ring 3 int 0x80 (DPL 3)", u_int80, 1, 2);
    run("ring 3 int3 (gate DPL 0)", u_int3, 1, 2);
    run("ring 3 call gate", u_callgate, 1, 2);
    extern uint32_t lprobe_user_top;
    kprintf("  after lret $8: esp top-%u\n", lprobe_user_top - after_gate_esp);
    run("ring 3 far call to conforming code", u_conforming, 1, 2);
    kprintf("  cs inside conforming code: 0x%x\n", conform_cs);
}

static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

/* SYSENTER_CS 0x08: the kernel's CS and SS (0x10), and for SYSEXIT the
 * user's 0x1b and 0x23 -- the GDT's first four entries in that order. */
static void fast_system_calls(void)
{
    extern uint32_t lprobe_user_top;
    uint32_t top = (uint32_t)(uintptr_t)(sysenter_stack + sizeof(sysenter_stack));
    run("ring 3 sysenter, SYSENTER_CS 0", u_sysenter, 1, 2);
    wrmsr(0x174, L_KCODE);
    wrmsr(0x175, top);
    wrmsr(0x176, (uint32_t)(uintptr_t)sysenter_entry);
    run("ring 3 sysenter", u_sysenter, 1, 2);
    kprintf("  kernel: cs 0x%x ss 0x%x ds 0x%x esp top-%u eflags 0x%x eax 0x%x\n", se_cs, se_ss,
            se_ds, top - se_esp, se_eflags, se_eax);
    kprintf("  back: esp top-%u eax 0x%x\n", lprobe_user_top - se_after_esp, se_after_eax);
    run("ring 3 sysenter with IOPL 3, TF 0, AC", u_sysenter, 1, 0x43002);
    kprintf("  kernel: eflags 0x%x\n", se_eflags);
    run("ring 3 sysexit", u_sysexit, 1, 2);
    wrmsr(0x174, 0);
    run("ring 0 sysexit, SYSENTER_CS 0", k_sysexit, 0, 0);
}

static void probe_instructions(void)
{
    static const uint16_t sels[] = {L_KCODE, L_KDATA, L_UCODE | 3, L_TSS, SEL_CALLGATE,
                                    SEL_LDT, SEL_TSS16, SEL_NOTPRES, SEL_EXECONLY, 0xfff8};
    for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        uint32_t ar = 0xdead, lim = 0xdead;
        uint8_t zar, zlim, zr, zw;
        __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(ar), "=q"(zar) : "r"((uint32_t)sels[i]));
        __asm__ volatile("lsl %2, %0\n\tsetz %1" : "+r"(lim), "=q"(zlim) : "r"((uint32_t)sels[i]));
        __asm__ volatile("verr %w1\n\tsetz %0" : "=q"(zr) : "r"(sels[i]));
        __asm__ volatile("verw %w1\n\tsetz %0" : "=q"(zw) : "r"(sels[i]));
        /* the accessed bit is masked: emu sets it on CS loads as the SDM says
         * (§3.4.5.1), QEMU 7.2 only on data-segment loads */
        kprintf("sel 0x%x: lar %u 0x%x lsl %u 0x%x verr %u verw %u\n", sels[i], zar,
                zar ? ar & ~0x100u : ar, zlim, lim, zr, zw);
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } g, d;
    uint16_t tr, ldtr;
    __asm__ volatile("sgdt %0\n\tsidt %1\n\tstr %w2\n\tsldt %w3"
                     : "=m"(g), "=m"(d), "=r"(tr), "=r"(ldtr));
    kprintf("sgdt limit 0x%x base %s, sidt limit 0x%x, str 0x%x, sldt 0x%x\n", g.limit,
            g.base == (uint32_t)(uintptr_t)lgdt ? "lgdt" : "?", d.limit, tr, ldtr);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    legacy_init();
    descriptors();
    probes_ring0();
    probes_ring3();
    fast_system_calls();
    probe_instructions();
    paging_on();
    run("#PF read unmapped", k_pf_read, 0, 0);
    run("#PF write unmapped", k_pf_write, 0, 0);
    run("ring 3 read of a supervisor page", u_pf_supervisor, 1, 2);
    /* a #GP whose gate is missing: #NP while delivering it, then #DF */
    legacy_idt_clear(13);
    run("#GP with IDT entry 13 not present", k_gp13_missing, 0, 0);
    return 0x24;
}
