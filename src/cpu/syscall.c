/* The fast system-call instructions (SDM Vol. 2 SYSCALL, SYSRET, SYSENTER,
 * SYSEXIT), Intel behaviour: SYSCALL/SYSRET only in 64-bit mode, SYSENTER
 * and SYSEXIT also in IA-32e mode, SYSRET to a non-canonical RCX faults in
 * ring 0. The segment caches are loaded with the fixed flat values the SDM
 * gives, not read from the GDT. */
#include "events.h"
#include "ops.h"

#define STAR_SYSCALL_CS_SHIFT 32
#define STAR_SYSRET_CS_SHIFT 48
#define SYSRET_RFLAGS_MASK 0x3C7FD7ULL
#define FLAT_LIMIT 0xFFFFFFFFu
#define ATTR_CODE64 (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A | \
                     SEG_ATTR_L | SEG_ATTR_G)
#define ATTR_CODE32 (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A | \
                     SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA32 (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A | SEG_ATTR_DB | \
                     SEG_ATTR_G)
#define DPL3 (3 << SEG_ATTR_DPL_SHIFT)

enum { SC_SYSCALL, SC_SYSRET, SC_SYSENTER, SC_SYSEXIT };


static void set_flat(struct cpu *cpu, unsigned sreg, uint16_t sel, uint32_t attr)
{
    cpu_set_seg(cpu, sreg, sel, 0, FLAT_LIMIT, attr);
}

static void enter_ring(struct cpu *cpu, unsigned cpl, uint64_t rip)
{
    cpu_set_cpl(cpu, cpl);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = rip;
}

/* SYSCALL and SYSRET: 64-bit mode with EFER.SCE, or #UD (Intel). */
static void require_syscall_enabled(struct cpu *cpu)
{
    if (!cpu_long64(cpu))
        cpu_fault_why(cpu, EXC_UD, EXC_NO_ERROR, FC_INVALID_OPCODE, 0);
    if (!(cpu->efer & EFER_SCE))
        cpu_fault_why(cpu, EXC_UD, EXC_NO_ERROR, FC_FEATURE_OFF, 0);
}

static void do_syscall(struct cpu *cpu)
{
    require_syscall_enabled(cpu);
    if (cpu_hooked(cpu, EMU_EV_SYSCALL_ENTRY))
        cpu_ev_syscall_entry(cpu, EMU_SYSCALL_SYSCALL);
    uint64_t f = cpu_get_rflags(cpu);
    cpu->gpr[RCX] = next_rip(cpu);
    cpu->gpr[R11] = f & ~RFLAGS_RF;
    cpu_set_rflags(cpu, f & ~cpu->msr.fmask & ~RFLAGS_RF);
    uint16_t cs = (uint16_t)(cpu->msr.star >> STAR_SYSCALL_CS_SHIFT);
    set_flat(cpu, SEG_CS, cs & 0xfffc, ATTR_CODE64);
    set_flat(cpu, SEG_SS, (uint16_t)(cs + 8), ATTR_DATA32);
    enter_ring(cpu, 0, cpu->msr.lstar);
}

static void do_sysret(struct cpu *cpu, unsigned osz)
{
    require_syscall_enabled(cpu);
    if (cpu->cpl != 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    uint64_t rip = cpu->gpr[RCX];
    if (osz == 8 && !is_canonical(rip))
        cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, rip);
    uint16_t base = (uint16_t)(cpu->msr.star >> STAR_SYSRET_CS_SHIFT);
    if (osz == 8)
        set_flat(cpu, SEG_CS, (uint16_t)((base + 16) | 3), ATTR_CODE64 | DPL3);
    else
        set_flat(cpu, SEG_CS, (uint16_t)(base | 3), ATTR_CODE32 | DPL3);
    set_flat(cpu, SEG_SS, (uint16_t)((base + 8) | 3), ATTR_DATA32 | DPL3);
    cpu_set_rflags(cpu, (cpu->gpr[R11] & SYSRET_RFLAGS_MASK) | RFLAGS_FIXED1);
    enter_ring(cpu, 3, osz == 8 ? rip : (rip & 0xFFFFFFFFULL));
}

static void do_sysenter(struct cpu *cpu)
{
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu_protected(cpu) || (cs & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SELECTOR, cs);
    if (cpu_hooked(cpu, EMU_EV_SYSCALL_ENTRY))
        cpu_ev_syscall_entry(cpu, EMU_SYSCALL_SYSENTER);
    uint64_t f = cpu_get_rflags(cpu) & ~(RFLAGS_VM | RFLAGS_IF | RFLAGS_RF);
    cpu_set_rflags(cpu, f);
    bool ia32e = (cpu->efer & EFER_LMA) != 0;
    set_flat(cpu, SEG_CS, cs & 0xfffc, ia32e ? ATTR_CODE64 : ATTR_CODE32);
    set_flat(cpu, SEG_SS, (uint16_t)((cs & 0xfffc) + 8), ATTR_DATA32);
    uint64_t rsp = cpu->msr.sysenter_esp, rip = cpu->msr.sysenter_eip;
    cpu->gpr[RSP] = ia32e ? rsp : (rsp & 0xFFFFFFFFULL);
    enter_ring(cpu, 0, ia32e ? rip : (rip & 0xFFFFFFFFULL));
}

static void do_sysexit(struct cpu *cpu, unsigned osz)
{
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu_protected(cpu) || cpu->cpl != 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    if ((cs & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SELECTOR, cs);
    uint64_t rip = cpu->gpr[RDX], rsp = cpu->gpr[RCX];
    if (osz == 8) {
        if (!is_canonical(rip) || !is_canonical(rsp))
            cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, is_canonical(rip) ? rsp : rip);
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 32) | 3), ATTR_CODE64 | DPL3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 40) | 3), ATTR_DATA32 | DPL3);
    } else {
        rip &= 0xFFFFFFFFULL;
        rsp &= 0xFFFFFFFFULL;
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 16) | 3), ATTR_CODE32 | DPL3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 24) | 3), ATTR_DATA32 | DPL3);
    }
    cpu->gpr[RSP] = rsp;
    enter_ring(cpu, 3, rip);
}

static void syscall_op(struct cpu *cpu, const struct insn *in)
{
    switch (in->op) {
    case SC_SYSCALL: do_syscall(cpu); break;
    case SC_SYSRET:
        do_sysret(cpu, in->osz);
        cpu_ev_user_return(cpu, cpu->rip);
        break;
    case SC_SYSENTER: do_sysenter(cpu); break;
    default:
        do_sysexit(cpu, in->osz);
        cpu_ev_user_return(cpu, cpu->rip);
        break;
    }
}

bool xl_syscall(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_SYSCALL: in->op = SC_SYSCALL; break;
    case ZYDIS_MNEMONIC_SYSRET: in->op = SC_SYSRET; break;
    case ZYDIS_MNEMONIC_SYSENTER: in->op = SC_SYSENTER; break;
    default: in->op = SC_SYSEXIT; break;
    }
    in->fn = syscall_op;
    in->flags |= INSN_END;
    return true;
}
