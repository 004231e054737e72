#include "decode.h"

#include <assert.h>

void decoders_init(struct decoders *d)
{
    ZydisDecoderInit(&d->d64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecoderInit(&d->d32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&d->d16, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d->c32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&d->c16, ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16);
}

static const ZydisDecoder *decoder_for(const struct decoders *d, unsigned mode)
{
    switch (mode) {
    case MODE_LONG64: return &d->d64;
    case MODE_COMPAT32: return &d->c32;
    case MODE_COMPAT16: return &d->c16;
    case MODE_PROT32: return &d->d32;
    default: return &d->d16;
    }
}

void op_ud(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
}

void op_too_long(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_fault(cpu, EXC_GP, 0);
}

uint8_t xl_gpr(ZydisRegister r)
{
    ZydisRegisterClass cls = ZydisRegisterGetClass(r);
    ZyanI8 id = ZydisRegisterGetId(r);
    switch (cls) {
    case ZYDIS_REGCLASS_GPR8:
        /* Zydis order: AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B..R15B */
        if (id >= 4 && id <= 7)
            return (uint8_t)(REG_AH + id - 4);
        return (uint8_t)(id >= 8 ? id - 4 : id);
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64: return (uint8_t)id;
    case ZYDIS_REGCLASS_IP: return REG_NEXT_RIP;
    default: return REG_ZERO;
    }
}

int xl_sreg(ZydisRegister r)
{
    switch (r) {
    case ZYDIS_REGISTER_ES: return SEG_ES;
    case ZYDIS_REGISTER_CS: return SEG_CS;
    case ZYDIS_REGISTER_SS: return SEG_SS;
    case ZYDIS_REGISTER_DS: return SEG_DS;
    case ZYDIS_REGISTER_FS: return SEG_FS;
    case ZYDIS_REGISTER_GS: return SEG_GS;
    default: return -1;
    }
}

static uint8_t scale_shift(ZyanU8 scale)
{
    switch (scale) {
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    default: return 0;
    }
}

void xl_mem(const struct xlate *x, const ZydisDecodedOperand *op, struct insn *in)
{
    in->base = op->mem.base == ZYDIS_REGISTER_NONE ? REG_ZERO : xl_gpr(op->mem.base);
    in->index = op->mem.index == ZYDIS_REGISTER_NONE ? REG_ZERO : xl_gpr(op->mem.index);
    in->scale = scale_shift(op->mem.scale);
    in->disp = op->mem.disp.has_displacement ? op->mem.disp.value : 0;
    int s = xl_sreg(op->mem.segment);
    in->seg = (uint8_t)(s < 0 ? SEG_DS : s);
    if (in->seg == SEG_SS)
        in->flags |= INSN_SS;
    in->asz = (uint8_t)(x->zi->address_width / 8);
}

ZydisOperandType xl_operand(const struct xlate *x, unsigned i, struct insn *in)
{
    const ZydisDecodedOperand *op = &x->ops[i];
    switch (op->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        if (i == 0)
            in->r1 = xl_gpr(op->reg.value);
        else
            in->r2 = xl_gpr(op->reg.value);
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        xl_mem(x, op, in);
        in->flags |= i == 0 ? INSN_M0 : INSN_M1;
        break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        in->imm = op->imm.is_signed ? (uint64_t)op->imm.value.s : op->imm.value.u;
        break;
    default: break;
    }
    return op->type;
}

static uint8_t prefix_flags(const ZydisDecodedInstruction *zi)
{
    uint8_t f = 0;
    if (zi->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPZ))
        f |= INSN_REP;
    if (zi->attributes & (ZYDIS_ATTRIB_HAS_REPNE | ZYDIS_ATTRIB_HAS_REPNZ))
        f |= INSN_REPNE;
    if (zi->attributes & ZYDIS_ATTRIB_HAS_LOCK)
        f |= INSN_LOCK;
    return f;
}

/* Knights Corner encodings (VEX-encoded POPCNT/LZCNT/TZCNT among them)
 * that Zydis decodes but no Intel 64 processor outside Xeon Phi has. */
static bool xeon_phi_only(const ZydisDecodedInstruction *zi)
{
    return zi->meta.isa_ext == ZYDIS_ISA_EXT_KNC || zi->meta.isa_ext == ZYDIS_ISA_EXT_KNCV;
}

ZyanStatus decode_insn(const struct decoders *d, unsigned mode, const uint8_t *bytes, size_t avail,
                       struct insn *in)
{
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(decoder_for(d, mode), bytes, avail, &zi, ops);
    if (!ZYAN_SUCCESS(st))
        return st;
    memset(in, 0, sizeof(*in));
    in->len = zi.length;
    in->mnemonic = (uint16_t)zi.mnemonic;
    in->osz = (uint8_t)(zi.operand_width / 8);
    in->asz = (uint8_t)(zi.address_width / 8);
    in->base = in->index = REG_ZERO;
    in->seg = SEG_DS;
    in->flags = prefix_flags(&zi);
    in->fn = op_ud;
    const struct xlate_entry *e = optable_lookup(zi.mnemonic);
    struct xlate x = {&zi, ops, mode};
    if (e && e->fn && !xeon_phi_only(&zi)) {
        in->op = e->op;
        if (!e->fn(&x, in))
            in->fn = op_ud;
        in->flags |= e->flags;
    }
    if (in->fn == op_ud)
        in->flags |= INSN_END;
    return ZYAN_STATUS_SUCCESS;
}
