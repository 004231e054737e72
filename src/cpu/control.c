/* Near control transfers: JMP, Jcc, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ/
 * JRCXZ. Far forms are in seg.c. A bad target faults at the branch (#GP(0)),
 * before anything is pushed or popped. */
#include "ops.h"


/* Masks the target to the operand size and checks it (canonical in 64-bit
 * mode, the CS limit elsewhere). */
static uint64_t check_target(struct cpu *cpu, uint64_t target, unsigned osz)
{
    if (osz < 8)
        target &= size_mask(osz);
    if (cpu_long64(cpu)) {
        if (!is_canonical(target))
            cpu_fault(cpu, EXC_GP, 0);
    } else if (target > cpu->seg[SEG_CS].limit) {
        cpu_fault(cpu, EXC_GP, 0);
    }
    return target;
}

static uint64_t rel_target(const struct cpu *cpu, const struct insn *in)
{
    return next_rip(cpu) + in->imm;
}

static uint64_t indirect_target(struct cpu *cpu, const struct insn *in)
{
    return (in->flags & INSN_M0) ? insn_mem_read(cpu, in, in->osz) : reg_read(cpu, in->r1, in->osz);
}

static void jump_to(struct cpu *cpu, uint64_t target)
{
    cpu->gpr[REG_NEXT_RIP] = target;
}

/* ---- JMP ------------------------------------------------------------------------- */

static void jmp_rel(struct cpu *cpu, const struct insn *in)
{
    jump_to(cpu, check_target(cpu, rel_target(cpu, in), in->osz));
}

static void jmp_rel64(struct cpu *cpu, const struct insn *in)
{
    uint64_t t = rel_target(cpu, in);
    if (unlikely(!is_canonical(t)))
        cpu_fault(cpu, EXC_GP, 0);
    jump_to(cpu, t);
}

static void jmp_ind(struct cpu *cpu, const struct insn *in)
{
    jump_to(cpu, check_target(cpu, indirect_target(cpu, in), in->osz));
}

static bool is_far(const struct xlate *x)
{
    return x->zi->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
}

bool xl_jmp(const struct xlate *x, struct insn *in)
{
    if (is_far(x))
        return xl_far(x, in);
    ZydisOperandType t = xl_operand(x, 0, in);
    if (t == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        in->fn = (x->mode == MODE_LONG64) ? jmp_rel64 : jmp_rel;
    else
        in->fn = jmp_ind;
    return true;
}

/* ---- Jcc --------------------------------------------------------------------------- */

static void jcc(struct cpu *cpu, const struct insn *in)
{
    if (flags_cond(cpu, in->op))
        jmp_rel(cpu, in);
}

/* 64-bit mode: one handler per condition code, so flags_cond_inline folds
 * the condition at compile time. */
#define JCC64(cc)                                                                              \
    static void jcc64_##cc(struct cpu *cpu, const struct insn *in)                             \
    {                                                                                          \
        if (flags_cond_inline(cpu, cc))                                                        \
            jmp_rel64(cpu, in);                                                                \
    }
JCC64(0) JCC64(1) JCC64(2) JCC64(3) JCC64(4) JCC64(5) JCC64(6) JCC64(7)
JCC64(8) JCC64(9) JCC64(10) JCC64(11) JCC64(12) JCC64(13) JCC64(14) JCC64(15)

static const insn_fn jcc64_fns[16] = {
    jcc64_0, jcc64_1, jcc64_2,  jcc64_3,  jcc64_4,  jcc64_5,  jcc64_6,  jcc64_7,
    jcc64_8, jcc64_9, jcc64_10, jcc64_11, jcc64_12, jcc64_13, jcc64_14, jcc64_15,
};

bool xl_jcc(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = (x->mode == MODE_LONG64) ? jcc64_fns[in->op & 15] : jcc;
    return true;
}

/* ---- CALL / RET ------------------------------------------------------------------------ */

static void call_to(struct cpu *cpu, const struct insn *in, uint64_t target)
{
    target = check_target(cpu, target, in->osz);
    stack_push(cpu, in->osz, next_rip(cpu));
    jump_to(cpu, target);
}

static void call_rel(struct cpu *cpu, const struct insn *in)
{
    call_to(cpu, in, rel_target(cpu, in));
}

static void call_ind(struct cpu *cpu, const struct insn *in)
{
    call_to(cpu, in, indirect_target(cpu, in));
}

/* CALL rel32 in 64-bit mode: no segmentation, a 64-bit stack. */
static void call_rel64(struct cpu *cpu, const struct insn *in)
{
    uint64_t target = rel_target(cpu, in), rsp = cpu->gpr[RSP] - 8;
    if (unlikely(!is_canonical(target)))
        cpu_fault(cpu, EXC_GP, 0);
    lin_write(cpu, rsp, 8, next_rip(cpu), MEM_STACK);
    cpu->gpr[RSP] = rsp;
    jump_to(cpu, target);
}

bool xl_call(const struct xlate *x, struct insn *in)
{
    if (is_far(x))
        return xl_far(x, in);
    ZydisOperandType t = xl_operand(x, 0, in);
    bool rel = t == ZYDIS_OPERAND_TYPE_IMMEDIATE;
    in->fn = rel ? call_rel : call_ind;
    if (rel && x->mode == MODE_LONG64 && in->osz == 8)
        in->fn = call_rel64;
    return true;
}

static void ret_near(struct cpu *cpu, const struct insn *in)
{
    uint64_t target = check_target(cpu, stack_peek(cpu, 0, in->osz), in->osz);
    uint64_t rsp = cpu->gpr[RSP] + in->osz + in->imm;
    reg_write(cpu, RSP, cpu->stack_size, rsp);
    jump_to(cpu, target);
}

/* RET (imm16) in 64-bit mode. */
static void ret64(struct cpu *cpu, const struct insn *in)
{
    uint64_t rsp = cpu->gpr[RSP];
    uint64_t target = lin_read(cpu, rsp, 8, MEM_STACK);
    if (unlikely(!is_canonical(target)))
        cpu_fault(cpu, EXC_GP, 0);
    cpu->gpr[RSP] = rsp + 8 + in->imm;
    jump_to(cpu, target);
}

bool xl_ret(const struct xlate *x, struct insn *in)
{
    if (is_far(x))
        return xl_far(x, in);
    if (x->zi->operand_count_visible > 0)
        xl_operand(x, 0, in);
    in->imm &= 0xffff;
    in->fn = (x->mode == MODE_LONG64 && in->osz == 8) ? ret64 : ret_near;
    return true;
}

/* ---- LOOP / JrCXZ ------------------------------------------------------------------------ */

enum { LOOP_PLAIN, LOOP_E, LOOP_NE };

static void loop(struct cpu *cpu, const struct insn *in)
{
    uint64_t count = (reg_read(cpu, RCX, in->asz) - 1) & size_mask(in->asz);
    bool go = count != 0;
    if (in->op == LOOP_E)
        go = go && (flags_materialize(cpu) & RFLAGS_ZF);
    else if (in->op == LOOP_NE)
        go = go && !(flags_materialize(cpu) & RFLAGS_ZF);
    uint64_t target = go ? check_target(cpu, rel_target(cpu, in), in->osz) : 0;
    reg_write(cpu, RCX, in->asz, count);
    if (go)
        jump_to(cpu, target);
}

bool xl_loop(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->op = x->zi->mnemonic == ZYDIS_MNEMONIC_LOOPE    ? LOOP_E
             : x->zi->mnemonic == ZYDIS_MNEMONIC_LOOPNE ? LOOP_NE
                                                        : LOOP_PLAIN;
    in->fn = loop;
    return true;
}

static void jrcxz(struct cpu *cpu, const struct insn *in)
{
    if (reg_read(cpu, RCX, in->asz) == 0)
        jump_to(cpu, check_target(cpu, rel_target(cpu, in), in->osz));
}

bool xl_jrcxz(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = jrcxz;
    return true;
}
