/* Far CALL, JMP and RET in IA-32e mode: m16:64 and m16:32 far pointers to
 * 64-bit code (operand size 32 pushes 4-byte CS and EIP), to compatibility
 * mode and back, 64-bit call gates at the same privilege and from ring 3 to
 * ring 0 (SS:RSP from the TSS, SS null, the caller's SS:RSP pushed, data
 * segments with DPL < CPL nulled on the way back), conforming code (CPL
 * kept), RET imm16 on one and both stacks, and the #GP/#NP checks of each
 * with their error codes. */
#include "probe.h"

#define P(fn) extern void fn(void)
P(k_lcall64); P(k_lcall32); P(k_gate0); P(k_gate0_rex); P(k_gate0_rpl3); P(k_ljmp_gate0);
P(k_ljmp64); P(k_compat); P(k_lret_imm); P(k_lret_null_cs); P(k_lret_data_cs);
P(k_lret_rpl0_ucode); P(k_lret_outer); P(k_lret_outer_bad_ss); P(u_after_lret); P(u_gate3);
P(u_gate0); P(u_kcode); P(u_conforming); P(u_jmp_gate3); P(u_jmp_conforming);
P(gate_target); P(conf_target); P(jmp_target); P(target_ret32); P(compat_target);

extern uint64_t rec_before, rec_after, rec_rsp, rec_cs, rec_ss, rec_ds, rec_es;
extern uint64_t rec_f0, rec_f1, rec_f2, rec_f3, rec_hits;
extern uint64_t probe_user_stack_top;

#define GATE3 10
#define GATE0 12
#define CONF 14
#define TYPE_CALL_GATE 0xC

static void set_gate(unsigned index, uint16_t sel, void (*target)(void), unsigned dpl,
                     int present, uint32_t high_type)
{
    uint64_t off = (uint64_t)(uintptr_t)target;
    gdt[index] = (off & 0xFFFF) | ((uint64_t)sel << 16) | ((uint64_t)TYPE_CALL_GATE << 40) |
                 ((uint64_t)dpl << 45) | ((uint64_t)(present != 0) << 47) |
                 ((off >> 16 & 0xFFFF) << 48);
    gdt[index + 1] = (off >> 32) | ((uint64_t)high_type << 40);
}

/* Names a return address by the probe it lies in (the nearest label at or
 * below it), or prints hex. */
static void pv(uint64_t v)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } labels[] = {
        {"k_lcall64", k_lcall64}, {"k_lcall32", k_lcall32}, {"k_gate0", k_gate0},
        {"k_gate0_rex", k_gate0_rex}, {"k_compat", k_compat}, {"u_gate3", u_gate3},
        {"u_conforming", u_conforming},
    };
    const char *best = NULL;
    uint64_t best_a = 0;
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        uint64_t a = (uint64_t)(uintptr_t)labels[i].fn;
        if (v >= a && v < a + 64 && a >= best_a) {
            best = labels[i].name;
            best_a = a;
        }
    }
    if (best)
        kprintf("%s+%lu", best, v - best_a);
    else
        kprintf("0x%lx", v);
}

static void clear_rec(void)
{
    rec_before = rec_after = rec_rsp = rec_cs = rec_ss = rec_ds = rec_es = 0;
    rec_f0 = rec_f1 = rec_f2 = rec_f3 = rec_hits = 0;
}

/* The target's view: CS, SS, how far RSP moved, the pushed frame. */
static void print_target(int frame_words)
{
    if (!rec_hits) {
        kprintf("  target not reached\n");
        return;
    }
    uint64_t top = tss.rsp[0];
    kprintf("  target: cs 0x%lx ss 0x%lx ", rec_cs, rec_ss);
    if (rec_rsp < top && rec_rsp >= top - 256)
        kprintf("rsp rsp0-%lu", top - rec_rsp);
    else
        kprintf("rsp caller-%lu", rec_before - rec_rsp);
    kprintf(" frame");
    uint64_t f[4] = {rec_f0, rec_f1, rec_f2, rec_f3};
    for (int i = 0; i < frame_words; i++) {
        kputc(' ');
        if (i == 2 && frame_words == 4)
            kprintf("user_top-%lu", probe_user_stack_top - f[i]);
        else
            pv(f[i]);
    }
    kputc('\n');
}

static void run(const char *name, void (*fn)(void), int user, int frame_words)
{
    struct probe_result r;
    clear_rec();
    probe(fn, user, &r);
    probe_print(name, fn, &r);
    if (frame_words >= 0)
        print_target(frame_words);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    probe_init();
    set_gate(GATE3, SEL_KCODE, gate_target, 3, 1, 0);
    set_gate(GATE0, SEL_KCODE, gate_target, 0, 1, 0);
    gdt_set(CONF, gdt_entry(0, 0xfffff, 0x9e, 0xa)); /* conforming 64-bit code, DPL 0 */

    kprintf("-- ring 0\n");
    run("lcall m16:64 to 64-bit code", k_lcall64, 0, 2);
    run("lcall m16:32 to 64-bit code, lretl", k_lcall32, 0, 0);
    kprintf("  pushed: eip ");
    pv((uint32_t)rec_f0);
    kprintf(" cs 0x%x\n", (unsigned)(rec_f0 >> 32));
    run("lcall through 64-bit call gate", k_gate0, 0, 2);
    run("rex.w lcall through 64-bit call gate", k_gate0_rex, 0, 2);
    run("lcall through gate with RPL 3 > DPL 0", k_gate0_rpl3, 0, 0);
    set_gate(GATE0, SEL_KCODE, jmp_target, 0, 1, 0);
    run("ljmp through 64-bit call gate", k_ljmp_gate0, 0, 0);
    set_gate(GATE0, SEL_KCODE, gate_target, 0, 1, 0);
    run("ljmp m16:64", k_ljmp64, 0, 0);
    {
        struct probe_result r;
        clear_rec();
        probe(k_compat, 0, &r);
        probe_print("lcall to compatibility mode, lret back", k_compat, &r);
        uint32_t eip = (uint32_t)rec_f0, cs = (uint32_t)(rec_f0 >> 32);
        kprintf("  target: cs 0x%lx hits %lu rsp caller-%lu frame ", rec_cs, rec_hits,
                rec_before - rec_rsp);
        pv(eip);
        kprintf(" 0x%x\n", cs);
    }
    clear_rec();
    {
        struct probe_result r;
        probe(k_lret_imm, 0, &r);
        probe_print("lretq $16 same privilege", k_lret_imm, &r);
        kprintf("  rsp after: caller+%ld\n", (long)(rec_rsp - rec_before));
    }
    run("lretq to null CS", k_lret_null_cs, 0, -1);
    run("lretq to a data segment", k_lret_data_cs, 0, -1);
    run("lretq to user code with RPL 0", k_lret_rpl0_ucode, 0, -1);
    {
        struct probe_result r;
        clear_rec();
        probe(k_lret_outer, 0, &r);
        probe_print("lretq $16 to ring 3", u_after_lret, &r);
        kprintf("  ring 3: rsp user_top-%lu ds 0x%lx es 0x%lx\n", probe_user_stack_top - rec_rsp,
                rec_f2, rec_f3);
    }
    run("lretq to ring 3 with a DPL 0 SS", k_lret_outer_bad_ss, 0, -1);

    kprintf("-- gate variants (ring 0)\n");
    set_gate(GATE0, SEL_KCODE, gate_target, 0, 0, 0);
    run("gate not present", k_gate0, 0, -1);
    set_gate(GATE0, SEL_KCODE32, gate_target, 0, 1, 0);
    run("gate to 32-bit code", k_gate0, 0, -1);
    set_gate(GATE0, SEL_KDATA, gate_target, 0, 1, 0);
    run("gate to a data segment", k_gate0, 0, -1);
    set_gate(GATE0, 0, gate_target, 0, 1, 0);
    run("gate to a null selector", k_gate0, 0, -1);
    set_gate(GATE0, SEL_KCODE, gate_target, 0, 1, 0x0C);
    run("gate upper half with a type", k_gate0, 0, -1);
    set_gate(GATE0, SEL_UCODE | 3, conf_target, 0, 1, 0);
    run("gate to DPL 3 code from ring 0", k_gate0, 0, -1);
    set_gate(GATE0, SEL_KCODE, gate_target, 0, 1, 0);

    kprintf("-- ring 3\n");
    run("lcall through DPL 3 gate to ring 0", u_gate3, 1, 4);
    kprintf("  back in ring 3: rsp delta %ld ds 0x%lx es 0x%lx\n",
            (long)(rec_before - rec_after), rec_ds, rec_es);
    run("lcall through DPL 0 gate", u_gate0, 1, -1);
    run("lcall to DPL 0 non-conforming code", u_kcode, 1, -1);
    run("lcall to DPL 0 conforming code", u_conforming, 1, 2);
    kprintf("  back: rsp delta %ld\n", (long)(rec_before - rec_after));
    run("ljmp through DPL 3 gate to ring 0", u_jmp_gate3, 1, -1);
    run("ljmp to DPL 0 conforming code", u_jmp_conforming, 1, -1);
    kprintf("  ring 3: ds 0x%lx es 0x%lx\n", rec_f2, rec_f3);
    return 0;
}
