/* The debug registers (SDM Vol. 3 §17.2-17.3): DR0-DR3 as instruction,
 * data and I/O breakpoints under DR7, the DR6 status bits, general detect
 * (DR7.GD), and the single-step trap's BS bit. Breakpoints cost nothing
 * while DR7 enables none: instruction breakpoints make the run loop step
 * one instruction at a time, data breakpoints keep the memory fast path
 * empty so that every access reaches the check in mem.c. */
#include "events.h"

#define DR7_ENABLE_BITS(n) (3u << (2 * (n)))
#define DR7_RW_SHIFT(n) (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))
#define DR7_GD (1ULL << 13)
#define DR6_BD (1ULL << 13)
#define DR6_B_ALL 0xFULL

enum { DR_RW_EXEC, DR_RW_WRITE, DR_RW_IO, DR_RW_READ_WRITE };

static unsigned dr_rw(const struct cpu *cpu, unsigned n)
{
    return (unsigned)(cpu->dr[7] >> DR7_RW_SHIFT(n)) & 3;
}

/* LEN 00 = 1 byte, 01 = 2, 10 = 8, 11 = 4. */
static uint64_t dr_len(const struct cpu *cpu, unsigned n)
{
    static const uint8_t lens[4] = {1, 2, 8, 4};
    return lens[(cpu->dr[7] >> DR7_LEN_SHIFT(n)) & 3];
}

void cpu_refresh_fast_path(struct cpu *cpu)
{
    uint32_t mem = (1u << EMU_EV_MEM_READ) | (1u << EMU_EV_MEM_WRITE);
    bool slow = (cpu->hook_mask & mem) || cpu->dr_data || cpu_alignment_checks(cpu);
    if (slow != cpu->mmu.no_fast) {
        cpu->mmu.no_fast = slow;
        mmu_fast_flush(&cpu->mmu);
    }
}

void dr_update(struct cpu *cpu)
{
    cpu->dr_exec = cpu->dr_data = cpu->dr_io = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!(cpu->dr[7] & DR7_ENABLE_BITS(n)))
            continue;
        switch (dr_rw(cpu, n)) {
        case DR_RW_EXEC: cpu->dr_exec |= (uint8_t)(1u << n); break;
        case DR_RW_IO:
            if (cpu->cr4 & CR4_DE)
                cpu->dr_io |= (uint8_t)(1u << n);
            break;
        default: cpu->dr_data |= (uint8_t)(1u << n); break;
        }
    }
    cpu_refresh_fast_path(cpu);
    cpu->attention = true;
}

void dr_general_detect(struct cpu *cpu)
{
    if (!(cpu->dr[7] & DR7_GD))
        return;
    cpu->dr[6] |= DR6_BD;
    cpu->dr[7] &= ~DR7_GD;
    cpu_fault(cpu, EXC_DB, EXC_NO_ERROR);
}

bool dr_exec_hit(struct cpu *cpu)
{
    uint64_t lin = cpu->segbase[SEG_CS] + cpu->rip;
    if (!cpu_long64(cpu))
        lin &= 0xffffffffULL;
    uint64_t hits = 0;
    for (unsigned n = 0; n < 4; n++)
        if ((cpu->dr_exec & (1u << n)) && cpu->dr[n] == lin)
            hits |= 1ULL << n;
    if (!hits)
        return false;
    cpu->dr[6] = (cpu->dr[6] & ~DR6_B_ALL) | hits;
    cpu->dr[7] &= ~DR7_GD;
    return true;
}

/* A hit ends the block after the current instruction: the trap is taken
 * between instructions by the run loop. */
static void hit(struct cpu *cpu, uint64_t bits)
{
    cpu->dr6_pending |= bits;
    cpu->attention = true;
    if (cpu->cur)
        cpu_end_block(cpu);
}

void dr_data_access(struct cpu *cpu, uint64_t lin, unsigned size, bool write)
{
    uint64_t bits = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!(cpu->dr_data & (1u << n)) || (dr_rw(cpu, n) == DR_RW_WRITE && !write))
            continue;
        uint64_t len = dr_len(cpu, n), base = cpu->dr[n] & ~(len - 1);
        if (lin < base + len && lin + size > base)
            bits |= 1ULL << n;
    }
    if (bits)
        hit(cpu, bits);
}

void dr_io_access(struct cpu *cpu, uint16_t port, unsigned size)
{
    uint64_t bits = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!(cpu->dr_io & (1u << n)))
            continue;
        uint64_t len = dr_len(cpu, n), base = (cpu->dr[n] & 0xffff) & ~(len - 1);
        if (port < base + len && port + size > base)
            bits |= 1ULL << n;
    }
    if (bits)
        hit(cpu, bits);
}

void dr_deliver_trap(struct cpu *cpu)
{
    uint64_t bits = cpu->dr6_pending;
    cpu->dr6_pending = 0;
    if (bits & DR6_B_ALL)
        cpu->dr[6] &= ~DR6_B_ALL;
    cpu->dr[6] |= bits;
    cpu->dr[7] &= ~DR7_GD;
    cpu_deliver_event(cpu, EXC_DB, false);
}
