/* XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B. emu runs one CPU per thread of
 * execution, so LOCK needs no extra work: every read-modify-write here is
 * already indivisible. The memory operand is written before any register or
 * flag, so a faulting write leaves no partial state. */
#include "ops.h"

/* XADD: TEMP = DEST + SRC; SRC = DEST; DEST = TEMP. Flags as ADD. */
static void xadd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t d = op0_read(cpu, in), s = reg_read(cpu, in->r2, size);
    uint64_t r = (d + s) & size_mask(size);
    if (in->flags & INSN_M0) insn_mem_write(cpu, in, size, r);
    reg_write(cpu, in->r2, size, d);
    if (!(in->flags & INSN_M0)) reg_write(cpu, in->r1, size, r);
    lf_set(cpu, LF_ADD, size, r, d, s);
}

bool xl_xadd(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    in->fn = xadd;
    return true;
}

/* CMPXCHG: compares the accumulator with DEST (flags as CMP acc, DEST). Equal:
 * DEST = SRC. Not equal: acc = DEST. A memory DEST is written either way
 * (the SDM's write-back of the old value); a register DEST and the
 * accumulator are touched only when they receive a value, so with 32-bit
 * operands only the register written is zero-extended. */
static void cmpxchg(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t d = op0_read(cpu, in), a = reg_read(cpu, RAX, size);
    uint64_t s = reg_read(cpu, in->r2, size);
    bool eq = a == d;
    if (in->flags & INSN_M0)
        insn_mem_write(cpu, in, size, eq ? s : d);
    else if (eq)
        reg_write(cpu, in->r1, size, s);
    if (!eq) reg_write(cpu, RAX, size, d);
    lf_set(cpu, LF_SUB, size, (a - d) & size_mask(size), a, d);
}

bool xl_cmpxchg(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    in->fn = cmpxchg;
    return true;
}

/* CMPXCHG8B m64 / CMPXCHG16B m128: compares rDX:rAX with the memory operand.
 * Equal: ZF = 1 and memory = rCX:rBX. Not equal: ZF = 0, rDX:rAX = memory
 * (and memory is written back). Other flags unaffected. `osz` is the half
 * width (4 or 8). CMPXCHG16B needs a 16-byte aligned operand (#GP(0)). */
static void cmpxchg_double(struct cpu *cpu, const struct insn *in)
{
    unsigned half = in->osz, bits = half * 8;
    uint64_t m = size_mask(half), amask = size_mask(in->asz);
    uint64_t ea = insn_ea(cpu, in);
    if (half == 8 && ((ea + cpu->segbase[in->seg]) & 15)) cpu_fault(cpu, EXC_GP, 0);
    uint64_t lo, hi;
    if (half == 4) {
        uint64_t v = mem_read(cpu, in->seg, ea, 8);
        lo = v & m;
        hi = v >> 32;
    } else {
        lo = mem_read(cpu, in->seg, ea, 8);
        hi = mem_read(cpu, in->seg, (ea + 8) & amask, 8);
    }
    bool eq = lo == reg_read(cpu, RAX, half) && hi == reg_read(cpu, RDX, half);
    uint64_t wlo = eq ? reg_read(cpu, RBX, half) : lo, whi = eq ? reg_read(cpu, RCX, half) : hi;
    if (half == 4) {
        mem_write(cpu, in->seg, ea, 8, (whi << bits) | wlo);
    } else {
        mem_probe_write(cpu, in->seg, ea, 16);
        mem_write(cpu, in->seg, ea, 8, wlo);
        mem_write(cpu, in->seg, (ea + 8) & amask, 8, whi);
    }
    if (!eq) {
        reg_write(cpu, RAX, half, lo);
        reg_write(cpu, RDX, half, hi);
    }
    flags_put(cpu, RFLAGS_ZF, eq ? RFLAGS_ZF : 0);
}

bool xl_cmpxchg_double(const struct xlate *x, struct insn *in)
{
    if (xl_operand(x, 0, in) != ZYDIS_OPERAND_TYPE_MEMORY) return false;
    in->osz = x->zi->mnemonic == ZYDIS_MNEMONIC_CMPXCHG16B ? 8 : 4;
    in->fn = cmpxchg_double;
    return true;
}
