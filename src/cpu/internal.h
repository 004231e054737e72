/* Private to src/cpu: the decoded instruction form, operand and memory
 * helpers used by instruction handlers, and the prototypes the families share. */
#ifndef EMU_CPU_INTERNAL_H
#define EMU_CPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

struct insn;
typedef void (*insn_fn)(struct cpu *cpu, const struct insn *in);

/* insn.flags */
enum {
    INSN_M0 = 1 << 0,      // operand 0 is the memory operand
    INSN_M1 = 1 << 1,      // operand 1 is the memory operand
    INSN_REP = 1 << 2,     // F3 (REP/REPE)
    INSN_REPNE = 1 << 3,   // F2
    INSN_LOCK = 1 << 4,
    INSN_END = 1 << 5,     // ends its block (control transfer, mode change, I/O)
    INSN_SS = 1 << 6,      // the memory operand is addressed through SS (#SS, not #GP)
};

/* One decoded instruction: what Zydis told us at translation time, in the
 * form the handler wants. Register operands: r1 is operand 0, r2 operand 1. */
struct insn {
    insn_fn fn;          // semantics
    uint64_t imm;        // immediate, sign-extended to 64 bits where the SDM says
    int64_t disp;        // memory displacement (64-bit for MOV moffs)
    uint16_t mnemonic;   // ZydisMnemonic, for diagnostics
    uint16_t imm2;       // second immediate (ENTER level, far-pointer selector)
    uint8_t len;         // bytes
    uint8_t osz;         // operand size in bytes
    uint8_t asz;         // address size in bytes
    uint8_t op;          // sub-operation: ALU op, condition code, string op, ...
    uint8_t r1, r2;      // register operands (enum gpr; REG_AH.. for high bytes)
    uint8_t base, index; // memory operand (REG_ZERO when absent, REG_NEXT_RIP)
    uint8_t scale;       // index shift (0..3)
    uint8_t seg;         // enum sreg of the memory operand
    uint8_t flags;       // INSN_*
    uint8_t osz2;        // size of operand 1 where it differs (MOVZX source, ...)
};

/* ---- exceptions (except.c) --------------------------------------------- */

/* Abandons the current instruction and delivers `vector` (error code or
 * EXC_NO_ERROR). Architectural state is as before the instruction. */
_Noreturn void cpu_fault(struct cpu *cpu, unsigned vector, uint32_t error);
/* cpu_fault with the reason recorded for the forensics report
 * (enum cpu_fault_cause; aux names the selector, vector, MSR...; desc the
 * descriptor involved). */
_Noreturn void cpu_fault_why(struct cpu *cpu, unsigned vector, uint32_t error, unsigned cause,
                             uint64_t aux);
_Noreturn void cpu_fault_desc(struct cpu *cpu, unsigned vector, uint32_t error, unsigned cause,
                              uint64_t aux, uint64_t desc);
_Noreturn void cpu_page_fault(struct cpu *cpu, uint64_t lin, uint32_t error);
/* Delivers a software interrupt / trap after the instruction (INT n, INT3,
 * INTO, INT1): RIP is the next instruction. */
_Noreturn void cpu_trap(struct cpu *cpu, unsigned vector, bool software);
/* Delivers an event outside instruction execution (external interrupt, NMI). */
void cpu_deliver_event(struct cpu *cpu, unsigned vector, bool external);
/* Delivers the event cpu_fault/cpu_trap raised (escalating to #DF or
 * shutdown) and counts faults delivered in a row with no instruction
 * completed in between (cpu->stuck_faults). */
void cpu_handle_fault_jump(struct cpu *cpu);

/* ---- flags (flags.c) --------------------------------------------------- */

uint64_t flags_materialize(struct cpu *cpu);
bool flags_cf(const struct cpu *cpu);
bool flags_cond(struct cpu *cpu, unsigned cc);

static inline void lf_set(struct cpu *cpu, unsigned op, unsigned size, uint64_t res, uint64_t s1,
                          uint64_t s2)
{
    cpu->lf.op = (uint8_t)op;
    cpu->lf.size = (uint8_t)size;
    cpu->lf.res = res;
    cpu->lf.src1 = s1;
    cpu->lf.src2 = s2;
}

/* Masks by operand size (1, 2, 4, 8), without computing a shift. */
static const uint64_t lf_size_masks[9] = {0, 0xff, 0xffff, 0, 0xffffffffULL, 0, 0, 0, ~0ULL};

/* flags_cond for a condition known at compile time: the common cases (ZF and
 * SF from any recorded result, CMP/SUB operands, LOGIC results) inline, the
 * rest through flags_cond. cc as in Jcc's low nibble. */
static inline __attribute__((always_inline)) bool flags_cond_inline(struct cpu *cpu,
                                                                    unsigned cc)
{
    const struct lazy_flags *lf = &cpu->lf;
    uint64_t m = lf_size_masks[lf->size & 15];
    unsigned kind = cc >> 1;
    bool neg = cc & 1;
    if (lf->op != LF_NONE && kind == 2) /* E / NE */
        return ((lf->res & m) == 0) != neg;
    if (lf->op != LF_NONE && kind == 4) /* S / NS */
        return ((lf->res & m & ~(m >> 1)) != 0) != neg;
    if (lf->op == LF_SUB && lf->size >= 4) {
        uint64_t a = lf->src1 & m, b = lf->src2 & m;
        int64_t sa = lf->size == 8 ? (int64_t)a : (int32_t)a;
        int64_t sb = lf->size == 8 ? (int64_t)b : (int32_t)b;
        switch (kind) {
        case 1: return (a < b) != neg;   /* B / AE */
        case 3: return (a <= b) != neg;  /* BE / A */
        case 6: return (sa < sb) != neg; /* L / GE */
        case 7: return (sa <= sb) != neg; /* LE / G */
        default: break;
        }
    }
    return flags_cond(cpu, cc);
}

/* Replaces the arithmetic flags with `value` (only bits in `mask`). */
static inline void flags_put(struct cpu *cpu, uint64_t mask, uint64_t value)
{
    uint64_t f = flags_materialize(cpu);
    cpu->rflags = (f & ~mask) | (value & mask);
}

/* Parity of the low byte, as PF wants it (1 = even number of bits). */
static inline bool parity8(uint64_t v)
{
    return !__builtin_parity((unsigned)(v & 0xff));
}

/* ---- sizes and registers ------------------------------------------------ */

static inline uint64_t size_mask(unsigned size)
{
    return ~0ULL >> (64 - size * 8);
}

static inline uint64_t sign_bit(unsigned size)
{
    return 1ULL << (size * 8 - 1);
}

static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return (int64_t)(v << shift) >> shift;
}

static inline uint64_t reg_read(const struct cpu *cpu, unsigned r, unsigned size)
{
    switch (size) {
    case 1:
        return r >= REG_AH ? (cpu->gpr[r - REG_AH] >> 8) & 0xff : cpu->gpr[r] & 0xff;
    case 2: return cpu->gpr[r] & 0xffff;
    case 4: return cpu->gpr[r] & 0xffffffff;
    default: return cpu->gpr[r];
    }
}

/* Writes with the x86 merge rules: 8/16-bit writes keep the other bits,
 * 32-bit writes zero-extend. */
static inline void reg_write(struct cpu *cpu, unsigned r, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        if (r >= REG_AH)
            cpu->gpr[r - REG_AH] = (cpu->gpr[r - REG_AH] & ~0xff00ULL) | ((v & 0xff) << 8);
        else
            cpu->gpr[r] = (cpu->gpr[r] & ~0xffULL) | (v & 0xff);
        break;
    case 2: cpu->gpr[r] = (cpu->gpr[r] & ~0xffffULL) | (v & 0xffff); break;
    case 4: cpu->gpr[r] = v & 0xffffffff; break;
    default: cpu->gpr[r] = v; break;
    }
}

static inline uint64_t next_rip(const struct cpu *cpu)
{
    return cpu->gpr[REG_NEXT_RIP];
}

/* ---- memory (mem.c) ------------------------------------------------------ */

/* Effective address of the instruction's memory operand (address-size wrapped). */
static inline uint64_t insn_ea(const struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = (uint64_t)(int64_t)in->disp + cpu->gpr[in->base] +
                  (cpu->gpr[in->index] << in->scale);
    return ea & size_mask(in->asz);
}

/* Segmentation for a data access: the linear address, after limit/type
 * checks in legacy modes (#GP/#SS) and the canonical check in 64-bit mode. */
uint64_t seg_linear_slow(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size, unsigned acc);

/* Alignment checking is armed (SDM Vol. 3 §6.15): CR0.AM, RFLAGS.AC and
 * CPL 3. The fast path is off while it is (cpu_refresh_fast_path), so the
 * slow path sees every access and raises #AC(0). */
static inline bool cpu_alignment_checks(const struct cpu *cpu)
{
    return cpu->cpl == 3 && (cpu->cr0 & CR0_AM) && (cpu->rflags & RFLAGS_AC);
}

/* acc: MMU_READ/MMU_WRITE/MMU_EXEC, plus MEM_STACK when the access goes
 * through SS (a non-canonical address then raises #SS instead of #GP). */
#define MEM_STACK (1u << 8)
uint64_t mem_read_slow(struct cpu *cpu, uint64_t lin, unsigned size, unsigned acc);
void mem_write_slow(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t value, unsigned acc);

static inline uint64_t load_host(uintptr_t p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, (const void *)p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, (const void *)p, 4); return v; }
    default: { uint64_t v; memcpy(&v, (const void *)p, 8); return v; }
    }
}

static inline void store_host(uintptr_t p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy((void *)p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy((void *)p, &x, 4); break; }
    default: memcpy((void *)p, &v, 8); break;
    }
}

static inline bool fits_in_page(uint64_t lin, unsigned size)
{
    return (lin & PAGE_OFFSET_MASK) <= PAGE_SIZE - size;
}

static inline uint64_t seg_linear(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size,
                                  unsigned acc)
{
    if (unlikely(cpu->seg_checks))
        return seg_linear_slow(cpu, sreg, ea, size, acc);
    return ea + cpu->segbase[sreg];
}

/* Reads `size` bytes at linear address lin (no segmentation). `stack` is
 * MEM_STACK or 0. */
static inline uint64_t lin_read(struct cpu *cpu, uint64_t lin, unsigned size, unsigned stack)
{
    struct mmu_fast *e = mmu_fast_entry(&cpu->mmu, cpu->mmu_idx, lin);
    if (likely(e->tag_r == (lin & ~PAGE_OFFSET_MASK) && fits_in_page(lin, size))) {
        ++*e->dhits; /* a data TLB hit (mmu.h) */
        return load_host(e->addend + lin, size);
    }
    return mem_read_slow(cpu, lin, size, MMU_READ | stack);
}

static inline void lin_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v,
                             unsigned stack)
{
    struct mmu_fast *e = mmu_fast_entry(&cpu->mmu, cpu->mmu_idx, lin);
    if (likely(e->tag_w == (lin & ~PAGE_OFFSET_MASK) && fits_in_page(lin, size))) {
        ++*e->dhits;
        store_host(e->addend + lin, size, v);
        return;
    }
    mem_write_slow(cpu, lin, size, v, MMU_WRITE | stack);
}

static inline unsigned stack_flag(unsigned sreg)
{
    return sreg == SEG_SS ? MEM_STACK : 0;
}

static inline uint64_t mem_read(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size)
{
    return lin_read(cpu, seg_linear(cpu, sreg, ea, size, MMU_READ), size, stack_flag(sreg));
}

static inline void mem_write(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size,
                             uint64_t v)
{
    lin_write(cpu, seg_linear(cpu, sreg, ea, size, MMU_WRITE), size, v, stack_flag(sreg));
}

/* Checks that a write of `size` bytes at ea would succeed (segmentation and
 * paging, both pages when it crosses), without writing. Used before
 * multi-part updates so that no part lands when a later one would fault. */
void mem_probe_write(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size);

/* Operand-0 / operand-1 memory access for a decoded instruction. */
static inline uint64_t insn_mem_read(struct cpu *cpu, const struct insn *in, unsigned size)
{
    return mem_read(cpu, in->seg, insn_ea(cpu, in), size);
}

static inline void insn_mem_write(struct cpu *cpu, const struct insn *in, unsigned size,
                                  uint64_t v)
{
    mem_write(cpu, in->seg, insn_ea(cpu, in), size, v);
}

/* Operand 0 (register r1 or memory) and operand 1 (register r2 or memory),
 * at the instruction's operand size. */
static inline uint64_t op0_read(struct cpu *cpu, const struct insn *in)
{
    return (in->flags & INSN_M0) ? insn_mem_read(cpu, in, in->osz) : reg_read(cpu, in->r1, in->osz);
}

static inline void op0_write(struct cpu *cpu, const struct insn *in, uint64_t v)
{
    if (in->flags & INSN_M0)
        insn_mem_write(cpu, in, in->osz, v);
    else
        reg_write(cpu, in->r1, in->osz, v);
}

static inline uint64_t op1_read(struct cpu *cpu, const struct insn *in, unsigned size)
{
    return (in->flags & INSN_M1) ? insn_mem_read(cpu, in, size) : reg_read(cpu, in->r2, size);
}

/* Implicit supervisor access to a system table (GDT, IDT, TSS) by linear address. */
uint64_t sys_read(struct cpu *cpu, uint64_t lin, unsigned size);
void sys_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v);

/* ---- stack (stack.c) ------------------------------------------------------ */

void stack_push(struct cpu *cpu, unsigned size, uint64_t v);
uint64_t stack_pop(struct cpu *cpu, unsigned size);
/* Reads the stack at offset `off` from RSP without moving it. */
uint64_t stack_peek(struct cpu *cpu, uint64_t off, unsigned size);

static inline uint64_t stack_mask(const struct cpu *cpu)
{
    return size_mask(cpu->stack_size);
}

/* ---- mode and system state (cpu.c, seg.c) ------------------------------------ */

static inline bool cpu_long64(const struct cpu *cpu)
{
    return cpu->mode == MODE_LONG64;
}

static inline bool cpu_protected(const struct cpu *cpu)
{
    return (cpu->cr0 & CR0_PE) != 0;
}

/* Sets CPL-dependent derived state (MMU index). */
void cpu_set_cpl(struct cpu *cpu, unsigned cpl);
/* The full load of a segment register from a selector, with the SDM's checks. */
void seg_load(struct cpu *cpu, unsigned sreg, uint16_t sel);
/* Linear address of sel's descriptor (`bytes` long) in the GDT/LDT; false
 * if it lies beyond the table limit (or TI = 1 with no LDT). */
bool seg_desc_addr(const struct cpu *cpu, uint16_t sel, unsigned bytes, uint64_t *at);
/* Reads sel's descriptor: 8 bytes, or 16 for a system descriptor
 * (`system`) in IA-32e mode. False if outside the table. */
bool seg_fetch_descriptor(struct cpu *cpu, uint16_t sel, bool system, uint64_t desc[2]);
/* The same, raising `vector`(sel) when outside the table. */
void seg_read_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector, uint64_t desc[2]);
void seg_read_system_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector, uint64_t desc[2]);
/* Sets the accessed bit of sel's descriptor in memory if lo lacks it. */
void seg_set_accessed(struct cpu *cpu, uint16_t sel, uint64_t lo);
/* Whether `bytes` bytes below sp fit in stack segment s (limit, expand-down, B). */
bool seg_stack_room(const struct seg *s, uint64_t sp, unsigned bytes);
void cpu_set_seg(struct cpu *cpu, unsigned sreg, uint16_t sel, uint64_t base, uint32_t limit,
                 uint32_t attr);

/* The TSS (deliver.c). TSS64_RSP0: RSPn is at 4 + 8n in the 64-bit TSS. */
#define TSS64_RSP0 4
/* Reads a TSS field, #TS(TR | ext) beyond its limit. */
uint64_t tss_read_field(struct cpu *cpu, unsigned off, unsigned size, uint32_t ext);
/* SS:ESP for ring new_cpl from a 16/32-bit TSS, with the #TS/#SS checks. */
void tss_stack(struct cpu *cpu, unsigned new_cpl, uint32_t ext, struct seg *ss, uint64_t *esp);

/* Hardware task switches (task.c), legacy protected mode. */
enum task_source { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
/* Switches to the TSS `sel` (descriptor d0, already checked to be an
 * available TSS the caller may use): saves the current task with EIP =
 * ret_eip, loads the new one. ext: the EXT bit for faults raised by the
 * switch. Returns the new TSS's width (2 or 4), for an error-code push. */
unsigned task_switch(struct cpu *cpu, uint16_t sel, uint64_t d0, enum task_source src,
                     uint64_t ret_eip, uint32_t ext);
/* The same through a task gate (its DPL and P already checked). */
unsigned task_through_gate(struct cpu *cpu, uint64_t gate, enum task_source src,
                           uint64_t ret_eip, uint32_t ext);
/* IRET with NT = 1: back to the task in the current TSS's link field. */
void task_return(struct cpu *cpu);

/* Far transfers (far.c, ret.c). */
void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz);
void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz);
void far_return(struct cpu *cpu, unsigned osz, uint16_t pop_bytes);
void cpu_iret(struct cpu *cpu, unsigned osz);

/* ---- debug registers (debugreg.c) ---------------------------------------- */

#define DR6_BS (1ULL << 14) /* single step */
/* Recomputes dr_exec/dr_data/dr_io after DR7 or CR4.DE changed. */
void dr_update(struct cpu *cpu);
/* MOV DR with DR7.GD set: DR6.BD and a #DB fault. */
void dr_general_detect(struct cpu *cpu);
/* Whether an instruction breakpoint matches the instruction at RIP (sets DR6). */
bool dr_exec_hit(struct cpu *cpu);
/* A data (or I/O) access the enabled breakpoints may match: a hit is a
 * #DB trap after the instruction. */
void dr_data_access(struct cpu *cpu, uint64_t lin, unsigned size, bool write);
void dr_io_access(struct cpu *cpu, uint16_t port, unsigned size);
/* Delivers the #DB trap for dr6_pending. */
void dr_deliver_trap(struct cpu *cpu);

/* ---- io (io.c) ----------------------------------------------------------- */

/* Raises #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows the access. */
void io_check(struct cpu *cpu, uint16_t port, unsigned size);

/* ---- MSRs and CPUID (msr.c, cpuid.c) -------------------------------------- */

int msr_read(struct cpu *cpu, uint32_t msr, uint64_t *value);
int msr_write(struct cpu *cpu, uint32_t msr, uint64_t value);
/* Why RDMSR/WRMSR of msr failed: FC_BAD_MSR (no such MSR) or FC_MSR_VALUE. */
unsigned msr_fault_cause(struct cpu *cpu, uint32_t msr);
void cpuid_query(const struct cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
uint64_t cpu_tsc(struct cpu *cpu);

/* ---- execution (exec.c) ------------------------------------------------------ */

/* Counts the instructions of the current block retired so far into icount,
 * so a device that reads virtual time sees the exact instruction count. */
void cpu_sync_icount(struct cpu *cpu);
/* Ends the current block after the current instruction. */
static inline void cpu_end_block(struct cpu *cpu)
{
    cpu->end = cpu->cur + 1;
}

#endif
