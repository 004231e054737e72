/* info registers | sregs | cr | msr NAME | flags | tlb | apic | pic | idt | gdt |
 * tss | breakpoints | checksum. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cpu/internal.h"
#include "desc.h"
#include "repl_int.h"

static void show_flags(struct repl *r, uint64_t f)
{
    char names[128];
    arch_format_flags(f, names, sizeof(names));
    repl_printf(r, "rflags 0x%016llx  [ %s ]\n", (unsigned long long)f, *names ? names : "none");
}

void info_registers(struct repl *r, int argc, char **argv)
{
    struct cpu *c = r->m->cpu;
    if (argc > 2) { /* info registers rax rip ... */
        for (int i = 2; i < argc; i++) {
            uint64_t v;
            if (repl_eval(r, argv[i][0] == '$' ? argv[i] : argv[i], &v))
                repl_printf(r, "%-7s 0x%016llx  %llu\n", argv[i], (unsigned long long)v,
                            (unsigned long long)v);
        }
        return;
    }
    for (int i = 0; i < 16; i++)
        repl_printf(r, "%-4s 0x%016llx%s", arch_gpr_names[i], (unsigned long long)c->gpr[i],
                    i % 2 ? "\n" : "    ");
    char where[200];
    repl_format_addr(r, c->rip, true, where, sizeof(where));
    repl_printf(r, "rip  %s\n", where);
    show_flags(r, cpu_get_rflags(c));
    repl_printf(r, "cs 0x%04x  ss 0x%04x  ds 0x%04x  es 0x%04x  fs 0x%04x  gs 0x%04x\n",
                c->seg[SEG_CS].sel, c->seg[SEG_SS].sel, c->seg[SEG_DS].sel, c->seg[SEG_ES].sel,
                c->seg[SEG_FS].sel, c->seg[SEG_GS].sel);
    repl_printf(r, "CPL %u, %s; instructions retired %llu\n", c->cpl, arch_mode_name(c->mode),
                (unsigned long long)c->icount);
}

static void show_seg(struct repl *r, const char *name, const struct seg *s)
{
    char what[128];
    desc_format_cached(s->attr, (r->m->cpu->efer & EFER_LMA) != 0, what, sizeof(what));
    repl_printf(r, "%-4s 0x%04x  base 0x%016llx  limit 0x%08x  attr 0x%04x  %s\n", name, s->sel,
                (unsigned long long)s->base, s->limit, s->attr & 0xffff, what);
}

static void info_sregs(struct repl *r)
{
    static const char *const names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs"};
    struct cpu *c = r->m->cpu;
    static const int order[SEG_COUNT] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (int i = 0; i < SEG_COUNT; i++)
        show_seg(r, names[order[i]], &c->seg[order[i]]);
    show_seg(r, "ldtr", &c->ldtr);
    show_seg(r, "tr", &c->tr);
    repl_printf(r, "gdtr base 0x%016llx  limit 0x%04x\n", (unsigned long long)c->gdtr.base,
                c->gdtr.limit);
    repl_printf(r, "idtr base 0x%016llx  limit 0x%04x\n", (unsigned long long)c->idtr.base,
                c->idtr.limit);
    repl_printf(r, "kernel_gs_base 0x%016llx (IA32_KERNEL_GS_BASE, swapped in by SWAPGS)\n",
                (unsigned long long)c->msr.kernel_gs_base);
}

struct bit_doc {
    uint64_t bit;
    const char *name, *meaning;
};

static void show_bits(struct repl *r, const char *reg, uint64_t v, const struct bit_doc *docs)
{
    repl_printf(r, "%-5s 0x%016llx\n", reg, (unsigned long long)v);
    for (const struct bit_doc *d = docs; d->name; d++)
        repl_printf(r, "      %-10s %d  %s\n", d->name, (v & d->bit) != 0, d->meaning);
}

static void info_cr(struct repl *r)
{
    static const struct bit_doc cr0[] = {
        {CR0_PE, "PE", "protected mode"},
        {CR0_MP, "MP", "monitor coprocessor"},
        {CR0_EM, "EM", "x87 emulation"},
        {CR0_TS, "TS", "task switched (lazy FPU)"},
        {CR0_NE, "NE", "native x87 errors"},
        {CR0_WP, "WP", "write protect: ring 0 honours read-only pages"},
        {CR0_AM, "AM", "alignment mask"},
        {CR0_NW, "NW", "not write-through"},
        {CR0_CD, "CD", "cache disable"},
        {CR0_PG, "PG", "paging"},
        {0, NULL, NULL},
    };
    static const struct bit_doc cr4[] = {
        {CR4_PSE, "PSE", "4 MiB pages (32-bit paging)"},
        {CR4_PAE, "PAE", "physical address extension (required for long mode)"},
        {CR4_PGE, "PGE", "global pages survive CR3 writes"},
        {CR4_OSFXSR, "OSFXSR", "FXSAVE/SSE enabled"},
        {CR4_UMIP, "UMIP", "user-mode instruction prevention"},
        {CR4_FSGSBASE, "FSGSBASE", "RDFSBASE/WRFSBASE... allowed"},
        {CR4_PCIDE, "PCIDE", "process-context identifiers"},
        {CR4_OSXSAVE, "OSXSAVE", "XSAVE enabled"},
        {CR4_SMEP, "SMEP", "ring 0 may not execute user pages"},
        {CR4_SMAP, "SMAP", "ring 0 may not access user pages (unless AC)"},
        {0, NULL, NULL},
    };
    static const struct bit_doc efer[] = {
        {EFER_SCE, "SCE", "SYSCALL/SYSRET enabled"},
        {EFER_LME, "LME", "long mode enable"},
        {EFER_LMA, "LMA", "long mode active"},
        {EFER_NXE, "NXE", "no-execute page bit enabled"},
        {0, NULL, NULL},
    };
    struct cpu *c = r->m->cpu;
    show_bits(r, "cr0", c->cr0, cr0);
    repl_printf(r, "cr2   0x%016llx  (the last page-fault address)\n", (unsigned long long)c->cr2);
    repl_printf(r, "cr3   0x%016llx  (page-table root %#llx%s)\n", (unsigned long long)c->cr3,
                (unsigned long long)(c->cr3 & 0x000ffffffffff000ULL),
                (c->cr4 & CR4_PCIDE) ? ", PCID in bits 11:0" : "");
    show_bits(r, "cr4", c->cr4, cr4);
    repl_printf(r, "cr8   0x%016llx  (task priority)\n", (unsigned long long)c->cr8);
    show_bits(r, "efer", c->efer, efer);
}

/* info msr NAME|NUMBER */
static void info_msr(struct repl *r, int argc, char **argv)
{
    if (argc < 3) {
        repl_error(r, "usage: info msr NAME|NUMBER   (for example: info msr IA32_LSTAR)");
        return;
    }
    uint32_t msr = 0;
    bool found = false;
    static const uint32_t ranges[][2] = {{0, 0x1000}, {0xC0000000, 0xC0001000}};
    for (size_t k = 0; k < 2 && !found; k++)
        for (uint32_t i = ranges[k][0]; i < ranges[k][1] && !found; i++) {
            const char *n = cpu_msr_name(i);
            if (n && (!strcasecmp(n, argv[2]) ||
                      (!strncmp(n, "IA32_", 5) && !strcasecmp(n + 5, argv[2])))) {
                msr = i;
                found = true;
            }
        }
    char *end;
    if (!found) {
        unsigned long v = strtoul(argv[2], &end, 0);
        if (*end || !*argv[2] || v > UINT32_MAX) {
            repl_error(r, "unknown MSR '%s' (a name such as IA32_LSTAR, or a number)", argv[2]);
            return;
        }
        msr = (uint32_t)v;
    }
    uint64_t value;
    const char *name = cpu_msr_name(msr);
    if (msr_read(r->m->cpu, msr, &value) != 0) {
        repl_printf(r, "MSR %#x%s%s%s: RDMSR would raise #GP (not implemented)\n", msr,
                    name ? " (" : "", name ? name : "", name ? ")" : "");
        return;
    }
    repl_printf(r, "%s (%#x) = 0x%016llx\n", name ? name : "MSR", msr, (unsigned long long)value);
}

static void info_flags(struct repl *r)
{
    static const struct bit_doc flags[] = {
        {RFLAGS_CF, "CF", "carry"},
        {RFLAGS_PF, "PF", "parity (low byte has an even number of 1 bits)"},
        {RFLAGS_AF, "AF", "auxiliary carry (BCD)"},
        {RFLAGS_ZF, "ZF", "zero"},
        {RFLAGS_SF, "SF", "sign"},
        {RFLAGS_TF, "TF", "trap: #DB after each instruction"},
        {RFLAGS_IF, "IF", "interrupts enabled"},
        {RFLAGS_DF, "DF", "direction: string instructions go down"},
        {RFLAGS_OF, "OF", "overflow"},
        {RFLAGS_NT, "NT", "nested task"},
        {RFLAGS_RF, "RF", "resume: no instruction breakpoint on the next instruction"},
        {RFLAGS_VM, "VM", "virtual-8086 mode"},
        {RFLAGS_AC, "AC", "alignment check / SMAP override"},
        {RFLAGS_ID, "ID", "CPUID available"},
        {0, NULL, NULL},
    };
    uint64_t f = cpu_get_rflags(r->m->cpu);
    show_bits(r, "rflags", f, flags);
    repl_printf(r, "      %-10s %llu  I/O privilege level\n", "IOPL",
                (unsigned long long)((f & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT));
}

static void tlb_line(struct repl *r, emu_tlb_id id, const char *name)
{
    emu_tlb_stats st;
    if (emu_cpu_get_tlb_stats(r->m, 0, id, &st) != EMU_OK) return;
    repl_printf(r,
                "%s: %llu lookups, %llu hits, %llu misses (page walks), %llu fills, "
                "%llu evictions, %llu entries invalidated\n",
                name, (unsigned long long)st.lookups, (unsigned long long)st.hits,
                (unsigned long long)st.misses, (unsigned long long)st.fills,
                (unsigned long long)st.evictions, (unsigned long long)st.invalidated);
    for (int c = 0; c < EMU_TLB_FLUSH_CAUSES; c++)
        if (st.flushes[c])
            repl_printf(r, "    flushes by %s: %llu\n",
                        emu_tlb_flush_cause_name((emu_tlb_flush_cause)c),
                        (unsigned long long)st.flushes[c]);
}

static void info_tlb(struct repl *r)
{
    emu_tlb_config cfg;
    emu_cpu_get_tlb_config(r->m, 0, &cfg);
    if (cfg.unified) {
        tlb_line(r, EMU_TLB_DATA, "TLB (unified)");
    } else {
        tlb_line(r, EMU_TLB_INSTRUCTION, "ITLB");
        tlb_line(r, EMU_TLB_DATA, "DTLB");
    }
    repl_printf(r, "page faults raised: %llu\n", (unsigned long long)r->m->cpu->mmu.faults);
}

void cmd_info(struct repl *r, int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "registers") || !strcmp(what, "reg") || !strcmp(what, "r"))
        info_registers(r, argc, argv);
    else if (!strcmp(what, "sregs"))
        info_sregs(r);
    else if (!strcmp(what, "cr"))
        info_cr(r);
    else if (!strcmp(what, "msr"))
        info_msr(r, argc, argv);
    else if (!strcmp(what, "flags"))
        info_flags(r);
    else if (!strcmp(what, "tlb"))
        info_tlb(r);
    else if (!strcmp(what, "idt"))
        info_idt(r, argc, argv);
    else if (!strcmp(what, "gdt"))
        info_gdt(r, argc, argv);
    else if (!strcmp(what, "tss"))
        info_tss(r, argc, argv);
    else if (!strcmp(what, "breakpoints") || !strcmp(what, "break") || !strcmp(what, "b"))
        info_breakpoints(r);
    else if (!strcmp(what, "checksum"))
        info_checksum(r);
    else if (!strcmp(what, "apic"))
        info_apic(r);
    else if (!strcmp(what, "pic"))
        info_pic(r);
    else
        repl_error(r, "info what? registers sregs cr msr flags tlb apic pic idt gdt tss "
                      "breakpoints checksum");
}
