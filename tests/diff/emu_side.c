/* emu's side: a CPU at CPL 3 in 64-bit or compatibility mode (tests/isa
 * harness) whose page tables
 * map DIFF_CODE and DIFF_SCRATCH at the host's addresses. The sequence is
 * followed by UD2; the run ends at the first exception, and #UD at the end
 * address means the sequence completed. */
#include <stdio.h>
#include <stdlib.h>

#include "diff.h"
#include "harness.h"

#define PA_CODE    0x200000ULL
#define PA_SCRATCH (PA_CODE + DIFF_CODE_SIZE)
#define RUN_LIMIT  1000000u

struct isa *emu_side_new(bool compat)
{
    struct isa *m = isa_new(MODE_LONG64);
    isa_map(m, DIFF_CODE, PA_CODE, DIFF_CODE_SIZE, PTE_W | PTE_U);
    isa_map(m, DIFF_SCRATCH, PA_SCRATCH, DIFF_SCRATCH_SIZE, PTE_W | PTE_U);
    if (compat)
        isa_enter_user32(m);
    else
        isa_enter_user(m);
    return m;
}

void emu_side_free(struct isa *m)
{
    isa_free(m);
}

static void load(struct isa *m, const struct gen *g, const struct regs *in, const uint8_t *scratch)
{
    static const uint8_t ud2[] = {0x0f, 0x0b};
    for (unsigned i = 0; i < g->n; i++)
        isa_write(m, PA_CODE + (g->items[i].addr - DIFF_CODE), g->items[i].bytes, g->items[i].len);
    isa_write(m, PA_CODE + (g->code_end - DIFF_CODE), ud2, sizeof(ud2));
    isa_write(m, PA_SCRATCH, scratch, DIFF_SCRATCH_SIZE);
    for (unsigned r = 0; r < 16; r++)
        m->cpu->gpr[r] = in->gpr[r];
    cpu_set_rflags(m->cpu, in->rflags);
    m->cpu->rip = DIFF_SEQ;
}

/* One instruction at a time; returns the first exception's vector. */
static int run_stepped(struct isa *m, void (*on_insn)(void *, uint64_t), void *ctx)
{
    struct cpu *cpu = m->cpu;
    cpu->chain_len = 0;
    for (unsigned n = 0; n < RUN_LIMIT; n++) {
        on_insn(ctx, cpu->rip);
        if (cpu_step(cpu) == CPU_EXIT_SHUTDOWN) break;
    }
    if (!cpu->shutdown || cpu->chain_len == 0) {
        fprintf(stderr, "diff: stepped run did not end in an exception\n");
        abort();
    }
    cpu->shutdown = false;
    cpu->halted = false;
    return cpu->chain[0].vector;
}

void emu_side_run(struct isa *m, const struct gen *g, const struct regs *in, const uint8_t *scratch,
                  struct outcome *out, void (*on_insn)(void *ctx, uint64_t rip), void *ctx)
{
    load(m, g, in, scratch);
    uint64_t start = m->cpu->icount;
    int v = on_insn ? run_stepped(m, on_insn, ctx) : isa_continue(m, RUN_LIMIT);
    out->icount = m->cpu->icount - start;
    out->rip = m->cpu->rip;
    out->vector = (v == EXC_UD && out->rip == g->code_end) ? -1 : v;
    for (unsigned r = 0; r < 16; r++)
        out->r.gpr[r] = m->cpu->gpr[r];
    out->r.rflags = cpu_get_rflags(m->cpu);
    isa_read(m, PA_SCRATCH, out->scratch, DIFF_SCRATCH_SIZE);
}
