/* Tables behind describe.h. */
#include "describe.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define MSR_IA32_EFER   0xC0000080u
#define PF_P            0x1u
#define PF_W            0x2u
#define PF_U            0x4u
#define PF_RSVD         0x8u
#define PF_I            0x10u
#define PF_PK           0x20u
#define PF_SS           0x40u
#define PF_SGX          0x8000u
#define SEL_EXT         0x1u
#define SEL_IDT         0x2u
#define SEL_TI          0x4u
#define SEL_INDEX_SHIFT 3

static const char *const mnemonics[] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF-seg", "#TS",
    "#NP", "#SS", "#GP", "#PF", NULL,  "#MF", "#AC", "#MC", "#XM", "#VE",     "#CP",
};

static const char *const names[] = {
    "divide error",
    "debug",
    "non-maskable interrupt",
    "breakpoint",
    "overflow",
    "BOUND range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection",
    "page fault",
    NULL,
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point exception",
    "virtualization exception",
    "control protection exception",
};

const char *vector_mnemonic(unsigned v)
{
    return v < N(mnemonics) ? mnemonics[v] : NULL;
}

const char *vector_name(unsigned v)
{
    return v < N(names) ? names[v] : NULL;
}

int vector_has_selector_error(unsigned v)
{
    return v >= 10 && v <= 13; /* #TS #NP #SS #GP */
}

void describe_pf_error(struct sbuf *b, uint32_t err)
{
    sb_puts(b, (err & PF_P) ? "protection" : "not-present");
    sb_puts(b, (err & PF_I) ? " fetch" : (err & PF_W) ? " write" : " read");
    sb_puts(b, (err & PF_U) ? " user" : " supervisor");
    if (err & PF_RSVD) sb_puts(b, " reserved-bit");
    if (err & PF_PK) sb_puts(b, " protection-key");
    if (err & PF_SS) sb_puts(b, " shadow-stack");
    if (err & PF_SGX) sb_puts(b, " sgx");
}

void describe_selector_error(struct sbuf *b, uint32_t err)
{
    uint32_t index = err >> SEL_INDEX_SHIFT;
    if ((err & ~SEL_EXT) == 0)
        sb_puts(b, "null");
    else if (err & SEL_IDT)
        sb_printf(b, "IDT vector 0x%x", index);
    else
        sb_printf(b, "%s selector 0x%x", (err & SEL_TI) ? "LDT" : "GDT", err & ~3u & 0xFFFFu);
    if (err & SEL_EXT) sb_puts(b, ", external");
}

const char *irq_source_name(emu_irq_source src)
{
    switch (src) {
    case EMU_IRQ_PIC: return "pic";
    case EMU_IRQ_IOAPIC: return "ioapic";
    case EMU_IRQ_LAPIC_TIMER: return "lapic-timer";
    case EMU_IRQ_LAPIC_LINT: return "lint";
    case EMU_IRQ_LAPIC_ERROR: return "lapic-error";
    case EMU_IRQ_IPI: return "ipi";
    case EMU_IRQ_NMI: return "nmi";
    default: return "unknown";
    }
}

void describe_irq_source(struct sbuf *b, emu_irq_source src, int pin)
{
    switch (src) {
    case EMU_IRQ_PIC: sb_printf(b, "PIC IRQ %d", pin); break;
    case EMU_IRQ_IOAPIC: sb_printf(b, "IOAPIC pin %d", pin); break;
    case EMU_IRQ_LAPIC_TIMER: sb_puts(b, "LAPIC timer"); break;
    case EMU_IRQ_LAPIC_LINT: sb_printf(b, "LINT%d", pin); break;
    case EMU_IRQ_LAPIC_ERROR: sb_puts(b, "LAPIC error"); break;
    case EMU_IRQ_IPI: sb_puts(b, "IPI"); break;
    case EMU_IRQ_NMI: sb_puts(b, "NMI"); break;
    default: sb_puts(b, "unknown source"); break;
    }
}

static const char *const cr0_bits[32] = {
    [0] = "PE",  [1] = "MP",  [2] = "EM",  [3] = "TS",  [4] = "ET",  [5] = "NE",
    [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_bits[32] = {
    [0] = "VME",         [1] = "PVI",    [2] = "TSD",      [3] = "DE",    [4] = "PSE",
    [5] = "PAE",         [6] = "MCE",    [7] = "PGE",      [8] = "PCE",   [9] = "OSFXSR",
    [10] = "OSXMMEXCPT", [11] = "UMIP",  [12] = "LA57",    [13] = "VMXE", [14] = "SMXE",
    [16] = "FSGSBASE",   [17] = "PCIDE", [18] = "OSXSAVE", [20] = "SMEP", [21] = "SMAP",
    [22] = "PKE",        [23] = "CET",   [24] = "PKS",
};

static const char *const efer_bits[32] = {
    [0] = "SCE", [8] = "LME", [10] = "LMA", [11] = "NXE", [12] = "SVME", [14] = "FFXSR",
};

void describe_reg_change(struct sbuf *b, emu_event_kind kind, uint32_t reg, uint64_t old_value,
                         uint64_t new_value)
{
    const char *const *bits = NULL;
    if (kind == EMU_EV_CR_WRITE && reg == 0)
        bits = cr0_bits;
    else if (kind == EMU_EV_CR_WRITE && reg == 4)
        bits = cr4_bits;
    else if (kind == EMU_EV_MSR_WRITE && reg == MSR_IA32_EFER)
        bits = efer_bits;
    if (!bits) return;
    uint64_t changed = old_value ^ new_value;
    int n = 0;
    for (unsigned i = 0; i < 32; i++) {
        if (!(changed >> i & 1) || !bits[i]) continue;
        if (n++) sb_putc(b, ' ');
        sb_putc(b, (new_value >> i & 1) ? '+' : '-');
        sb_puts(b, bits[i]);
    }
}

const char *tlb_cause_name(emu_tlb_cause c)
{
    switch (c) {
    case EMU_TLB_CAUSE_CR3: return "mov-cr3";
    case EMU_TLB_CAUSE_CR4: return "mov-cr4";
    case EMU_TLB_CAUSE_CR0: return "mov-cr0";
    case EMU_TLB_CAUSE_EFER: return "efer";
    case EMU_TLB_CAUSE_INVLPG: return "invlpg";
    case EMU_TLB_CAUSE_INVPCID: return "invpcid";
    case EMU_TLB_CAUSE_RESET: return "reset";
    default: return "none";
    }
}

const char *tlb_op_name(emu_tlb_op op)
{
    static const char *const ops[] = {"hit", "miss", "fill", "evict", "flush"};
    return (unsigned)op < N(ops) ? ops[op] : "?";
}
