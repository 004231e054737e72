/* String instructions: MOVS STOS LODS CMPS SCAS INS OUTS, with REP/REPE/REPNE
 * in both directions. A REP instruction runs at most STRING_CHUNK iterations
 * per execution and then re-executes itself, so interrupts and the
 * instruction budget are honoured during long copies; each iteration
 * commits RCX/RSI/RDI, so a fault leaves the progress made (SDM). */
#include "ops.h"
#include "simd.h"

#define STRING_CHUNK 4096

static uint64_t port_in(struct cpu *cpu, uint16_t port, unsigned size)
{
    io_check(cpu, port, size);
    cpu_sync_icount(cpu);
    return cpu->env.io_in ? cpu->env.io_in(cpu->env.opaque, port, size) & size_mask(size)
                          : size_mask(size);
}

static void port_out(struct cpu *cpu, uint16_t port, uint64_t v, unsigned size)
{
    io_check(cpu, port, size);
    cpu_sync_icount(cpu);
    if (cpu->env.io_out)
        cpu->env.io_out(cpu->env.opaque, port, v & size_mask(size), size);
}

static void advance(struct cpu *cpu, unsigned reg, unsigned asz, int64_t step)
{
    reg_write(cpu, reg, asz, cpu->gpr[reg] + (uint64_t)step);
}

/* One iteration. Returns the ZF the iteration produced (CMPS/SCAS). */
static void string_once(struct cpu *cpu, const struct insn *in, int64_t step)
{
    unsigned sz = in->osz, asz = in->asz;
    uint64_t si = reg_read(cpu, RSI, asz), di = reg_read(cpu, RDI, asz);
    uint64_t a, b;
    switch (in->op) {
    case STR_MOVS:
        mem_write(cpu, SEG_ES, di, sz, mem_read(cpu, in->seg, si, sz));
        advance(cpu, RSI, asz, step);
        advance(cpu, RDI, asz, step);
        break;
    case STR_STOS:
        mem_write(cpu, SEG_ES, di, sz, reg_read(cpu, RAX, sz));
        advance(cpu, RDI, asz, step);
        break;
    case STR_LODS:
        reg_write(cpu, RAX, sz, mem_read(cpu, in->seg, si, sz));
        advance(cpu, RSI, asz, step);
        break;
    case STR_CMPS:
        a = mem_read(cpu, in->seg, si, sz);
        b = mem_read(cpu, SEG_ES, di, sz);
        lf_set(cpu, LF_SUB, sz, (a - b) & size_mask(sz), a, b);
        advance(cpu, RSI, asz, step);
        advance(cpu, RDI, asz, step);
        break;
    case STR_SCAS:
        a = reg_read(cpu, RAX, sz);
        b = mem_read(cpu, SEG_ES, di, sz);
        lf_set(cpu, LF_SUB, sz, (a - b) & size_mask(sz), a, b);
        advance(cpu, RDI, asz, step);
        break;
    case STR_INS:
        mem_probe_write(cpu, SEG_ES, di, sz);
        mem_write(cpu, SEG_ES, di, sz, port_in(cpu, (uint16_t)cpu->gpr[RDX], sz));
        advance(cpu, RDI, asz, step);
        break;
    default: /* OUTS */
        port_out(cpu, (uint16_t)cpu->gpr[RDX], mem_read(cpu, in->seg, si, sz), sz);
        advance(cpu, RSI, asz, step);
        break;
    }
}

static bool compares(unsigned op)
{
    return op == STR_CMPS || op == STR_SCAS;
}

static void string_op(struct cpu *cpu, const struct insn *in)
{
    int64_t step = (cpu->rflags & RFLAGS_DF) ? -(int64_t)in->osz : (int64_t)in->osz;
    if (!(in->flags & (INSN_REP | INSN_REPNE))) {
        string_once(cpu, in, step);
        return;
    }
    uint64_t count = reg_read(cpu, RCX, in->asz);
    for (unsigned budget = STRING_CHUNK; count != 0; budget--) {
        if (budget == 0) {
            cpu->gpr[REG_NEXT_RIP] = cpu->rip; /* continue with the next execution */
            cpu_end_block(cpu);
            return;
        }
        string_once(cpu, in, step);
        reg_write(cpu, RCX, in->asz, --count);
        if (compares(in->op)) {
            bool zf = (cpu->lf.res & size_mask(in->osz)) == 0;
            if ((in->flags & INSN_REPNE) ? zf : !zf)
                return;
        }
    }
}

bool xl_string(const struct xlate *x, struct insn *in)
{
    /* MOVSD/CMPSD are also SSE2 mnemonics: the XMM forms are SIMD. */
    for (unsigned i = 0; i < x->zi->operand_count; i++)
        if (x->ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            ZydisRegisterGetClass(x->ops[i].reg.value) == ZYDIS_REGCLASS_XMM)
            return xl_simd(x, in);
    /* The source operand (DS:rSI, segment overridable) if there is one. */
    for (unsigned i = 0; i < x->zi->operand_count; i++) {
        const ZydisDecodedOperand *op = &x->ops[i];
        if (op->type != ZYDIS_OPERAND_TYPE_MEMORY)
            continue;
        int s = xl_sreg(op->mem.segment);
        if (ZydisRegisterGetId(op->mem.base) == RSI && s >= 0)
            in->seg = (uint8_t)s;
    }
    in->fn = string_op;
    bool rep = (in->flags & (INSN_REP | INSN_REPNE)) != 0;
    if (rep && !compares(in->op)) /* F2 on MOVS/STOS/... acts as REP */
        in->flags = (uint8_t)((in->flags & ~INSN_REPNE) | INSN_REP);
    if (rep)
        in->flags |= INSN_END;
    if (in->op == STR_INS || in->op == STR_OUTS)
        in->flags |= INSN_END;
    return true;
}
