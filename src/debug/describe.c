/* Descriptors, page walks and instructions in words. */
#include <Zydis/Zydis.h>
#include <inttypes.h>
#include <string.h>

#include "../cpu/internal.h"
#include "../mmu/tlb.h"
#include "debug.h"

#define GATE_P (1ULL << 47)
#define GATE_PARAMS_MASK 31u
#define DBG_MAX_INSN 15

static const char *const legacy_system_names[16] = {
    "reserved system type 0", "16-bit TSS (available)", "LDT", "16-bit TSS (busy)",
    "16-bit call gate", "task gate", "16-bit interrupt gate", "16-bit trap gate",
    "reserved system type 8", "32-bit TSS (available)", "reserved system type 10",
    "32-bit TSS (busy)", "32-bit call gate", "reserved system type 13",
    "32-bit interrupt gate", "32-bit trap gate",
};

static const char *system_name(unsigned type, bool ia32e)
{
    if (!ia32e)
        return legacy_system_names[type & 0xf];
    switch (type & 0xf) {
    case DESC_TYPE_LDT: return "LDT";
    case DESC_TYPE_TSS: return "64-bit TSS (available)";
    case DESC_TYPE_TSS_BUSY: return "64-bit TSS (busy)";
    case DESC_TYPE_CALL: return "64-bit call gate";
    case DESC_TYPE_INT: return "64-bit interrupt gate";
    case DESC_TYPE_TRAP: return "64-bit trap gate";
    default: return "type not valid in IA-32e mode";
    }
}

static const char *code_data_name(uint16_t attr, bool ia32e)
{
    if (!(attr & SEG_ATTR_CODE)) {
        bool w = attr & SEG_ATTR_RW, down = attr & SEG_ATTR_DC;
        return w ? (down ? "data, writable, expand-down" : "data, writable")
                 : (down ? "data, read-only, expand-down" : "data, read-only");
    }
    bool conforming = attr & SEG_ATTR_DC, readable = attr & SEG_ATTR_RW;
    if (ia32e && (attr & SEG_ATTR_L))
        return (attr & SEG_ATTR_DB) ? "code with L=1 and D=1 (reserved)"
               : conforming ? (readable ? "64-bit code, conforming, readable"
                                        : "64-bit code, conforming, execute-only")
                            : (readable ? "64-bit code, readable" : "64-bit code, execute-only");
    if (attr & SEG_ATTR_DB)
        return conforming ? (readable ? "32-bit code, conforming, readable"
                                      : "32-bit code, conforming, execute-only")
                          : (readable ? "32-bit code, readable" : "32-bit code, execute-only");
    return conforming ? (readable ? "16-bit code, conforming, readable"
                                  : "16-bit code, conforming, execute-only")
                      : (readable ? "16-bit code, readable" : "16-bit code, execute-only");
}

static bool is_gate(unsigned type)
{
    switch (type) {
    case DESC_TYPE_CALL16:
    case DESC_TYPE_TASK:
    case DESC_TYPE_INT16:
    case DESC_TYPE_TRAP16:
    case DESC_TYPE_CALL:
    case DESC_TYPE_INT:
    case DESC_TYPE_TRAP: return true;
    default: return false;
    }
}

static void describe_gate(uint64_t lo, uint64_t hi, bool ia32e, char *buf, size_t n)
{
    unsigned type = (lo >> 40) & 0xf, dpl = (lo >> 45) & 3;
    uint16_t sel = (uint16_t)(lo >> 16);
    const char *p = (lo & GATE_P) ? "present" : "not present";
    if (type == DESC_TYPE_TASK) {
        snprintf(buf, n, "task gate, DPL %u, %s, TSS selector 0x%04x", dpl, p, sel);
        return;
    }
    uint64_t off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL);
    if (ia32e)
        off |= (hi & 0xffffffffULL) << 32;
    int k = snprintf(buf, n, "%s, DPL %u, %s, target 0x%04x:0x%" PRIx64, system_name(type, ia32e),
                     dpl, p, sel, off);
    if (k < 0 || (size_t)k >= n)
        return;
    if (ia32e && (type == DESC_TYPE_INT || type == DESC_TYPE_TRAP))
        snprintf(buf + k, n - (size_t)k, ", IST %u", (unsigned)((lo >> 32) & 7));
    else if (!ia32e && (type == DESC_TYPE_CALL || type == DESC_TYPE_CALL16))
        snprintf(buf + k, n - (size_t)k, ", %u parameters",
                 (unsigned)((lo >> 32) & GATE_PARAMS_MASK));
}

void dbg_describe_descriptor(uint64_t lo, uint64_t hi, bool ia32e, char *buf, size_t n)
{
    uint16_t attr = desc_attr(lo);
    unsigned type = attr & SEG_ATTR_TYPE;
    if (!(attr & SEG_ATTR_S) && is_gate(type)) {
        describe_gate(lo, hi, ia32e, buf, n);
        return;
    }
    uint64_t base = desc_base(lo);
    const char *kind = (attr & SEG_ATTR_S) ? code_data_name(attr, ia32e) : system_name(type, ia32e);
    if (!(attr & SEG_ATTR_S) && ia32e)
        base |= (hi & 0xffffffffULL) << 32;
    snprintf(buf, n, "%s, DPL %u, %s, base 0x%" PRIx64 ", limit 0x%x", kind,
             (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT,
             (attr & SEG_ATTR_P) ? "present" : "not present", base, desc_limit(lo));
}

/* ---- page walks ---------------------------------------------------------------- */

static const char *level_name(const struct mmu *m, int level)
{
    bool four = (m->efer & EFER_LMA) != 0, pae = (m->cr4 & CR4_PAE) != 0;
    switch (level) {
    case 4: return "PML4E";
    case 3: return "PDPTE";
    case 2: return "PDE";
    default: return (four || pae || level == 1) ? "PTE" : "PDE";
    }
}

static unsigned level_index(const struct mmu *m, uint64_t lin, int level)
{
    if ((m->efer & EFER_LMA) || (m->cr4 & CR4_PAE)) {
        if (level == 3 && !(m->efer & EFER_LMA))
            return (unsigned)((lin >> 30) & 3);
        return (unsigned)((lin >> (12 + 9 * (level - 1))) & 0x1ff);
    }
    return (unsigned)((lin >> (12 + 10 * (level - 1))) & 0x3ff);
}

static void entry_flags(uint64_t e, int level, char *buf, size_t n)
{
    if (!(e & PTE_P)) {
        snprintf(buf, n, "not present");
        return;
    }
    snprintf(buf, n, "present, %s, %s%s%s%s%s", (e & PTE_W) ? "writable" : "read-only",
             (e & PTE_U) ? "user" : "supervisor", (e & PTE_A) ? ", accessed" : "",
             (e & PTE_D) && level < 4 ? ", dirty" : "", (e & PTE_PS) && level > 1 ? ", large page" : "",
             (e & PTE_NX) ? ", no-execute" : "");
}

/* Why a walk that reached the end was refused: the rights the error code
 * names against the entries' combined rights. */
static const char *rights_reason(const struct mmu_walk *w, uint32_t err)
{
    if (err & PF_RSVD)
        return "a reserved bit is set in the last entry read";
    bool user = w->flags & TLBE_USER;
    if ((err & PF_I) && (w->flags & TLBE_NX))
        return "instruction fetch from a no-execute page";
    if ((err & PF_I) && !(err & PF_U) && user)
        return "supervisor instruction fetch from a user page (SMEP)";
    if ((err & PF_U) && !user)
        return "user-mode access to a supervisor page";
    if ((err & PF_W) && !(w->flags & TLBE_WRITE))
        return "write to a read-only page";
    if (!(err & PF_U) && user)
        return "supervisor data access to a user page (SMAP)";
    return "the access is not permitted";
}

void dbg_print_walk(struct cpu *cpu, uint64_t lin, uint32_t pf_error, const char *indent,
                    FILE *out)
{
    struct mmu *m = &cpu->mmu;
    if (!mmu_paging(m)) {
        fprintf(out, "%spaging is off: linear 0x%" PRIx64 " is physical\n", indent, lin);
        return;
    }
    unsigned acc = (pf_error & PF_I) ? MMU_EXEC : (pf_error & PF_W) ? MMU_WRITE : MMU_READ;
    if (pf_error & PF_U)
        acc |= MMU_USER;
    struct mmu_walk w;
    bool ok = mmu_walk(m, lin, acc | MMU_NO_SIDE_EFFECTS, &w);
    fprintf(out, "%spage walk for 0x%" PRIx64 " (CR3 0x%" PRIx64 "):\n", indent, lin, m->cr3);
    for (int i = 0; i < w.nsteps; i++) {
        const struct mmu_walk_step *s = &w.steps[i];
        char flags[128];
        entry_flags(s->entry, s->level, flags, sizeof(flags));
        fprintf(out, "%s  %s[%u] at 0x%" PRIx64 " = 0x%016" PRIx64 "  %s\n", indent,
                level_name(m, s->level), level_index(m, lin, s->level), s->entry_addr, s->entry,
                flags);
    }
    if (ok)
        fprintf(out, "%s  -> physical 0x%" PRIx64 " (%" PRIu64 " KiB page); the access is "
                     "allowed now\n",
                indent, w.pa, ((uint64_t)1 << w.shift) >> 10);
    else if (!(w.error & PF_P))
        fprintf(out, "%s  -> stops: the last entry is not present\n", indent);
    else
        fprintf(out, "%s  -> stops: %s\n", indent, rights_reason(&w, w.error));
}

/* ---- instructions ----------------------------------------------------------------- */

unsigned dbg_disasm(unsigned mode, const uint8_t *bytes, size_t len, uint64_t rip, char *buf,
                    size_t n)
{
    ZydisMachineMode zm;
    ZydisStackWidth sw;
    switch (mode) {
    case MODE_LONG64: zm = ZYDIS_MACHINE_MODE_LONG_64; sw = ZYDIS_STACK_WIDTH_64; break;
    case MODE_COMPAT32: zm = ZYDIS_MACHINE_MODE_LONG_COMPAT_32; sw = ZYDIS_STACK_WIDTH_32; break;
    case MODE_COMPAT16: zm = ZYDIS_MACHINE_MODE_LONG_COMPAT_16; sw = ZYDIS_STACK_WIDTH_16; break;
    case MODE_PROT32: zm = ZYDIS_MACHINE_MODE_LEGACY_32; sw = ZYDIS_STACK_WIDTH_32; break;
    case MODE_PROT16: zm = ZYDIS_MACHINE_MODE_LEGACY_16; sw = ZYDIS_STACK_WIDTH_16; break;
    default: zm = ZYDIS_MACHINE_MODE_REAL_16; sw = ZYDIS_STACK_WIDTH_16; break;
    }
    ZydisDecoder dec;
    ZydisFormatter fmt;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, zm, sw)) ||
        !ZYAN_SUCCESS(ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL)) ||
        !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes, len, &zi, ops))) {
        snprintf(buf, n, "(bad)");
        return 0;
    }
    if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &zi, ops, zi.operand_count_visible,
                                                      buf, n, rip, NULL)))
        snprintf(buf, n, "(bad)");
    return zi.length;
}

unsigned dbg_disasm_at(struct cpu *cpu, unsigned mode, uint64_t cs_base, uint64_t rip, char *buf,
                       size_t n)
{
    uint8_t bytes[DBG_MAX_INSN];
    uint64_t lin = cs_base + rip;
    if (mode != MODE_LONG64)
        lin &= 0xffffffffULL;
    size_t got = cpu_read_linear(cpu, lin, bytes, sizeof(bytes));
    if (got == 0) {
        snprintf(buf, n, "(code not readable at 0x%" PRIx64 ")", lin);
        return 0;
    }
    return dbg_disasm(mode, bytes, got, rip, buf, n);
}
