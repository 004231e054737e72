/* Port I/O: IN and OUT (INS/OUTS are in string.c), and the protection check
 * they share: CPL <= IOPL, or else the TSS I/O permission bitmap. */
#include "ops.h"

#define TSS_IOMAP_BASE_OFFSET 102
#define TSS_MIN_LIMIT_FOR_IOMAP 103
#define TSS_TYPE_MASK 0xd /* 32/64-bit TSS, available (9) or busy (B) */
#define TSS_TYPE_32 0x9

void io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (unlikely(cpu->dr_io))
        dr_io_access(cpu, port, size);
    if (!cpu_protected(cpu))
        return;
    unsigned iopl = (cpu->rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (cpu->cpl <= iopl && !(cpu->rflags & RFLAGS_VM))
        return;
    const struct seg *tr = &cpu->tr;
    if ((tr->attr & TSS_TYPE_MASK) != TSS_TYPE_32 || tr->limit < TSS_MIN_LIMIT_FOR_IOMAP)
        cpu_fault_why(cpu, EXC_GP, 0, FC_IO_BITMAP, port);
    uint32_t base = (uint32_t)sys_read(cpu, tr->base + TSS_IOMAP_BASE_OFFSET, 2);
    uint32_t at = base + port / 8;
    if (at + 1 > tr->limit)
        cpu_fault_why(cpu, EXC_GP, 0, FC_IO_BITMAP, port);
    uint32_t bits = (uint32_t)sys_read(cpu, tr->base + at, 2);
    uint32_t want = ((1u << size) - 1) << (port % 8);
    if (bits & want)
        cpu_fault_why(cpu, EXC_GP, 0, FC_IO_BITMAP, port);
}

static uint16_t port_of(const struct cpu *cpu, const struct insn *in)
{
    return in->op ? (uint16_t)cpu->gpr[RDX] : (uint16_t)in->imm;
}

static void in_op(struct cpu *cpu, const struct insn *in)
{
    uint16_t port = port_of(cpu, in);
    io_check(cpu, port, in->osz);
    cpu_sync_icount(cpu);
    uint64_t v = cpu->env.io_in ? cpu->env.io_in(cpu->env.opaque, port, in->osz) : ~0ULL;
    reg_write(cpu, RAX, in->osz, v & size_mask(in->osz));
}

static void out_op(struct cpu *cpu, const struct insn *in)
{
    uint16_t port = port_of(cpu, in);
    io_check(cpu, port, in->osz);
    cpu_sync_icount(cpu);
    if (cpu->env.io_out)
        cpu->env.io_out(cpu->env.opaque, port, reg_read(cpu, RAX, in->osz), in->osz);
}

/* op = 1 when the port is in DX, 0 for an immediate port. */
static bool xl_port(const ZydisDecodedOperand *port, const ZydisDecodedOperand *data,
                    struct insn *in)
{
    in->op = port->type == ZYDIS_OPERAND_TYPE_REGISTER;
    if (!in->op)
        in->imm = port->imm.value.u & 0xff;
    in->osz = (uint8_t)(data->size / 8);
    in->flags |= INSN_END;
    return true;
}

bool xl_in(const struct xlate *x, struct insn *in)
{
    in->fn = in_op;
    return xl_port(&x->ops[1], &x->ops[0], in);
}

bool xl_out(const struct xlate *x, struct insn *in)
{
    in->fn = out_op;
    return xl_port(&x->ops[0], &x->ops[1], in);
}
