/* The stack: PUSH, POP, PUSHF, POPF, PUSHA, POPA, ENTER, LEAVE. The stack
 * pointer width follows the mode and SS.B (cpu->stack_size); RSP changes only
 * once every memory access of the instruction has succeeded. */
#include "ops.h"

void stack_push(struct cpu *cpu, unsigned size, uint64_t v)
{
    uint64_t rsp = (cpu->gpr[RSP] - size) & stack_mask(cpu);
    mem_write(cpu, SEG_SS, rsp, size, v);
    reg_write(cpu, RSP, cpu->stack_size, rsp);
}

uint64_t stack_peek(struct cpu *cpu, uint64_t off, unsigned size)
{
    return mem_read(cpu, SEG_SS, (cpu->gpr[RSP] + off) & stack_mask(cpu), size);
}

uint64_t stack_pop(struct cpu *cpu, unsigned size)
{
    uint64_t v = stack_peek(cpu, 0, size);
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + size);
    return v;
}

/* ---- PUSH ----------------------------------------------------------------------- */

static void push_r(struct cpu *cpu, const struct insn *in)
{
    stack_push(cpu, in->osz, reg_read(cpu, in->r1, in->osz));
}

static void push64_r(struct cpu *cpu, const struct insn *in)
{
    uint64_t rsp = cpu->gpr[RSP] - 8;
    lin_write(cpu, rsp, 8, cpu->gpr[in->r1], MEM_STACK);
    cpu->gpr[RSP] = rsp;
}

static void push_m(struct cpu *cpu, const struct insn *in)
{
    stack_push(cpu, in->osz, insn_mem_read(cpu, in, in->osz));
}

static void push_i(struct cpu *cpu, const struct insn *in)
{
    stack_push(cpu, in->osz, in->imm & size_mask(in->osz));
}

/* PUSH Sreg with a 32/64-bit operand size writes only the 16-bit selector,
 * as recent Intel processors do (SDM PUSH, "Operation" note). */
static void push_sreg(struct cpu *cpu, const struct insn *in)
{
    uint64_t rsp = (cpu->gpr[RSP] - in->osz) & stack_mask(cpu);
    mem_probe_write(cpu, SEG_SS, rsp, in->osz);
    mem_write(cpu, SEG_SS, rsp, 2, cpu->seg[in->op].sel);
    reg_write(cpu, RSP, cpu->stack_size, rsp);
}

bool xl_push(const struct xlate *x, struct insn *in)
{
    const ZydisDecodedOperand *op = &x->ops[0];
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && xl_sreg(op->reg.value) >= 0) {
        in->op = (uint8_t)xl_sreg(op->reg.value);
        in->fn = push_sreg;
        return true;
    }
    ZydisOperandType t = xl_operand(x, 0, in);
    if (t == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        in->fn = push_i;
    else if (t == ZYDIS_OPERAND_TYPE_MEMORY)
        in->fn = push_m;
    else
        in->fn = (x->mode == MODE_LONG64 && in->osz == 8) ? push64_r : push_r;
    return true;
}

/* ---- POP --------------------------------------------------------------------------- */

static void pop_r(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = stack_pop(cpu, in->osz);
    reg_write(cpu, in->r1, in->osz, v);
}

static void pop64_r(struct cpu *cpu, const struct insn *in)
{
    uint64_t rsp = cpu->gpr[RSP];
    uint64_t v = lin_read(cpu, rsp, 8, MEM_STACK);
    cpu->gpr[RSP] = rsp + 8;
    cpu->gpr[in->r1] = v;
}

/* POP m: the address is computed with RSP already incremented (SDM POP). */
static void pop_m(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = stack_peek(cpu, 0, in->osz);
    uint64_t old = cpu->gpr[RSP];
    reg_write(cpu, RSP, cpu->stack_size, old + in->osz);
    uint64_t ea = insn_ea(cpu, in);
    uint64_t newrsp = cpu->gpr[RSP];
    cpu->gpr[RSP] = old;
    mem_write(cpu, in->seg, ea, in->osz, v);
    cpu->gpr[RSP] = newrsp;
}

static void pop_sreg(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = (uint16_t)stack_peek(cpu, 0, 2);
    seg_load(cpu, in->op, sel);
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + in->osz);
    if (in->op == SEG_SS) {
        cpu->intr_shadow = CPU_SHADOW_MOV_SS;
        cpu->attention = true;
    }
}

bool xl_pop(const struct xlate *x, struct insn *in)
{
    const ZydisDecodedOperand *op = &x->ops[0];
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && xl_sreg(op->reg.value) >= 0) {
        in->op = (uint8_t)xl_sreg(op->reg.value);
        in->fn = pop_sreg;
        in->flags |= INSN_END;
        return true;
    }
    ZydisOperandType t = xl_operand(x, 0, in);
    if (t == ZYDIS_OPERAND_TYPE_MEMORY)
        in->fn = pop_m;
    else
        in->fn = (x->mode == MODE_LONG64 && in->osz == 8) ? pop64_r : pop_r;
    return true;
}

/* ---- PUSHF / POPF --------------------------------------------------------------------- */

static void pushf(struct cpu *cpu, const struct insn *in)
{
    uint64_t f = cpu_get_rflags(cpu) & ~(RFLAGS_VM | RFLAGS_RF);
    stack_push(cpu, in->osz, f & size_mask(in->osz));
}

/* Which RFLAGS bits POPF may change, by CPL and IOPL (SDM POPF). */
static uint64_t popf_mask(const struct cpu *cpu, unsigned osz)
{
    uint64_t mask = RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID |
                    RFLAGS_IF | RFLAGS_IOPL;
    if (cpu_protected(cpu)) {
        unsigned iopl = (cpu->rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
        if (cpu->cpl > 0)
            mask &= ~RFLAGS_IOPL;
        if (cpu->cpl > iopl)
            mask &= ~RFLAGS_IF;
    }
    return osz == 2 ? (mask & 0xffff) : mask;
}

static void popf(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = stack_peek(cpu, 0, in->osz);
    uint64_t mask = popf_mask(cpu, in->osz);
    uint64_t f = (cpu_get_rflags(cpu) & ~mask) | (v & mask);
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + in->osz);
    cpu_set_rflags(cpu, f & ~RFLAGS_RF);
}

bool xl_pushf(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = pushf;
    return true;
}

bool xl_popf(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = popf;
    in->flags |= INSN_END;
    return true;
}

/* ---- PUSHA / POPA (legacy modes) -------------------------------------------------------- */

static void pusha(struct cpu *cpu, const struct insn *in)
{
    unsigned sz = in->osz;
    uint64_t rsp = cpu->gpr[RSP];
    mem_probe_write(cpu, SEG_SS, (rsp - 8 * sz) & stack_mask(cpu), 8 * sz);
    for (unsigned r = RAX; r <= RDI; r++) {
        uint64_t v = r == RSP ? rsp : cpu->gpr[r];
        mem_write(cpu, SEG_SS, (rsp - (r + 1) * sz) & stack_mask(cpu), sz, v & size_mask(sz));
    }
    reg_write(cpu, RSP, cpu->stack_size, rsp - 8 * sz);
}

static void popa(struct cpu *cpu, const struct insn *in)
{
    unsigned sz = in->osz;
    uint64_t vals[8];
    for (unsigned r = RAX; r <= RDI; r++)
        vals[r] = stack_peek(cpu, (uint64_t)(7 - r) * sz, sz);
    for (unsigned r = RAX; r <= RDI; r++)
        if (r != RSP)
            reg_write(cpu, r, sz, vals[r]);
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + 8 * sz);
}

bool xl_pusha(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = pusha;
    return true;
}

bool xl_popa(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = popa;
    return true;
}

/* ---- ENTER / LEAVE ---------------------------------------------------------------------- */

#define ENTER_LEVEL_MASK 31

/* ENTER (SDM): push rBP, copy level-1 frame pointers from below rBP (read
 * after the previous pushes, which they may overlap), push the new frame
 * pointer, allocate imm16 bytes. OperandSize sets the size of each pushed
 * value and of the rBP write; StackSize sets rSP/rBP wrapping. Every read
 * and every slot's write permission is checked before the first write, so
 * a fault leaves memory untouched. */
static void enter_check(struct cpu *cpu, unsigned sz, unsigned level)
{
    uint64_t mask = stack_mask(cpu), rsp = cpu->gpr[RSP], rbp = cpu->gpr[RBP];
    for (unsigned i = 1; i < level; i++) {
        rbp = (rbp - sz) & mask;
        (void)mem_read(cpu, SEG_SS, rbp, sz);
    }
    unsigned pushes = level ? level + 1 : 1;
    for (unsigned i = 1; i <= pushes; i++)
        mem_probe_write(cpu, SEG_SS, (rsp - i * sz) & mask, sz);
}

static void enter(struct cpu *cpu, const struct insn *in)
{
    unsigned sz = in->osz, level = in->imm2 & ENTER_LEVEL_MASK;
    enter_check(cpu, sz, level);
    uint64_t mask = stack_mask(cpu);
    uint64_t rsp = (cpu->gpr[RSP] - sz) & mask;
    uint64_t rbp = cpu->gpr[RBP];
    mem_write(cpu, SEG_SS, rsp, sz, rbp & size_mask(sz));
    uint64_t frame = rsp;
    for (unsigned i = 1; i < level; i++) {
        rbp = (rbp - sz) & mask;
        uint64_t v = mem_read(cpu, SEG_SS, rbp, sz);
        rsp = (rsp - sz) & mask;
        mem_write(cpu, SEG_SS, rsp, sz, v);
    }
    if (level > 0) {
        rsp = (rsp - sz) & mask;
        mem_write(cpu, SEG_SS, rsp, sz, frame & size_mask(sz));
    }
    rsp = (rsp - (in->imm & 0xffff)) & mask;
    reg_write(cpu, RBP, sz, frame);
    reg_write(cpu, RSP, cpu->stack_size, rsp);
}

bool xl_enter(const struct xlate *x, struct insn *in)
{
    in->imm = x->ops[0].imm.value.u & 0xffff;
    in->imm2 = (uint16_t)(x->ops[1].imm.value.u & 0xff);
    in->fn = enter;
    return true;
}

static void leave(struct cpu *cpu, const struct insn *in)
{
    uint64_t rbp = cpu->gpr[RBP] & stack_mask(cpu);
    uint64_t v = mem_read(cpu, SEG_SS, rbp, in->osz);
    reg_write(cpu, RSP, cpu->stack_size, rbp + in->osz);
    reg_write(cpu, RBP, in->osz, v);
}

bool xl_leave(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = leave;
    return true;
}
