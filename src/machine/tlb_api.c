/* The public TLB API (include/emu/emu.h): statistics and configuration of
 * each CPU's modelled TLBs (src/mmu/tlb.h). */
#include "machine.h"

static const char *const cause_names[EMU_TLB_FLUSH_CAUSES] = {
    [EMU_TLB_FLUSH_MOV_CR3] = "mov-cr3",
    [EMU_TLB_FLUSH_MOV_CR3_NOFLUSH] = "mov-cr3-noflush",
    [EMU_TLB_FLUSH_CR4_PGE] = "cr4-pge",
    [EMU_TLB_FLUSH_CR4_PCIDE] = "cr4-pcide",
    [EMU_TLB_FLUSH_CR4_PAE_SMEP] = "cr4-pae-smep",
    [EMU_TLB_FLUSH_CR0_PG] = "cr0-pg",
    [EMU_TLB_FLUSH_INVLPG] = "invlpg",
    [EMU_TLB_FLUSH_INVPCID_ADDRESS] = "invpcid-address",
    [EMU_TLB_FLUSH_INVPCID_CONTEXT] = "invpcid-context",
    [EMU_TLB_FLUSH_INVPCID_ALL_GLOBAL] = "invpcid-all-global",
    [EMU_TLB_FLUSH_INVPCID_ALL] = "invpcid-all",
    [EMU_TLB_FLUSH_PAGE_FAULT] = "page-fault",
};

const char *emu_tlb_flush_cause_name(emu_tlb_flush_cause cause)
{
    if ((unsigned)cause >= EMU_TLB_FLUSH_CAUSES) return NULL;
    return cause_names[cause];
}

emu_status emu_cpu_get_tlb_stats(emu_machine *m, unsigned cpu, emu_tlb_id tlb, emu_tlb_stats *out)
{
    if (cpu != 0 || (tlb != EMU_TLB_INSTRUCTION && tlb != EMU_TLB_DATA)) return EMU_ERR_ARG;
    mmu_tlb_stats(&m->cpu->mmu, (enum tlb_id)tlb, out);
    return EMU_OK;
}

emu_status emu_cpu_get_tlb_config(emu_machine *m, unsigned cpu, emu_tlb_config *out)
{
    if (cpu != 0) return EMU_ERR_ARG;
    *out = m->cpu->mmu.tlb_cfg;
    return EMU_OK;
}

emu_status emu_cpu_set_tlb_config(emu_machine *m, unsigned cpu, const emu_tlb_config *in)
{
    if (cpu != 0 || !tlb_config_valid(in)) return EMU_ERR_ARG;
    return mmu_configure_tlb(&m->cpu->mmu, in) < 0 ? EMU_ERR_NOMEM : EMU_OK;
}
