/* System instructions: control and debug registers, descriptor-table
 * registers, CLI/STI/HLT, CPUID, RDTSC, RDMSR/WRMSR, INVLPG, CLTS, LMSW/SMSW,
 * cache and fence no-ops, UD2, INT n/INT3/INTO/INT1, SWAPGS, the FS/GS base
 * instructions. Privileged forms raise #GP(0) outside ring 0. */
#include "events.h"
#include "ops.h"

#define CR0_RESERVED 0xFFFFFFFF00000000ULL
#define CR4_SUPPORTED                                                                          \
    (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR |      \
     CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | CR4_PCIDE | CR4_SMEP | CR4_SMAP)
#define CR3_PCID_MASK 0xFFFULL
#define DR6_FIXED1 0xFFFF0FF0ULL
#define DR7_FIXED1 0x400ULL
#define DR6_WRITABLE 0xE00FULL   /* B0-B3, BD, BS, BT */
#define DR7_WRITABLE 0xFFFF23FFULL /* L/G0-3, LE, GE, GD, RW/LEN0-3 */
#define LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)

enum sys_op {
    SYS_CLI, SYS_STI, SYS_HLT, SYS_CPUID, SYS_RDTSC, SYS_RDTSCP, SYS_RDMSR, SYS_WRMSR,
    SYS_INVLPG, SYS_CLTS, SYS_LMSW, SYS_SMSW, SYS_WBINVD, SYS_UD, SYS_SWAPGS,
    SYS_RDFSBASE, SYS_RDGSBASE, SYS_WRFSBASE, SYS_WRGSBASE, SYS_NOP_PRIV,
};

static void require_cpl0(struct cpu *cpu)
{
    if (cpu->cpl != 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
}


/* ---- MOV to/from CRn -------------------------------------------------------------- */

static void write_cr0(struct cpu *cpu, uint64_t v)
{
    if ((v & CR0_RESERVED) || ((v & CR0_PG) && !(v & CR0_PE)) ||
        ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    bool enabling_pg = (v & CR0_PG) && !(cpu->cr0 & CR0_PG);
    if (enabling_pg && (cpu->efer & EFER_LME) && !(cpu->cr4 & CR4_PAE))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    if (cpu_long64(cpu) && !(v & CR0_PG))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    if (enabling_pg)
        paging_check_pdptes(cpu, v, cpu->cr3, cpu->cr4);
    cpu_set_cr(cpu, 0, v);
}

static void write_cr3(struct cpu *cpu, uint64_t v)
{
    bool noflush = false;
    if (cpu->efer & EFER_LMA) {
        /* Bit 63 is the no-flush hint under CR4.PCIDE, else reserved. */
        uint64_t rsvd = ~((1ULL << MMU_MAXPHYADDR) - 1);
        if (cpu->cr4 & CR4_PCIDE)
            rsvd &= ~CR3_NOFLUSH;
        if (v & rsvd)
            cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
        noflush = (v & CR3_NOFLUSH) != 0;
        v &= ~CR3_NOFLUSH;
    } else {
        v &= 0xFFFFFFFFULL;
    }
    paging_mov_cr3(cpu, v, noflush);
}

static void write_cr4(struct cpu *cpu, uint64_t v)
{
    if (v & ~CR4_SUPPORTED)
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    if ((cpu->efer & EFER_LMA) && !(v & CR4_PAE))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    bool pcide_on = (v & CR4_PCIDE) && !(cpu->cr4 & CR4_PCIDE);
    if (pcide_on && (!(cpu->efer & EFER_LMA) || (cpu->cr3 & CR3_PCID_MASK)))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    paging_check_pdptes(cpu, cpu->cr0, cpu->cr3, v);
    cpu_set_cr(cpu, 4, v);
    dr_update(cpu); /* CR4.DE decides whether RW = 10 means I/O breakpoints */
}

static uint64_t cr_value(const struct cpu *cpu, unsigned n)
{
    switch (n) {
    case 0: return cpu->cr0;
    case 2: return cpu->cr2;
    case 3: return cpu->cr3;
    case 4: return cpu->cr4;
    default: return cpu->cr8;
    }
}

static void cr_events(struct cpu *cpu, unsigned n, uint64_t old)
{
    uint64_t now = cr_value(cpu, n);
    if (cpu_hooked(cpu, EMU_EV_CR_WRITE))
        cpu_ev_reg(cpu, EMU_EV_CR_WRITE, n, old, now);
    if (n == 3 && old != now && cpu_hooked(cpu, EMU_EV_CR3_SWITCH))
        cpu_ev_reg(cpu, EMU_EV_CR3_SWITCH, 3, old, now);
}

static void write_cr(struct cpu *cpu, const struct insn *in, uint64_t v)
{
    switch (in->op) {
    case 0: write_cr0(cpu, v); break;
    case 2: cpu_set_cr(cpu, 2, v); break;
    case 3: write_cr3(cpu, v); break;
    case 4: write_cr4(cpu, v); break;
    case 8:
        if (v & ~0xfULL)
            cpu_fault(cpu, EXC_GP, 0);
        cpu_set_cr(cpu, 8, v);
        break;
    default: cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    }
}

static void mov_to_cr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t v = reg_read(cpu, in->r2, in->osz);
    uint64_t old = cr_value(cpu, in->op);
    write_cr(cpu, in, v);
    if (unlikely(cpu->hook_mask))
        cr_events(cpu, in->op, old);
}

static void mov_from_cr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t v;
    switch (in->op) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    case 8: v = cpu->cr8; break;
    default: cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    }
    reg_write(cpu, in->r1, in->osz, v);
}

static int cr_number(ZydisRegister r)
{
    return (int)(r - ZYDIS_REGISTER_CR0);
}

bool xl_mov_cr(const struct xlate *x, struct insn *in)
{
    const ZydisDecodedOperand *a = &x->ops[0], *b = &x->ops[1];
    bool to_cr = ZydisRegisterGetClass(a->reg.value) == ZYDIS_REGCLASS_CONTROL;
    if (to_cr) {
        in->op = (uint8_t)cr_number(a->reg.value);
        in->r2 = xl_gpr(b->reg.value);
        in->fn = mov_to_cr;
        in->flags |= INSN_END;
    } else {
        in->op = (uint8_t)cr_number(b->reg.value);
        in->r1 = xl_gpr(a->reg.value);
        in->fn = mov_from_cr;
    }
    in->osz = x->mode == MODE_LONG64 ? 8 : 4;
    return true;
}

/* ---- MOV to/from DRn ----------------------------------------------------------------- */

static unsigned dr_index(struct cpu *cpu, unsigned n)
{
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE)
            cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
        return n + 2;
    }
    return n;
}

/* MOV to DRn: CPL 0, then general detect, then DR4/DR5 under CR4.DE.
 * DR6/DR7 keep their fixed bits; a DR7 write re-arms the breakpoints. */
static void mov_to_dr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    dr_general_detect(cpu);
    unsigned n = dr_index(cpu, in->op);
    uint64_t v = reg_read(cpu, in->r2, in->osz);
    if ((n == 6 || n == 7) && (v >> 32))
        cpu_fault_why(cpu, EXC_GP, 0, FC_BAD_CR, 0);
    if (n == 6)
        v = (v & DR6_WRITABLE) | DR6_FIXED1;
    else if (n == 7)
        v = (v & DR7_WRITABLE) | DR7_FIXED1;
    cpu->dr[n] = v;
    if (n < 4 || n == 7)
        dr_update(cpu);
}

static void mov_from_dr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    dr_general_detect(cpu);
    reg_write(cpu, in->r1, in->osz, cpu->dr[dr_index(cpu, in->op)]);
}

bool xl_mov_dr(const struct xlate *x, struct insn *in)
{
    const ZydisDecodedOperand *a = &x->ops[0], *b = &x->ops[1];
    bool to_dr = ZydisRegisterGetClass(a->reg.value) == ZYDIS_REGCLASS_DEBUG;
    if (to_dr) {
        in->op = (uint8_t)(a->reg.value - ZYDIS_REGISTER_DR0);
        in->r2 = xl_gpr(b->reg.value);
        in->fn = mov_to_dr;
        in->flags |= INSN_END;
    } else {
        in->op = (uint8_t)(b->reg.value - ZYDIS_REGISTER_DR0);
        in->r1 = xl_gpr(a->reg.value);
        in->fn = mov_from_dr;
    }
    in->osz = x->mode == MODE_LONG64 ? 8 : 4;
    return true;
}

/* ---- LGDT LIDT SGDT SIDT --------------------------------------------------------------- */

enum { DT_LGDT, DT_LIDT, DT_SGDT, DT_SIDT };

static void dtable_op(struct cpu *cpu, const struct insn *in)
{
    struct dtable *t = (in->op == DT_LGDT || in->op == DT_SGDT) ? &cpu->gdtr : &cpu->idtr;
    uint64_t ea = insn_ea(cpu, in);
    unsigned base_size = cpu_long64(cpu) ? 8 : 4;
    if (in->op == DT_LGDT || in->op == DT_LIDT) {
        require_cpl0(cpu);
        uint16_t limit = (uint16_t)mem_read(cpu, in->seg, ea, 2);
        uint64_t base = mem_read(cpu, in->seg, (ea + 2) & size_mask(in->asz), base_size);
        if (base_size == 8 && !is_canonical(base))
            cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, base);
        if (in->osz == 2)
            base &= 0xFFFFFF;
        *t = (struct dtable){base, limit};
        return;
    }
    if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    /* Both parts probed first: no limit stored when the base would fault. */
    mem_probe_write(cpu, in->seg, ea, 2);
    mem_probe_write(cpu, in->seg, (ea + 2) & size_mask(in->asz), base_size);
    mem_write(cpu, in->seg, ea, 2, t->limit);
    mem_write(cpu, in->seg, (ea + 2) & size_mask(in->asz), base_size, t->base);
}

bool xl_dtable(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_LGDT: in->op = DT_LGDT; break;
    case ZYDIS_MNEMONIC_LIDT: in->op = DT_LIDT; break;
    case ZYDIS_MNEMONIC_SGDT: in->op = DT_SGDT; break;
    default: in->op = DT_SIDT; break;
    }
    if (xl_operand(x, 0, in) != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    in->fn = dtable_op;
    return true;
}

/* ---- the rest ------------------------------------------------------------------------------ */

static void check_iopl(struct cpu *cpu)
{
    unsigned iopl = (cpu->rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (cpu_protected(cpu) && cpu->cpl > iopl)
        cpu_fault_why(cpu, EXC_GP, 0, FC_IOPL, 0);
}

static void do_cpuid(struct cpu *cpu)
{
    uint32_t r[4];
    cpuid_query(cpu, (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RCX], r);
    cpu->gpr[RAX] = r[0];
    cpu->gpr[RBX] = r[1];
    cpu->gpr[RCX] = r[2];
    cpu->gpr[RDX] = r[3];
}

static void do_rdtsc(struct cpu *cpu, bool aux)
{
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl > 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    uint64_t tsc = cpu_tsc(cpu);
    cpu->gpr[RAX] = tsc & 0xFFFFFFFFULL;
    cpu->gpr[RDX] = tsc >> 32;
    if (aux)
        cpu->gpr[RCX] = cpu->msr.tsc_aux & 0xFFFFFFFFULL;
}

static void do_rdmsr(struct cpu *cpu)
{
    require_cpl0(cpu);
    uint64_t v;
    uint32_t msr = (uint32_t)cpu->gpr[RCX];
    if (msr_read(cpu, msr, &v) < 0)
        cpu_fault_why(cpu, EXC_GP, 0, msr_fault_cause(cpu, msr), msr);
    cpu->gpr[RAX] = v & 0xFFFFFFFFULL;
    cpu->gpr[RDX] = v >> 32;
}

static void do_wrmsr(struct cpu *cpu)
{
    require_cpl0(cpu);
    uint64_t v = (cpu->gpr[RDX] << 32) | (cpu->gpr[RAX] & 0xFFFFFFFFULL);
    uint32_t msr = (uint32_t)cpu->gpr[RCX];
    uint64_t old = 0;
    bool hooked = cpu_hooked(cpu, EMU_EV_MSR_WRITE);
    if (hooked)
        msr_read(cpu, msr, &old);
    if (msr_write(cpu, msr, v) < 0)
        cpu_fault_why(cpu, EXC_GP, 0, msr_fault_cause(cpu, msr), msr);
    if (hooked)
        cpu_ev_reg(cpu, EMU_EV_MSR_WRITE, msr, old, v);
}

/* SWAPGS exists in 64-bit mode only. */
static void do_swapgs(struct cpu *cpu)
{
    if (!cpu_long64(cpu))
        cpu_fault_why(cpu, EXC_UD, EXC_NO_ERROR, FC_INVALID_OPCODE, 0);
    require_cpl0(cpu);
    uint64_t gs = cpu->seg[SEG_GS].base;
    cpu->seg[SEG_GS].base = cpu->msr.kernel_gs_base;
    cpu->segbase[SEG_GS] = cpu->msr.kernel_gs_base;
    cpu->msr.kernel_gs_base = gs;
}

static void fsgsbase(struct cpu *cpu, const struct insn *in)
{
    if (!(cpu->cr4 & CR4_FSGSBASE) || !cpu_long64(cpu))
        cpu_fault_why(cpu, EXC_UD, EXC_NO_ERROR, FC_FEATURE_OFF, 0);
    unsigned sreg = (in->op == SYS_RDFSBASE || in->op == SYS_WRFSBASE) ? SEG_FS : SEG_GS;
    if (in->op == SYS_RDFSBASE || in->op == SYS_RDGSBASE) {
        reg_write(cpu, in->r1, in->osz, cpu->seg[sreg].base);
        return;
    }
    uint64_t v = reg_read(cpu, in->r1, in->osz);
    if (!is_canonical(v))
        cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, v);
    cpu->seg[sreg].base = v;
    cpu->segbase[sreg] = v;
}

static void system_op(struct cpu *cpu, const struct insn *in)
{
    switch (in->op) {
    case SYS_CLI:
        check_iopl(cpu);
        cpu->rflags &= ~RFLAGS_IF;
        break;
    case SYS_STI:
        check_iopl(cpu);
        if (!(cpu->rflags & RFLAGS_IF)) {
            cpu->intr_shadow = CPU_SHADOW_STI;
            cpu->attention = true;
        }
        cpu->rflags |= RFLAGS_IF;
        break;
    case SYS_HLT:
        require_cpl0(cpu);
        cpu->halted = true;
        cpu->attention = true;
        if (cpu_hooked(cpu, EMU_EV_HLT))
            cpu_ev_simple(cpu, EMU_EV_HLT);
        break;
    case SYS_CPUID: do_cpuid(cpu); break;
    case SYS_RDTSC: do_rdtsc(cpu, false); break;
    case SYS_RDTSCP: do_rdtsc(cpu, true); break;
    case SYS_RDMSR: do_rdmsr(cpu); break;
    case SYS_WRMSR: do_wrmsr(cpu); break;
    case SYS_INVLPG:
        require_cpl0(cpu);
        mmu_invlpg(&cpu->mmu, insn_ea(cpu, in) + cpu->segbase[in->seg]);
        break;
    case SYS_CLTS:
        require_cpl0(cpu);
        cpu->cr0 &= ~CR0_TS;
        break;
    case SYS_LMSW: {
        require_cpl0(cpu);
        uint64_t v = op0_read(cpu, in) & LMSW_BITS;
        uint64_t keep_pe = cpu->cr0 & CR0_PE;
        cpu_set_cr(cpu, 0, (cpu->cr0 & ~LMSW_BITS) | v | keep_pe);
        break;
    }
    case SYS_SMSW:
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
            cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
        if (in->flags & INSN_M0)
            insn_mem_write(cpu, in, 2, cpu->cr0 & 0xffff);
        else
            reg_write(cpu, in->r1, in->osz, cpu->cr0);
        break;
    case SYS_WBINVD:
    case SYS_NOP_PRIV: require_cpl0(cpu); break;
    case SYS_SWAPGS: do_swapgs(cpu); break;
    case SYS_RDFSBASE:
    case SYS_RDGSBASE:
    case SYS_WRFSBASE:
    case SYS_WRGSBASE: fsgsbase(cpu, in); break;
    default: cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    }
}

static const struct {
    ZydisMnemonic m;
    uint8_t op;
    bool ends_block;
} sys_map[] = {
    {ZYDIS_MNEMONIC_CLI, SYS_CLI, true},          {ZYDIS_MNEMONIC_STI, SYS_STI, true},
    {ZYDIS_MNEMONIC_HLT, SYS_HLT, true},          {ZYDIS_MNEMONIC_CPUID, SYS_CPUID, false},
    {ZYDIS_MNEMONIC_RDTSC, SYS_RDTSC, false},     {ZYDIS_MNEMONIC_RDTSCP, SYS_RDTSCP, false},
    {ZYDIS_MNEMONIC_RDMSR, SYS_RDMSR, false},     {ZYDIS_MNEMONIC_WRMSR, SYS_WRMSR, true},
    {ZYDIS_MNEMONIC_INVLPG, SYS_INVLPG, true},    {ZYDIS_MNEMONIC_CLTS, SYS_CLTS, true},
    {ZYDIS_MNEMONIC_LMSW, SYS_LMSW, true},        {ZYDIS_MNEMONIC_SMSW, SYS_SMSW, false},
    {ZYDIS_MNEMONIC_WBINVD, SYS_WBINVD, false},   {ZYDIS_MNEMONIC_INVD, SYS_NOP_PRIV, false},
    {ZYDIS_MNEMONIC_UD0, SYS_UD, true},           {ZYDIS_MNEMONIC_UD1, SYS_UD, true},
    {ZYDIS_MNEMONIC_UD2, SYS_UD, true},           {ZYDIS_MNEMONIC_SWAPGS, SYS_SWAPGS, true},
    {ZYDIS_MNEMONIC_RDFSBASE, SYS_RDFSBASE, false}, {ZYDIS_MNEMONIC_RDGSBASE, SYS_RDGSBASE, false},
    {ZYDIS_MNEMONIC_WRFSBASE, SYS_WRFSBASE, true}, {ZYDIS_MNEMONIC_WRGSBASE, SYS_WRGSBASE, true},
};

bool xl_system(const struct xlate *x, struct insn *in)
{
    for (size_t i = 0; i < sizeof(sys_map) / sizeof(sys_map[0]); i++) {
        if (sys_map[i].m != x->zi->mnemonic)
            continue;
        in->op = sys_map[i].op;
        if (sys_map[i].ends_block)
            in->flags |= INSN_END;
        if (x->zi->operand_count_visible > 0)
            xl_operand(x, 0, in);
        if (in->op == SYS_INVLPG)
            in->flags &= (uint8_t)~INSN_M0;
        in->fn = system_op;
        return true;
    }
    return false;
}

/* ---- INT n, INT3, INTO, INT1 -------------------------------------------------------------- */

enum { INT_N, INT_3, INT_O, INT_1 };
#define SYSCALL_VECTOR 0x80 /* INT 0x80: traced as a system call */

static void int_op(struct cpu *cpu, const struct insn *in)
{
    switch (in->op) {
    case INT_N:
        if (in->imm == SYSCALL_VECTOR && cpu_hooked(cpu, EMU_EV_SYSCALL_ENTRY))
            cpu_ev_syscall_entry(cpu, EMU_SYSCALL_INT80);
        cpu_trap(cpu, (unsigned)(in->imm & 0xff), true);
    case INT_3: cpu_trap(cpu, EXC_BP, true);
    case INT_O:
        if (flags_materialize(cpu) & RFLAGS_OF)
            cpu_trap(cpu, EXC_OF, true);
        return;
    default: cpu_trap(cpu, EXC_DB, false);
    }
}

bool xl_int(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_INT:
        in->op = INT_N;
        in->imm = x->ops[0].imm.value.u & 0xff;
        break;
    case ZYDIS_MNEMONIC_INT3: in->op = INT_3; break;
    case ZYDIS_MNEMONIC_INTO: in->op = INT_O; break;
    default: in->op = INT_1; break;
    }
    in->fn = int_op;
    in->flags |= INSN_END;
    return true;
}
