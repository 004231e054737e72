/* The SIMD framework: translation of SSE/SSE2/MMX instructions, operand
 * access, the #UD/#NM rules, and the generic "dst op= src" handler. */
#include "simd.h"

#define SIMD_ALIGNMENT 16

static bool is_mmx_reg(const ZydisDecodedOperand *o)
{
    return o->type == ZYDIS_OPERAND_TYPE_REGISTER &&
           ZydisRegisterGetClass(o->reg.value) == ZYDIS_REGCLASS_MMX;
}

static bool is_vector_reg(const ZydisDecodedOperand *o)
{
    if (o->type != ZYDIS_OPERAND_TYPE_REGISTER)
        return false;
    ZydisRegisterClass c = ZydisRegisterGetClass(o->reg.value);
    return c == ZYDIS_REGCLASS_XMM || c == ZYDIS_REGCLASS_MMX;
}

static bool is_gpr(const ZydisDecodedOperand *o)
{
    if (o->type != ZYDIS_OPERAND_TYPE_REGISTER)
        return false;
    ZydisRegisterClass c = ZydisRegisterGetClass(o->reg.value);
    return c == ZYDIS_REGCLASS_GPR32 || c == ZYDIS_REGCLASS_GPR64 || c == ZYDIS_REGCLASS_GPR16;
}

/* Register number of operand o: XMM/MM index, or our GPR number. */
static uint8_t reg_number(const ZydisDecodedOperand *o)
{
    return is_vector_reg(o) ? (uint8_t)ZydisRegisterGetId(o->reg.value) : xl_gpr(o->reg.value);
}

/* Fills operand i (0: destination, 1: source) into the insn. */
static void simd_operand(const struct xlate *x, unsigned i, struct insn *in)
{
    const ZydisDecodedOperand *o = &x->ops[i];
    switch (o->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        if (i == 0)
            in->r1 = reg_number(o);
        else
            in->r2 = reg_number(o);
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        xl_mem(x, o, in);
        in->flags |= i == 0 ? INSN_M0 : INSN_M1;
        in->osz2 = (uint8_t)(o->size / 8);
        break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        in->imm = o->imm.value.u & 0xff;
        in->imm2 |= SIMD_IMM_SRC;
        break;
    default: break;
    }
}

static void simd_binop(struct cpu *cpu, const struct insn *in);

void simd_fill_operands(const struct xlate *x, struct insn *in)
{
    unsigned n = x->zi->operand_count_visible;
    if (n > 0 && is_mmx_reg(&x->ops[0]))
        in->imm2 |= SIMD_MMX | SIMD_DST_MMX;
    if (n > 1 && is_mmx_reg(&x->ops[1]))
        in->imm2 |= SIMD_SRC_MMX;
    if (n > 0 && is_gpr(&x->ops[0]))
        in->imm2 |= SIMD_DST_GPR;
    if (n > 1 && is_gpr(&x->ops[1]))
        in->imm2 |= SIMD_SRC_GPR;
    if (n > 0)
        simd_operand(x, 0, in);
    if (n > 1)
        simd_operand(x, 1, in);
    if (n > 2 && x->ops[2].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        in->imm = x->ops[2].imm.value.u & 0xff;
}

bool xl_simd(const struct xlate *x, struct insn *in)
{
    const struct simd_def *d = simd_def_of(x->zi->mnemonic);
    if (!d || d->kind == SK_NONE)
        return false;
    if (d->kind == SK_X87)
        return xl_x87(x, in);
    if (x->zi->opcode_map != ZYDIS_OPCODE_MAP_0F && x->zi->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT)
        return false; /* 0F 38 / 0F 3A forms (PEXTRW 66 0F 3A 15) are SSE4: not advertised */
    in->imm2 = d->flags;
    simd_fill_operands(x, in);
    if (d->mem_size && (in->flags & (INSN_M0 | INSN_M1)))
        in->osz2 = d->mem_size;
    if (d->kind == SK_BINOP) {
        if (in->osz2 == SIMD_ALIGNMENT)
            in->imm2 |= SIMD_ALIGN; /* legacy-SSE 128-bit operands must be aligned */
        in->fn = simd_binop;
        return true;
    }
    in->fn = simd_special_handler(x->zi->mnemonic, in);
    return in->fn != NULL;
}

/* ---- run time -------------------------------------------------------------------- */

void simd_check(struct cpu *cpu, const struct insn *in)
{
    bool mmx = (in->imm2 & (SIMD_MMX | SIMD_SRC_MMX | SIMD_DST_MMX)) != 0;
    if (cpu->cr0 & CR0_EM)
        cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    if (!mmx && !(cpu->cr4 & CR4_OSFXSR))
        cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    if (cpu->cr0 & CR0_TS)
        cpu_fault(cpu, EXC_NM, EXC_NO_ERROR);
}

static uint64_t mem_ea(struct cpu *cpu, const struct insn *in, unsigned size)
{
    uint64_t ea = insn_ea(cpu, in);
    if ((in->imm2 & SIMD_ALIGN) && size == SIMD_ALIGNMENT &&
        ((ea + cpu->segbase[in->seg]) & (SIMD_ALIGNMENT - 1)))
        cpu_fault(cpu, EXC_GP, 0);
    return ea;
}

void simd_mem_read(struct cpu *cpu, const struct insn *in, union xmm_reg *v, unsigned size)
{
    uint64_t ea = mem_ea(cpu, in, size), mask = size_mask(in->asz);
    v->q[0] = v->q[1] = 0;
    if (size <= 8) {
        v->q[0] = mem_read(cpu, in->seg, ea, size);
        return;
    }
    v->q[0] = mem_read(cpu, in->seg, ea, 8);
    v->q[1] = mem_read(cpu, in->seg, (ea + 8) & mask, 8);
}

void simd_mem_write(struct cpu *cpu, const struct insn *in, const union xmm_reg *v,
                    unsigned size)
{
    uint64_t ea = mem_ea(cpu, in, size), mask = size_mask(in->asz);
    if (size <= 8) {
        mem_write(cpu, in->seg, ea, size, v->q[0]);
        return;
    }
    mem_probe_write(cpu, in->seg, ea, size);
    mem_write(cpu, in->seg, ea, 8, v->q[0]);
    mem_write(cpu, in->seg, (ea + 8) & mask, 8, v->q[1]);
}

void simd_load_src(struct cpu *cpu, const struct insn *in, union xmm_reg *v)
{
    if (in->imm2 & SIMD_IMM_SRC) {
        v->q[0] = in->imm;
        v->q[1] = 0;
    } else if (in->flags & INSN_M1) {
        simd_mem_read(cpu, in, v, in->osz2);
    } else if (in->imm2 & SIMD_SRC_MMX) {
        v->q[0] = cpu->simd.mm[in->r2 & 7];
        v->q[1] = 0;
    } else {
        *v = cpu->simd.xmm[in->r2 & 15];
    }
}

void simd_load_dst(struct cpu *cpu, const struct insn *in, union xmm_reg *v)
{
    if (in->imm2 & SIMD_DST_MMX) {
        v->q[0] = cpu->simd.mm[in->r1 & 7];
        v->q[1] = 0;
    } else {
        *v = cpu->simd.xmm[in->r1 & 15];
    }
}

void simd_store_dst(struct cpu *cpu, const struct insn *in, const union xmm_reg *v)
{
    if (in->imm2 & SIMD_DST_MMX)
        cpu->simd.mm[in->r1 & 7] = v->q[0];
    else
        cpu->simd.xmm[in->r1 & 15] = *v;
}

static void simd_binop(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    union xmm_reg a, b, r;
    simd_load_dst(cpu, in, &a);
    simd_load_src(cpu, in, &b);
    r = a;
    unsigned width = (in->imm2 & SIMD_MMX) ? 8 : 16;
    simd_defs[in->mnemonic].fn(cpu, &r, &a, &b, width, (uint8_t)in->imm);
    simd_store_dst(cpu, in, &r);
}

const struct simd_def *simd_def_of(unsigned mnemonic)
{
    return mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? &simd_defs[mnemonic] : NULL;
}

static const struct xlate_entry simd_entry = {xl_simd, 0, 0};

const struct xlate_entry *simd_lookup(ZydisMnemonic m)
{
    const struct simd_def *d = simd_def_of(m);
    return d && d->kind != SK_NONE ? &simd_entry : NULL;
}
