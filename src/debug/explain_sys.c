/* explain, for the instructions that change how the machine runs: the
 * system-call instructions, IRET, control registers, MSRs, descriptor
 * tables, far transfers, HLT/CLI/STI, SWAPGS, INVLPG. Each is told as the
 * SDM's Operation section does, with this step's values. */
#include <string.h>

#include "desc.h"
#include "explain_int.h"

#define STAR_SYSCALL_SHIFT 32
#define STAR_SYSRET_SHIFT  48

static void syscall_insn(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    uint16_t cs = (uint16_t)(a->msr.star >> STAR_SYSCALL_SHIFT) & 0xfffc;
    char target[200];
    repl_format_addr(r, a->msr.lstar, true, target, sizeof(target));
    explain_line(r, 0, "SYSCALL: the fast system call from 64-bit mode (needs EFER.SCE=1).");
    explain_line(r, 1, "RCX <- RIP of the next instruction = %#llx (where SYSRET will return)",
                 (unsigned long long)b->gpr[RCX]);
    explain_line(r, 1, "R11 <- RFLAGS = %#llx", (unsigned long long)b->gpr[R11]);
    explain_line(r, 1, "RFLAGS &= ~IA32_FMASK (%#llx): %#llx -> %#llx",
                 (unsigned long long)a->msr.fmask, (unsigned long long)a->rflags,
                 (unsigned long long)b->rflags);
    explain_line(r, 1,
                 "CS <- IA32_STAR[47:32] = %#x (flat 64-bit code, DPL 0; not read from "
                 "the GDT)",
                 cs);
    explain_line(r, 1, "SS <- IA32_STAR[47:32] + 8 = %#x (flat data, DPL 0)", cs + 8);
    explain_line(r, 1, "RIP <- IA32_LSTAR = %s", target);
    explain_line(r, 1, "CPL %u -> 0", a->cpl);
    explain_line(r, 1, "RSP is NOT changed: the kernel's entry code must switch to a kernel");
    explain_line(r, 1, "stack itself (typically SWAPGS, then a per-CPU stack).");
    explain_line(r, 1, "By the Linux convention RAX = %llu is the call number (%s),",
                 (unsigned long long)a->gpr[RAX], repl_syscall_name(a->gpr[RAX]));
    explain_line(r, 1, "the arguments are in RDI RSI RDX R10 R8 R9.");
}

static void sysret_insn(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    uint16_t base = (uint16_t)(a->msr.star >> STAR_SYSRET_SHIFT);
    bool q = b->mode == MODE_LONG64;
    explain_line(r, 0, "SYSRET: return from a system call to ring 3.");
    explain_line(r, 1, "RIP <- RCX = %#llx", (unsigned long long)a->gpr[RCX]);
    explain_line(r, 1, "RFLAGS <- R11 = %#llx (RF and VM cleared, bit 1 set) -> %#llx",
                 (unsigned long long)a->gpr[R11], (unsigned long long)b->rflags);
    explain_line(r, 1, "CS <- IA32_STAR[63:48]%s | 3 = %#x (%s-bit user code)", q ? " + 16" : "",
                 b->seg[SEG_CS].sel, q ? "64" : "32");
    explain_line(r, 1, "SS <- IA32_STAR[63:48] + 8 | 3 = %#x", (base + 8) | 3);
    explain_line(r, 1, "CPL %u -> 3", a->cpl);
    explain_line(r, 1, "RSP is not restored: the kernel must have put the user stack back");
    explain_line(r, 1, "before SYSRET.");
}

static void sysenter_insn(struct repl *r, const struct step_record *rec, bool enter)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    if (enter) {
        explain_line(r, 0, "SYSENTER: fast entry to ring 0 through three MSRs.");
        explain_line(r, 1, "CS <- IA32_SYSENTER_CS = %#llx, SS <- CS + 8",
                     (unsigned long long)a->msr.sysenter_cs);
        explain_line(r, 1, "RSP <- IA32_SYSENTER_ESP = %#llx, RIP <- IA32_SYSENTER_EIP = %#llx",
                     (unsigned long long)a->msr.sysenter_esp,
                     (unsigned long long)a->msr.sysenter_eip);
        explain_line(r, 1,
                     "IF, VM and RF cleared; CPL %u -> 0. Nothing is saved: user code "
                     "passes its return address and stack in registers.",
                     a->cpl);
    } else {
        explain_line(r, 0, "SYSEXIT: fast return to ring 3.");
        explain_line(r, 1, "RIP <- RDX = %#llx, RSP <- RCX = %#llx",
                     (unsigned long long)a->gpr[RDX], (unsigned long long)a->gpr[RCX]);
        explain_line(r, 1, "CS <- IA32_SYSENTER_CS + %s | 3 = %#x; CPL 0 -> 3.",
                     b->mode == MODE_LONG64 ? "32" : "16", b->seg[SEG_CS].sel);
    }
}

static void iret_insn(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    bool q = rec->insn.zi.operand_width == 64;
    uint64_t v[5] = {0};
    unsigned w = q ? 8 : 4;
    for (int i = 0; i < 5; i++)
        repl_read_linear(r, a->gpr[RSP] + (uint64_t)i * w, &v[i], w);
    explain_line(r, 0, "IRET%s: return from an interrupt or exception handler.", q ? "Q" : "");
    explain_line(r, 1, "Pops RIP = %#llx, CS = %#llx, RFLAGS = %#llx from RSP = %#llx",
                 (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2],
                 (unsigned long long)a->gpr[RSP]);
    if (q || (v[1] & 3) > a->cpl)
        explain_line(r, 1, "and RSP = %#llx, SS = %#llx (%s)", (unsigned long long)v[3],
                     (unsigned long long)v[4],
                     q ? "IRETQ always pops them" : "the return goes to an outer ring");
    explain_line(r, 1, "CS.RPL = %llu: CPL %u -> %u%s", (unsigned long long)(v[1] & 3), a->cpl,
                 b->cpl, b->cpl > a->cpl ? " (back to a less privileged ring)" : "");
    explain_line(r, 1, "RFLAGS comes back whole: IF is restored to %s.",
                 (b->rflags & RFLAGS_IF) ? "1" : "0");
    if (a->nmi_blocked) explain_line(r, 1, "It also ends NMI blocking.");
}

static bool is_control_reg(const ZydisDecodedOperand *op)
{
    return op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
           ZydisRegisterGetClass(op->reg.value) == ZYDIS_REGCLASS_CONTROL;
}

static void mov_cr(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    const char *name = ZydisRegisterGetString(rec->insn.ops[0].reg.value);
    explain_line(r, 0, "MOV to %s: writes a control register (ring 0 only).", name);
    if (a->cr0 != b->cr0) {
        explain_line(r, 1, "CR0 %#llx -> %#llx.", (unsigned long long)a->cr0,
                     (unsigned long long)b->cr0);
        explain_line(r, 2, "PE: protected mode; PG: paging; WP: ring 0 respects read-only pages.");
    }
    if (!(a->efer & EFER_LMA) && (b->efer & EFER_LMA)) {
        explain_line(r, 1, "PG=1 with EFER.LME=1 and CR4.PAE=1: the CPU sets EFER.LMA, IA-32e");
        explain_line(r, 1, "mode is active and paging uses 4 levels from CR3. CS still has L=0,");
        explain_line(r, 1, "so this code runs in compatibility mode until a far jump loads a");
        explain_line(r, 1, "64-bit code segment.");
    }
    if (a->cr3 != b->cr3 || !strcmp(name, "cr3")) {
        explain_line(r, 1, "CR3 %#llx -> %#llx: the root of the page tables.",
                     (unsigned long long)a->cr3, (unsigned long long)b->cr3);
        if (b->cr4 & CR4_PCIDE) {
            explain_line(r, 2, "CR4.PCIDE=1: bits 11:0 are the PCID, %llu -> %llu; TLB entries",
                         (unsigned long long)(a->cr3 & 0xfff), (unsigned long long)(b->cr3 & 0xfff));
            explain_line(r, 2, "are tagged with it, so the old space's entries can stay (and the");
            explain_line(r, 2, "new PCID's are kept too when bit 63 of the source is set).");
        } else {
            explain_line(r, 2, "Writing it switches address space and flushes the TLB's");
            explain_line(r, 2, "non-global entries.");
        }
    }
    if (a->cr4 != b->cr4)
        explain_line(r, 1, "CR4 %#llx -> %#llx: feature switches (PAE, PGE, PCIDE, SMEP, ...).",
                     (unsigned long long)a->cr4, (unsigned long long)b->cr4);
    explain_line(r, 1, "Later instructions are fetched and decoded under the new setting.");
}

static void wrmsr(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before;
    uint32_t msr = (uint32_t)a->gpr[RCX];
    uint64_t v = (a->gpr[RDX] << 32) | (uint32_t)a->gpr[RAX];
    const char *name = cpu_msr_name(msr);
    explain_line(r, 0, "WRMSR: MSR[ECX = %#x, %s] <- EDX:EAX = %#llx (ring 0 only).", msr,
                 name ? name : "unknown", (unsigned long long)v);
    switch (msr) {
    case MSR_IA32_EFER:
        explain_line(r, 1, "EFER: SCE enables SYSCALL, LME asks for long mode (active once");
        explain_line(r, 1, "paging is on), NXE enables the no-execute page bit.");
        break;
    case MSR_IA32_STAR:
        explain_line(r, 1,
                     "STAR: bits 47:32 give SYSCALL's CS (SS = CS + 8), bits 63:48 the "
                     "base of SYSRET's selectors.");
        break;
    case MSR_IA32_LSTAR: explain_line(r, 1, "LSTAR: where SYSCALL jumps in 64-bit mode."); break;
    case MSR_IA32_FMASK:
        explain_line(r, 1,
                     "FMASK: the RFLAGS bits SYSCALL clears (IF here means the kernel "
                     "entry starts with interrupts off).");
        break;
    case MSR_IA32_GS_BASE:
    case MSR_IA32_KERNEL_GS_BASE:
        explain_line(r, 1, "GS base / the value SWAPGS exchanges it with: per-CPU data.");
        break;
    default: break;
    }
}

static void dtable(struct repl *r, const struct step_record *rec, bool idt)
{
    const struct dtable *t = idt ? &rec->after.idtr : &rec->after.gdtr;
    explain_line(r, 0, "%s: loads %s from memory: a 2-byte limit, then the base (%s bytes).",
                 idt ? "LIDT" : "LGDT", idt ? "IDTR" : "GDTR",
                 rec->before.mode == MODE_LONG64 ? "8" : "4");
    explain_line(r, 1, "%s <- base %#llx, limit %#x (%u %s)", idt ? "IDTR" : "GDTR",
                 (unsigned long long)t->base, t->limit,
                 (t->limit + 1) / (idt && (rec->after.efer & EFER_LMA) ? 16 : 8),
                 idt ? "gates" : "descriptors");
    explain_line(r, 1, "Nothing else changes: segment registers keep their cached");
    explain_line(r, 1, "descriptors until they are loaded again.");
}

static void ltr(struct repl *r, const struct step_record *rec)
{
    char what[96];
    desc_format_cached(rec->after.tr.attr, (rec->after.efer & EFER_LMA) != 0, what, sizeof(what));
    explain_line(r, 0, "LTR: loads the task register with selector %#x.", rec->after.tr.sel);
    explain_line(r, 1,
                 "The descriptor is read from the GDT (16 bytes in IA-32e mode): %s at "
                 "%#llx, limit %#x; the CPU marks it busy in the GDT.",
                 what, (unsigned long long)rec->after.tr.base, rec->after.tr.limit);
    explain_line(r, 1,
                 "From now on interrupts from ring 3 find their kernel stack in this TSS "
                 "(RSP0), and IST stacks come from it too.");
}

static void far_transfer(struct repl *r, const struct step_record *rec)
{
    const struct seg *cs = &rec->after.seg[SEG_CS];
    char what[96];
    desc_format_cached(cs->attr, (rec->after.efer & EFER_LMA) != 0, what, sizeof(what));
    explain_line(r, 0, "A far transfer: %s", rec->insn.text);
    explain_line(r, 1, "CS is loaded from a descriptor in the GDT, not just RIP.");
    explain_line(r, 1, "CS <- %#x: %s, base %#llx.", cs->sel, what, (unsigned long long)cs->base);
    if (rec->before.mode != rec->after.mode)
        explain_line(r, 1, "That changes how instructions decode: %s -> %s.",
                     arch_mode_name(rec->before.mode), arch_mode_name(rec->after.mode));
}

bool explain_system(struct repl *r, const struct step_record *rec)
{
    const ZydisDecodedInstruction *zi = &rec->insn.zi;
    switch (zi->mnemonic) {
    case ZYDIS_MNEMONIC_SYSCALL: syscall_insn(r, rec); return true;
    case ZYDIS_MNEMONIC_SYSRET: sysret_insn(r, rec); return true;
    case ZYDIS_MNEMONIC_SYSENTER: sysenter_insn(r, rec, true); return true;
    case ZYDIS_MNEMONIC_SYSEXIT: sysenter_insn(r, rec, false); return true;
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ: iret_insn(r, rec); return true;
    case ZYDIS_MNEMONIC_WRMSR: wrmsr(r, rec); return true;
    case ZYDIS_MNEMONIC_LGDT: dtable(r, rec, false); return true;
    case ZYDIS_MNEMONIC_LIDT: dtable(r, rec, true); return true;
    case ZYDIS_MNEMONIC_LTR: ltr(r, rec); return true;
    case ZYDIS_MNEMONIC_MOV:
        if (!is_control_reg(&rec->insn.ops[0])) return false;
        mov_cr(r, rec);
        return true;
    default: break;
    }
    if (zi->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) {
        far_transfer(r, rec);
        return true;
    }
    return explain_simple(r, rec);
}
