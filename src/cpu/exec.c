/* The execution loop: look up the block for RIP, run its instructions, check
 * pending events between blocks. Faults longjmp back here (cpu_fault). */
#include <limits.h>

#include "block.h"

void cpu_sync_icount(struct cpu *cpu)
{
    if (!cpu->cur)
        return;
    cpu->icount += (uint64_t)(cpu->cur - cpu->count_from);
    cpu->count_from = cpu->cur;
}

static void record_block(struct cpu *cpu, uint64_t rip)
{
    cpu->recent_rips[cpu->recent_pos++ % CPU_RECENT_RIPS] = rip;
}

/* Runs at most `max` instructions of b. Handlers see cpu->rip at their own
 * start and set gpr[REG_NEXT_RIP] to branch. */
static void run_block(struct cpu *cpu, const struct block *b, unsigned max)
{
    const struct insn *in = b->insns;
    cpu->cur = in;
    cpu->count_from = in;
    cpu->end = in + (b->n < max ? b->n : max);
    do {
        cpu->gpr[REG_NEXT_RIP] = cpu->rip + in->len;
        in->fn(cpu, in);
        cpu->rip = cpu->gpr[REG_NEXT_RIP];
        cpu->cur = ++in;
    } while (in < cpu->end);
    cpu->icount += (uint64_t)(in - cpu->count_from);
    cpu->cur = NULL;
}

/* Takes a pending NMI or external interrupt if the CPU accepts it now.
 * Returns true if an event was delivered. */
static bool take_interrupt(struct cpu *cpu)
{
    if ((cpu->pending & CPU_PENDING_NMI) && !cpu->nmi_blocked) {
        cpu->pending &= ~(uint32_t)CPU_PENDING_NMI;
        cpu->halted = false;
        cpu_deliver_event(cpu, EXC_NMI, true);
        return true;
    }
    if ((cpu->pending & CPU_PENDING_INTR) && (cpu->rflags & RFLAGS_IF)) {
        int vector = cpu->env.intr_ack ? cpu->env.intr_ack(cpu->env.opaque) : -1;
        cpu->halted = false;
        if (vector >= 0) {
            cpu_deliver_event(cpu, (unsigned)vector, true);
            return true;
        }
    }
    return false;
}

/* One turn of the loop: events, then one block, cut to `budget`
 * instructions (one when an interrupt shadow or TF asks for it). With
 * `single`, delivering an event counts as the step. */
static int run_once(struct cpu *cpu, uint64_t budget, bool single)
{
    bool shadow = cpu->intr_shadow;
    cpu->intr_shadow = 0;
    if (unlikely(cpu->pending)) {
        if (cpu->pending & CPU_PENDING_EXIT) {
            cpu->pending &= ~(uint32_t)CPU_PENDING_EXIT;
            return CPU_EXIT_REQUEST;
        }
        if (!shadow && take_interrupt(cpu) && single)
            return CPU_EXIT_STEP;
    }
    if (cpu->halted)
        return CPU_EXIT_HALT;
    if (unlikely(cpu->bc->dead != NULL))
        bc_reap(cpu->bc);
    const struct block *b = bc_lookup(cpu);
    record_block(cpu, cpu->rip);
    bool tf = (cpu->rflags & RFLAGS_TF) != 0;
    unsigned max = budget < UINT_MAX ? (unsigned)budget : UINT_MAX;
    run_block(cpu, b, (shadow || tf) ? 1 : max);
    if (unlikely(tf))
        cpu_deliver_event(cpu, EXC_DB, false);
    return -1;
}

enum cpu_exit cpu_exec(struct cpu *cpu, uint64_t icount_limit)
{
    if (setjmp(cpu->fault_jmp))
        cpu_handle_fault_jump(cpu);
    for (;;) {
        if (unlikely(cpu->shutdown))
            return CPU_EXIT_SHUTDOWN;
        if (cpu->icount >= icount_limit)
            return CPU_EXIT_BUDGET;
        int r = run_once(cpu, icount_limit - cpu->icount, false);
        if (r >= 0)
            return (enum cpu_exit)r;
    }
}

enum cpu_exit cpu_step(struct cpu *cpu)
{
    if (setjmp(cpu->fault_jmp)) {
        cpu_handle_fault_jump(cpu);
        return cpu->shutdown ? CPU_EXIT_SHUTDOWN : CPU_EXIT_STEP;
    }
    if (cpu->shutdown)
        return CPU_EXIT_SHUTDOWN;
    int r = run_once(cpu, 1, true);
    return r >= 0 ? (enum cpu_exit)r : CPU_EXIT_STEP;
}

void cpu_set_intr(struct cpu *cpu, bool level)
{
    if (level)
        cpu->pending |= CPU_PENDING_INTR;
    else
        cpu->pending &= ~(uint32_t)CPU_PENDING_INTR;
}

void cpu_raise_nmi(struct cpu *cpu)
{
    cpu->pending |= CPU_PENDING_NMI;
}

void cpu_request_exit(struct cpu *cpu)
{
    cpu->pending |= CPU_PENDING_EXIT;
    if (cpu->cur)
        cpu_end_block(cpu);
}

bool cpu_can_wake(const struct cpu *cpu)
{
    if (cpu->pending & (CPU_PENDING_NMI | CPU_PENDING_EXIT))
        return true;
    return (cpu->pending & CPU_PENDING_INTR) && (cpu->rflags & RFLAGS_IF);
}
