/* The state report printed when a run ends badly: the exception chain and
 * the registers. (The protection issue grows this into full forensics.) */
#include <stdio.h>
#include <string.h>

#include "machine.h"

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF(9)", "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *vector_name(unsigned v)
{
    return v < 32 && vector_names[v] ? vector_names[v] : "interrupt";
}

void machine_report(struct machine *m, FILE *out)
{
    struct cpu *c = m->cpu;
    fprintf(out, "exception chain:\n");
    for (int i = 0; i < c->chain_len; i++) {
        const struct cpu_fault_record *r = &c->chain[i];
        fprintf(out, "  %s (vector %u) at RIP=%#llx CPL=%u", vector_name(r->vector), r->vector,
                (unsigned long long)r->rip, r->cpl);
        if (r->has_error)
            fprintf(out, " error=%#x", r->error);
        if (r->vector == EXC_PF)
            fprintf(out, " CR2=%#llx", (unsigned long long)r->cr2);
        fputc('\n', out);
    }
    static const char *const names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
                                          "RSI", "RDI", "R8",  "R9",  "R10", "R11",
                                          "R12", "R13", "R14", "R15"};
    for (int i = 0; i < 16; i++)
        fprintf(out, "  %-3s=%016llx%s", names[i], (unsigned long long)c->gpr[i],
                i % 4 == 3 ? "\n" : "");
    fprintf(out, "  RIP=%016llx RFLAGS=%08llx CS=%04x SS=%04x CPL=%u mode=%u\n",
            (unsigned long long)c->rip, (unsigned long long)cpu_get_rflags(c), c->seg[SEG_CS].sel,
            c->seg[SEG_SS].sel, c->cpl, c->mode);
    fprintf(out, "  CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx EFER=%llx\n",
            (unsigned long long)c->cr0, (unsigned long long)c->cr2, (unsigned long long)c->cr3,
            (unsigned long long)c->cr4, (unsigned long long)c->efer);
    fprintf(out, "  GDTR=%llx/%x IDTR=%llx/%x TR=%04x icount=%llu\n",
            (unsigned long long)c->gdtr.base, c->gdtr.limit, (unsigned long long)c->idtr.base,
            c->idtr.limit, c->tr.sel, (unsigned long long)c->icount);
}

void emu_machine_report(emu_machine *m, FILE *out)
{
    machine_report(m, out);
}
