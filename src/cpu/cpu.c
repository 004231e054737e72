/* CPU lifecycle, reset state, and the derived state (mode, effective segment
 * bases, MMU mirrors) that must follow every change of CR0/CR4/EFER/CS/SS. */
#include <stdlib.h>

#include "block.h"

#define RESET_CR0 (CR0_ET | CR0_NW | CR0_CD)
#define RESET_DR6 0xFFFF0FF0ULL
#define RESET_DR7 0x400ULL
#define RESET_PAT 0x0007040600070406ULL
#define RESET_CS_SEL 0xF000
#define RESET_CS_BASE 0xFFFF0000ULL
#define RESET_RIP 0xFFF0
#define REAL_LIMIT 0xFFFF
#define ATTR_DATA_RW (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A)
#define ATTR_CODE_RX (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A)
#define ATTR_LDT 0x82
#define ATTR_TSS_BUSY 0x8B
#define CPU_SIGNATURE 0x000306A9u /* family 6 model 58 stepping 9: EDX after reset */
#define MISC_ENABLE_FAST_STRINGS 1ULL

/* physmem callback: an MMIO window appeared; cached RAM pointers may be stale. */
static void cpu_map_changed(void *ctx)
{
    struct cpu *cpu = ctx;
    mmu_fast_flush(&cpu->mmu);
}

struct cpu *cpu_new(struct physmem *pm, const struct cpu_env *env, int index)
{
    struct cpu *cpu = calloc(1, sizeof(*cpu));
    if (!cpu)
        return NULL;
    if (mmu_init(&cpu->mmu, pm) < 0) {
        free(cpu);
        return NULL;
    }
    cpu->env = *env;
    cpu->index = index;
    cpu->bc = bc_new(cpu);
    if (!cpu->bc) {
        mmu_destroy(&cpu->mmu);
        free(cpu);
        return NULL;
    }
    pm->on_code_write = bc_code_write;
    pm->code_write_ctx = cpu->bc;
    pm->on_map_change = cpu_map_changed;
    pm->map_change_ctx = cpu;
    cpu_reset(cpu);
    return cpu;
}

void cpu_free(struct cpu *cpu)
{
    if (!cpu)
        return;
    bc_free(cpu->bc);
    mmu_destroy(&cpu->mmu);
    free(cpu);
}

void cpu_reset(struct cpu *cpu)
{
    memset(cpu->gpr, 0, sizeof(cpu->gpr));
    cpu->gpr[RDX] = CPU_SIGNATURE;
    cpu->rip = RESET_RIP;
    cpu->rflags = RFLAGS_FIXED1;
    cpu->lf.op = LF_NONE;
    for (int s = 0; s < SEG_COUNT; s++)
        cpu->seg[s] = (struct seg){0, REAL_LIMIT, 0, ATTR_DATA_RW};
    cpu->seg[SEG_CS] = (struct seg){RESET_CS_BASE, REAL_LIMIT, RESET_CS_SEL, ATTR_CODE_RX};
    cpu->ldtr = (struct seg){0, REAL_LIMIT, 0, ATTR_LDT};
    cpu->tr = (struct seg){0, REAL_LIMIT, 0, ATTR_TSS_BUSY};
    cpu->gdtr = cpu->idtr = (struct dtable){0, REAL_LIMIT};
    cpu->cr0 = RESET_CR0;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = cpu->efer = 0;
    cpu->xcr0 = 1;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = RESET_DR6;
    cpu->dr[7] = RESET_DR7;
    memset(&cpu->msr, 0, sizeof(cpu->msr));
    memset(&cpu->simd, 0, sizeof(cpu->simd));
    cpu->simd.mxcsr = MXCSR_RESET;
    cpu->simd.fcw = X87_FCW_RESET;
    cpu->msr.pat = RESET_PAT;
    cpu->msr.misc_enable = MISC_ENABLE_FAST_STRINGS;
    cpu->cpl = 0;
    cpu->pending = 0;
    cpu->halted = false;
    cpu->shutdown = false;
    cpu->intr_shadow = 0;
    cpu->nmi_blocked = false;
    cpu->dr_exec = cpu->dr_data = cpu->dr_io = 0;
    cpu->dr6_pending = 0;
    cpu->attention = true;
    cpu->delivering = -1;
    cpu->chain_len = 0;
    cpu->cur = NULL;
    mmu_reset(&cpu->mmu);
    mmu_set_regs(&cpu->mmu, cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer);
    bc_flush(cpu->bc);
    cpu_update_mode(cpu);
}

void cpu_update_mode(struct cpu *cpu)
{
    const struct seg *cs = &cpu->seg[SEG_CS];
    if (!(cpu->cr0 & CR0_PE))
        cpu->mode = MODE_REAL;
    else if (cpu->efer & EFER_LMA)
        cpu->mode = (cs->attr & SEG_ATTR_L) ? MODE_LONG64
                    : (cs->attr & SEG_ATTR_DB) ? MODE_COMPAT32 : MODE_COMPAT16;
    else
        cpu->mode = (cs->attr & SEG_ATTR_DB) ? MODE_PROT32 : MODE_PROT16;
    bool long64 = cpu->mode == MODE_LONG64;
    for (int s = 0; s < SEG_COUNT; s++)
        cpu->segbase[s] = (long64 && s < SEG_FS) ? 0 : cpu->seg[s].base;
    cpu->stack_size = long64 ? 8 : (cpu->seg[SEG_SS].attr & SEG_ATTR_DB) ? 4 : 2;
    cpu->seg_checks = !long64;
    if (!(cpu->cr0 & CR0_PE))
        cpu->cpl = 0;
    cpu->mmu_idx = cpu->cpl == 3 ? MMU_IDX_USER : MMU_IDX_SUP;
    cpu->mmu.epoch++;
    cpu_refresh_fast_path(cpu); /* CPL 3 may arm alignment checking */
}

void cpu_set_cpl(struct cpu *cpu, unsigned cpl)
{
    cpu->cpl = (uint8_t)cpl;
    cpu->mmu_idx = cpl == 3 ? MMU_IDX_USER : MMU_IDX_SUP;
    cpu->mmu.epoch++;
    cpu_refresh_fast_path(cpu);
}

void cpu_set_seg(struct cpu *cpu, unsigned sreg, uint16_t sel, uint64_t base, uint32_t limit,
                 uint32_t attr)
{
    cpu->seg[sreg] = (struct seg){base, limit, sel, attr};
    bool long64 = cpu->mode == MODE_LONG64;
    cpu->segbase[sreg] = (long64 && sreg < SEG_FS) ? 0 : base;
    if (sreg == SEG_SS)
        cpu->stack_size = long64 ? 8 : (attr & SEG_ATTR_DB) ? 4 : 2;
    if (sreg == SEG_CS)
        cpu->mmu.epoch++;
}

void cpu_load_seg_raw(struct cpu *cpu, int sreg, uint16_t sel, uint64_t base, uint32_t limit,
                      uint32_t attr)
{
    cpu_set_seg(cpu, (unsigned)sreg, sel, base, limit, attr);
    if (sreg == SEG_CS) {
        if (cpu->cr0 & CR0_PE)
            cpu_set_cpl(cpu, sel & 3);
        cpu_update_mode(cpu);
    }
}

static void sync_mmu(struct cpu *cpu)
{
    mmu_set_regs(&cpu->mmu, cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer);
}

void cpu_set_cr(struct cpu *cpu, int n, uint64_t value)
{
    switch (n) {
    case 0: {
        bool pg_on = !(cpu->cr0 & CR0_PG) && (value & CR0_PG);
        bool pg_off = (cpu->cr0 & CR0_PG) && !(value & CR0_PG);
        cpu->cr0 = value | CR0_ET;
        if (pg_on && (cpu->efer & EFER_LME))
            cpu->efer |= EFER_LMA;
        if (pg_off)
            cpu->efer &= ~EFER_LMA;
        break;
    }
    case 2: cpu->cr2 = value; return;
    case 3:
        cpu->cr3 = value;
        mmu_mov_cr3(&cpu->mmu, value, false);
        break;
    case 4: cpu->cr4 = value; break;
    case 8:
        cpu->cr8 = value & 0xf;
        if (cpu->env.cr8_write)
            cpu->env.cr8_write(cpu->env.opaque, (uint8_t)cpu->cr8);
        return;
    default: return;
    }
    sync_mmu(cpu);
    cpu_update_mode(cpu);
}

void cpu_set_efer(struct cpu *cpu, uint64_t value)
{
    uint64_t lma = cpu->efer & EFER_LMA;
    cpu->efer = (value & ~EFER_LMA) | lma;
    sync_mmu(cpu);
    cpu_update_mode(cpu);
}

uint64_t cpu_get_rflags(struct cpu *cpu)
{
    return flags_materialize(cpu);
}

#define RFLAGS_DEFINED                                                                         \
    (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_RF | \
     RFLAGS_VM | RFLAGS_AC | RFLAGS_VIF | RFLAGS_VIP | RFLAGS_ID)

/* Any write may set IF (a pending interrupt becomes deliverable) or TF
 * (single-stepping starts): the run loop looks again. */
void cpu_set_rflags(struct cpu *cpu, uint64_t value)
{
    cpu->lf.op = LF_NONE;
    cpu->rflags = (value & RFLAGS_DEFINED) | RFLAGS_FIXED1;
    cpu->attention = true;
    cpu_refresh_fast_path(cpu); /* RFLAGS.AC may arm alignment checking */
}
