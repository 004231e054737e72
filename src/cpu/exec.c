/* The execution loop. Blocks run back to back through their cached
 * successor links (block chaining) while nothing needs attention; anything
 * that could change what happens between instructions -- an interrupt
 * request, HLT, an interrupt shadow, TF, a block killed by a code write --
 * sets cpu->attention, and the loop services it before the next block.
 * Faults longjmp back here (cpu_fault). */
#include <limits.h>

#include "block.h"
#include "events.h"

void cpu_sync_icount(struct cpu *cpu)
{
    if (!cpu->cur)
        return;
    cpu->icount += (uint64_t)(cpu->cur - cpu->count_from);
    cpu->count_from = cpu->cur;
}

static void record_block(struct cpu *cpu, uint64_t rip)
{
    struct cpu_recent_block *r = &cpu->recent[cpu->recent_pos++ % CPU_RECENT_BLOCKS];
    r->rip = rip;
    r->cs_base = cpu->segbase[SEG_CS];
    r->icount = cpu->icount;
    r->mode = cpu->mode;
}

/* Runs at most `max` (>= 1) instructions of b. Handlers see cpu->rip at
 * their own start and set gpr[REG_NEXT_RIP] to branch. */
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

/* run_block with an EMU_EV_INSN event after each instruction retires. */
static void run_block_hooked(struct cpu *cpu, const struct block *b, unsigned max)
{
    const struct insn *in = b->insns;
    cpu->cur = in;
    cpu->count_from = in;
    cpu->end = in + (b->n < max ? b->n : max);
    do {
        uint64_t rip = cpu->rip;
        cpu->gpr[REG_NEXT_RIP] = rip + in->len;
        in->fn(cpu, in);
        cpu->rip = cpu->gpr[REG_NEXT_RIP];
        cpu->cur = ++in;
        emu_event ev = {.kind = EMU_EV_INSN, .rip = rip, .cpl = cpu->cpl};
        ev.u.insn.len = in[-1].len;
        cpu_emit(cpu, &ev);
        /* A subscriber asked to stop (cpu_request_exit): cpu_end_block saw cur
         * already on the next instruction, so stop here, before it runs. */
        if (unlikely(cpu->pending & CPU_PENDING_EXIT))
            break;
    } while (in < cpu->end);
    cpu->icount += (uint64_t)(in - cpu->count_from);
    cpu->cur = NULL;
}

/* Whether b's instructions can fall in a subscribed instruction range:
 * blocks outside every range run at full speed while an instruction hook
 * watches one address. */
static bool insn_watched(const struct cpu *cpu, const struct block *b)
{
    uint64_t last = cpu->rip + b->bytes - 1;
    if (last < cpu->rip)
        last = UINT64_MAX;
    return cpu->rip <= cpu->insn_hi && last >= cpu->insn_lo;
}

static void run_some(struct cpu *cpu, const struct block *b, unsigned max)
{
    if (cpu_hooked(cpu, EMU_EV_INSN) && insn_watched(cpu, b))
        run_block_hooked(cpu, b, max);
    else
        run_block(cpu, b, max);
}

/* The block for the RIP the previous block left, through its links when
 * the link was made in the current epoch (no TLB change, no mode change, no
 * block killed since). */
static struct block *next_block(struct cpu *cpu, struct block *b)
{
    uint64_t epoch = cpu->mmu.epoch;
    for (unsigned i = 0; i < BLOCK_LINKS; i++) {
        const struct block_link *l = &b->links[i];
        if (l->rip == cpu->rip && l->epoch == epoch) {
            ++*l->ihits; /* the ITLB entry is still there: the epoch would have moved */
            return l->to;
        }
    }
    struct block *n = bc_lookup(cpu);
    if (cpu->mmu.epoch == epoch) { /* b was not freed by a cache flush */
        b->next_link = (uint8_t)((b->next_link + 1) % BLOCK_LINKS);
        b->links[b->next_link] = (struct block_link){cpu->rip, epoch, n, cpu->mmu.fetch_hits};
    }
    return n;
}

/* Runs chained blocks until the instruction limit or until something needs
 * attention; `watched` (a constant in each caller) selects run_some, which
 * reports instructions, over run_block. */
static inline __attribute__((always_inline)) void run_chain_as(struct cpu *cpu, uint64_t limit,
                                                               bool watched)
{
    struct block *b = bc_lookup(cpu);
    for (;;) {
        record_block(cpu, cpu->rip);
        uint64_t left = limit - cpu->icount;
        unsigned max = left < UINT_MAX ? (unsigned)left : UINT_MAX;
        if (watched)
            run_some(cpu, b, max);
        else
            run_block(cpu, b, max);
        if (unlikely(cpu->attention) || cpu->icount >= limit)
            return;
        b = next_block(cpu, b);
    }
}

/* Without instruction hooks, chains test nothing per block: subscribing
 * sets cpu->attention, so the choice is made again before the next chain. */
static void run_chain(struct cpu *cpu, uint64_t limit)
{
    if (cpu_hooked(cpu, EMU_EV_INSN))
        run_chain_as(cpu, limit, true);
    else
        run_chain_as(cpu, limit, false);
}

/* Takes a pending NMI or external interrupt if the CPU accepts it now.
 * Returns true if an event was delivered. */
static bool take_interrupt(struct cpu *cpu)
{
    bool was_halted = cpu->halted;
    int vector = -1;
    if ((cpu->pending & CPU_PENDING_NMI) && !cpu->nmi_blocked) {
        cpu->pending &= ~(uint32_t)CPU_PENDING_NMI;
        vector = EXC_NMI;
    } else if ((cpu->pending & CPU_PENDING_INTR) && (cpu->rflags & RFLAGS_IF)) {
        vector = cpu->env.intr_ack ? cpu->env.intr_ack(cpu->env.opaque) : -1;
    }
    if (vector < 0) /* the request went away: a halted CPU sleeps on */
        return false;
    cpu->halted = false;
    if (was_halted && cpu_hooked(cpu, EMU_EV_WAKE))
        cpu_ev_wake(cpu, (unsigned)vector);
    cpu_deliver_event(cpu, (unsigned)vector, true);
    return true;
}

/* Whether the loop must come back to service() at the next block boundary. */
static bool needs_attention(const struct cpu *cpu)
{
    return cpu->halted || cpu->intr_shadow || (cpu->rflags & (RFLAGS_TF | RFLAGS_RF)) ||
           cpu->dr_exec || cpu->dr6_pending || cpu->bc->dead ||
           (cpu->pending & CPU_PENDING_EXIT) ||
           ((cpu->pending & CPU_PENDING_NMI) && !cpu->nmi_blocked) ||
           ((cpu->pending & CPU_PENDING_INTR) && (cpu->rflags & RFLAGS_IF));
}

enum service_result { SERVICE_RUN, SERVICE_ONE, SERVICE_EVENT };

/* Between blocks: free dead blocks, honour an exit request, take an
 * interrupt (not in a shadow), report HLT. Returns a cpu_exit to return, or
 * -1 with *what telling how to go on. */
static int service(struct cpu *cpu, enum service_result *what)
{
    *what = SERVICE_RUN;
    if (cpu->bc->dead)
        bc_reap(cpu->bc);
    if (cpu->pending & CPU_PENDING_EXIT) { /* before the shadow is consumed: it survives */
        cpu->pending &= ~(uint32_t)CPU_PENDING_EXIT;
        cpu->attention = needs_attention(cpu);
        return CPU_EXIT_REQUEST;
    }
    bool shadow = cpu->intr_shadow;
    cpu->intr_shadow = 0;
    if (cpu->dr6_pending && !shadow) {
        dr_deliver_trap(cpu); /* a trap of the last instruction comes before interrupts */
        *what = SERVICE_EVENT;
    } else if (!shadow && take_interrupt(cpu))
        *what = SERVICE_EVENT;
    else if (cpu->halted) {
        cpu->attention = true;
        return CPU_EXIT_HALT;
    } else if (shadow || (cpu->rflags & (RFLAGS_TF | RFLAGS_RF)) || cpu->dr_exec)
        *what = SERVICE_ONE;
    cpu->attention = *what != SERVICE_RUN || needs_attention(cpu);
    return -1;
}

/* Runs one instruction (a shadow, TF, RF or an instruction breakpoint
 * needs exactly one): first the instruction-breakpoint fault unless RF
 * suppresses it, then the instruction with RF cleared (it covers only this
 * one), then the #DB trap for TF or a data breakpoint -- held back one more
 * instruction after MOV SS (SDM Vol. 3 §6.8.3). */
static void run_one(struct cpu *cpu)
{
    uint64_t f = cpu->rflags;
    if (unlikely(cpu->dr_exec) && !(f & RFLAGS_RF) && dr_exec_hit(cpu)) {
        cpu_deliver_event(cpu, EXC_DB, false);
        return;
    }
    cpu->rflags = f & ~RFLAGS_RF;
    struct block *b = bc_lookup(cpu);
    record_block(cpu, cpu->rip);
    run_some(cpu, b, 1);
    if (f & RFLAGS_TF)
        cpu->dr6_pending |= DR6_BS;
    if (cpu->dr6_pending && cpu->intr_shadow != CPU_SHADOW_MOV_SS)
        dr_deliver_trap(cpu);
}

enum cpu_exit cpu_exec(struct cpu *cpu, uint64_t icount_limit)
{
    if (setjmp(cpu->fault_jmp)) {
        cpu_handle_fault_jump(cpu);
        cpu->attention = true;
        if (unlikely(cpu->stuck_faults >= CPU_STUCK_FAULTS)) {
            cpu->stuck_faults = 0;
            return CPU_EXIT_STUCK;
        }
    }
    for (;;) {
        if (unlikely(cpu->shutdown))
            return CPU_EXIT_SHUTDOWN;
        if (cpu->icount >= icount_limit)
            return CPU_EXIT_BUDGET;
        if (unlikely(cpu->attention)) {
            enum service_result what;
            int r = service(cpu, &what);
            if (r >= 0)
                return (enum cpu_exit)r;
            if (what != SERVICE_RUN) {
                if (what == SERVICE_ONE)
                    run_one(cpu);
                continue;
            }
        }
        run_chain(cpu, icount_limit);
    }
}

enum cpu_exit cpu_step(struct cpu *cpu)
{
    if (setjmp(cpu->fault_jmp)) {
        cpu_handle_fault_jump(cpu);
        cpu->attention = true;
        return cpu->shutdown ? CPU_EXIT_SHUTDOWN : CPU_EXIT_STEP;
    }
    if (cpu->shutdown)
        return CPU_EXIT_SHUTDOWN;
    enum service_result what = SERVICE_ONE;
    if (cpu->attention) {
        int r = service(cpu, &what);
        if (r >= 0)
            return (enum cpu_exit)r;
        if (what == SERVICE_EVENT)
            return CPU_EXIT_STEP;
    }
    run_one(cpu);
    cpu->attention = true;
    return CPU_EXIT_STEP;
}

void cpu_set_intr(struct cpu *cpu, bool level)
{
    if (level) {
        cpu->pending |= CPU_PENDING_INTR;
        cpu->attention = true;
    } else {
        cpu->pending &= ~(uint32_t)CPU_PENDING_INTR;
    }
}

void cpu_raise_nmi(struct cpu *cpu)
{
    cpu->pending |= CPU_PENDING_NMI;
    cpu->attention = true;
}

void cpu_kick(struct cpu *cpu)
{
    cpu->pending |= CPU_PENDING_EXIT;
    cpu->attention = true;
}

void cpu_request_exit(struct cpu *cpu)
{
    cpu->pending |= CPU_PENDING_EXIT;
    cpu->attention = true;
    if (cpu->cur)
        cpu_end_block(cpu);
}

bool cpu_can_wake(const struct cpu *cpu)
{
    if (cpu->pending & (CPU_PENDING_NMI | CPU_PENDING_EXIT))
        return true;
    return (cpu->pending & CPU_PENDING_INTR) && (cpu->rflags & RFLAGS_IF);
}
