/* The register dump of the forensics report. */
#include <inttypes.h>
#include <string.h>

#include "../cpu/internal.h"
#include "debug.h"

static const char *const mode_names[] = {
    [MODE_REAL] = "real mode", [MODE_PROT16] = "16-bit protected mode",
    [MODE_PROT32] = "32-bit protected mode", [MODE_COMPAT16] = "16-bit compatibility mode",
    [MODE_COMPAT32] = "32-bit compatibility mode", [MODE_LONG64] = "64-bit mode",
};

struct bit_name {
    uint64_t bit;
    const char *name;
};

static void print_bits(uint64_t v, const struct bit_name *names, size_t n, FILE *out)
{
    fputs(" [", out);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!(v & names[i].bit))
            continue;
        fprintf(out, "%s%s", first ? "" : " ", names[i].name);
        first = false;
    }
    fputc(']', out);
}

static void print_gprs(const struct cpu *c, FILE *out)
{
    static const struct {
        const char *name;
        unsigned reg;
    } order[16] = {
        {"RAX", RAX}, {"RBX", RBX}, {"RCX", RCX}, {"RDX", RDX}, {"RSI", RSI}, {"RDI", RDI},
        {"RBP", RBP}, {"RSP", RSP}, {"R8", R8},   {"R9", R9},   {"R10", R10}, {"R11", R11},
        {"R12", R12}, {"R13", R13}, {"R14", R14}, {"R15", R15},
    };
    for (int i = 0; i < 16; i++)
        fprintf(out, "%s%-3s=%016" PRIx64 "%s", i % 4 ? " " : "  ", order[i].name,
                c->gpr[order[i].reg], i % 4 == 3 ? "\n" : "");
}

static void print_rflags(struct cpu *c, FILE *out)
{
    static const struct bit_name f[] = {
        {RFLAGS_CF, "CF"}, {RFLAGS_PF, "PF"}, {RFLAGS_AF, "AF"}, {RFLAGS_ZF, "ZF"},
        {RFLAGS_SF, "SF"}, {RFLAGS_TF, "TF"}, {RFLAGS_IF, "IF"}, {RFLAGS_DF, "DF"},
        {RFLAGS_OF, "OF"}, {RFLAGS_NT, "NT"}, {RFLAGS_RF, "RF"}, {RFLAGS_VM, "VM"},
        {RFLAGS_AC, "AC"}, {RFLAGS_ID, "ID"},
    };
    uint64_t v = cpu_get_rflags(c);
    fprintf(out, "  RIP=%016" PRIx64 " RFLAGS=%08" PRIx64, c->rip, v);
    print_bits(v, f, sizeof(f) / sizeof(f[0]), out);
    fprintf(out, " IOPL=%u CPL=%u, %s\n", (unsigned)((v & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT),
            c->cpl, c->mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[c->mode]
                                                                         : "?");
}

static void print_seg(const char *name, const struct seg *s, bool ia32e, FILE *out)
{
    if (s->attr & SEG_ATTR_UNUSABLE) {
        fprintf(out, "  %-4s=%04x  null (unusable), base 0x%" PRIx64 "\n", name, s->sel, s->base);
        return;
    }
    uint64_t lo = ((uint64_t)(s->attr & 0xff) << 40) | ((uint64_t)((s->attr >> 12) & 0xf) << 52);
    char text[160];
    dbg_describe_descriptor(lo, 0, ia32e, text, sizeof(text));
    char *cut = strstr(text, ", base");
    if (cut)
        *cut = '\0';
    fprintf(out, "  %-4s=%04x  base 0x%" PRIx64 " limit 0x%x  %s\n", name, s->sel, s->base,
            s->limit, text);
}

static void print_control(const struct cpu *c, FILE *out)
{
    static const struct bit_name cr0[] = {
        {CR0_PE, "PE"}, {CR0_MP, "MP"}, {CR0_EM, "EM"}, {CR0_TS, "TS"}, {CR0_ET, "ET"},
        {CR0_NE, "NE"}, {CR0_WP, "WP"}, {CR0_AM, "AM"}, {CR0_NW, "NW"}, {CR0_CD, "CD"},
        {CR0_PG, "PG"},
    };
    static const struct bit_name cr4[] = {
        {CR4_VME, "VME"}, {CR4_PVI, "PVI"}, {CR4_TSD, "TSD"}, {CR4_DE, "DE"},
        {CR4_PSE, "PSE"}, {CR4_PAE, "PAE"}, {CR4_MCE, "MCE"}, {CR4_PGE, "PGE"},
        {CR4_PCE, "PCE"}, {CR4_OSFXSR, "OSFXSR"}, {CR4_OSXMMEXCPT, "OSXMMEXCPT"},
        {CR4_UMIP, "UMIP"}, {CR4_FSGSBASE, "FSGSBASE"}, {CR4_PCIDE, "PCIDE"},
        {CR4_OSXSAVE, "OSXSAVE"}, {CR4_SMEP, "SMEP"}, {CR4_SMAP, "SMAP"},
    };
    static const struct bit_name efer[] = {
        {EFER_SCE, "SCE"}, {EFER_LME, "LME"}, {EFER_LMA, "LMA"}, {EFER_NXE, "NXE"},
    };
    fprintf(out, "  CR0=%08" PRIx64, c->cr0);
    print_bits(c->cr0, cr0, sizeof(cr0) / sizeof(cr0[0]), out);
    fprintf(out, " CR2=%016" PRIx64 " CR3=%016" PRIx64 "\n", c->cr2, c->cr3);
    fprintf(out, "  CR4=%08" PRIx64, c->cr4);
    print_bits(c->cr4, cr4, sizeof(cr4) / sizeof(cr4[0]), out);
    fprintf(out, " EFER=%" PRIx64, c->efer);
    print_bits(c->efer, efer, sizeof(efer) / sizeof(efer[0]), out);
    fputc('\n', out);
}

void dbg_print_registers(struct cpu *c, FILE *out)
{
    static const char *const names[SEG_COUNT] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    static const unsigned order[SEG_COUNT] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    bool ia32e = (c->efer & EFER_LMA) != 0;
    fprintf(out, "registers:\n");
    print_gprs(c, out);
    print_rflags(c, out);
    for (int i = 0; i < SEG_COUNT; i++)
        print_seg(names[order[i]], &c->seg[order[i]], ia32e, out);
    fprintf(out, "  KERNEL_GS_BASE=%016" PRIx64 "\n", c->msr.kernel_gs_base);
    print_control(c, out);
    fprintf(out, "  GDTR base 0x%" PRIx64 " limit 0x%x   IDTR base 0x%" PRIx64 " limit 0x%x\n",
            c->gdtr.base, c->gdtr.limit, c->idtr.base, c->idtr.limit);
    fprintf(out, "  TR=%04x base 0x%" PRIx64 " limit 0x%x   LDTR=%04x base 0x%" PRIx64
                 " limit 0x%x\n",
            c->tr.sel, c->tr.base, c->tr.limit, c->ldtr.sel, c->ldtr.base, c->ldtr.limit);
    fprintf(out, "  instructions retired: %" PRIu64 "\n", c->icount);
}
