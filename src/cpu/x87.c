/* The x87 control instructions kernels run at boot to initialise or probe
 * the FPU: FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, FWAIT, FNOP. emu has no
 * x87 arithmetic (CPUID.01H:EDX.FPU is clear; docs/simd.md): the control
 * and status words exist so that these, FXSAVE and FXRSTOR agree. */
#include "simd.h"

#define X87_FSW_EXCEPTIONS 0x80FFu /* B, ES, SF and the exception flags */

enum { X87_FNINIT, X87_FNCLEX, X87_FNSTSW, X87_FNSTCW, X87_FLDCW, X87_FWAIT, X87_FNOP };

/* SDM Table 2-1: x87 instructions raise #NM when CR0.EM or CR0.TS is set;
 * WAIT/FWAIT only when both TS and MP are. */
static void x87_check(struct cpu *cpu, bool wait)
{
    bool nm = wait ? (cpu->cr0 & CR0_TS) && (cpu->cr0 & CR0_MP)
                   : (cpu->cr0 & (CR0_EM | CR0_TS)) != 0;
    if (nm)
        cpu_fault(cpu, EXC_NM, EXC_NO_ERROR);
}

static void x87_op(struct cpu *cpu, const struct insn *in)
{
    struct simd_state *s = &cpu->simd;
    x87_check(cpu, in->op == X87_FWAIT);
    switch (in->op) {
    case X87_FNINIT:
        s->fcw = X87_FCW_RESET;
        s->fsw = 0;
        s->ftw = 0;
        break;
    case X87_FNCLEX: s->fsw &= (uint16_t)~X87_FSW_EXCEPTIONS; break;
    case X87_FNSTSW:
        if (in->flags & INSN_M0)
            insn_mem_write(cpu, in, 2, s->fsw);
        else
            reg_write(cpu, RAX, 2, s->fsw);
        break;
    case X87_FNSTCW: insn_mem_write(cpu, in, 2, s->fcw); break;
    case X87_FLDCW: s->fcw = (uint16_t)insn_mem_read(cpu, in, 2); break;
    default: break; /* FWAIT, FNOP: no pending x87 exception can exist */
    }
}

bool xl_x87(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_FNINIT: in->op = X87_FNINIT; break;
    case ZYDIS_MNEMONIC_FNCLEX: in->op = X87_FNCLEX; break;
    case ZYDIS_MNEMONIC_FNSTSW: in->op = X87_FNSTSW; break;
    case ZYDIS_MNEMONIC_FNSTCW: in->op = X87_FNSTCW; break;
    case ZYDIS_MNEMONIC_FLDCW: in->op = X87_FLDCW; break;
    case ZYDIS_MNEMONIC_FWAIT: in->op = X87_FWAIT; break;
    default: in->op = X87_FNOP; break;
    }
    if (x->zi->operand_count_visible > 0 && x->ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
        xl_mem(x, &x->ops[0], in);
        in->flags |= INSN_M0;
    }
    in->fn = x87_op;
    return true;
}
