/* The TLB-facing instructions: MOV to CR3's invalidation (with the no-flush
 * bit under CR4.PCIDE and the PDPTE load under PAE paging), INVPCID, and
 * STAC/CLAC (RFLAGS.AC, which lifts SMAP for explicit supervisor accesses).
 * INVLPG is in system.c; the rules themselves live in src/mmu/mmu.c. */
#include "ops.h"

#define INVPCID_DESC_RSVD 0xFFFFFFFFFFFFF000ULL /* descriptor bits 63:12 */
#define PCID_FIELD        0xFFFULL

enum paging_op { PG_STAC, PG_CLAC, PG_INVPCID };

/* PAE (not 4-level) paging with these registers: paging on with EFER.LME
 * set means IA-32e mode. */
static bool pae_paging_after(const struct cpu *cpu, uint64_t cr0, uint64_t cr4)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(cpu->efer & (EFER_LMA | EFER_LME));
}

void paging_check_pdptes(struct cpu *cpu, uint64_t cr0, uint64_t cr3, uint64_t cr4)
{
    if (pae_paging_after(cpu, cr0, cr4) && !mmu_pdptes_valid(&cpu->mmu, cr3))
        cpu_fault(cpu, EXC_GP, 0);
}

void paging_mov_cr3(struct cpu *cpu, uint64_t cr3, bool noflush)
{
    paging_check_pdptes(cpu, cpu->cr0, cr3, cpu->cr4);
    cpu->cr3 = cr3;
    mmu_mov_cr3(&cpu->mmu, cr3, noflush);
}


/* INVPCID (SDM Vol. 2): the descriptor is read first (its #PF/#GP/#SS come
 * before the operand checks, as the pseudocode orders them). */
static void do_invpcid(struct cpu *cpu, const struct insn *in)
{
    if ((cpu->rflags & RFLAGS_VM) || (in->flags & INSN_LOCK)) cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    if (cpu->cpl != 0) cpu_fault(cpu, EXC_GP, 0);
    uint64_t type = reg_read(cpu, in->r1, cpu_long64(cpu) ? 8 : 4);
    uint64_t ea = insn_ea(cpu, in);
    uint64_t desc_lo = mem_read(cpu, in->seg, ea, 8);
    uint64_t lin = mem_read(cpu, in->seg, (ea + 8) & size_mask(in->asz), 8);
    if (type > INVPCID_ALL || (desc_lo & INVPCID_DESC_RSVD)) cpu_fault(cpu, EXC_GP, 0);
    uint16_t pcid = (uint16_t)(desc_lo & PCID_FIELD);
    if (type == INVPCID_ADDRESS && !is_canonical(lin)) cpu_fault(cpu, EXC_GP, 0);
    if (type <= INVPCID_CONTEXT && !(cpu->cr4 & CR4_PCIDE) && pcid != 0) cpu_fault(cpu, EXC_GP, 0);
    mmu_invpcid(&cpu->mmu, (unsigned)type, pcid, lin);
}

/* STAC/CLAC: #UD outside CPL 0 (and in virtual-8086 mode). */
static void set_ac(struct cpu *cpu, const struct insn *in, bool on)
{
    if ((cpu->rflags & RFLAGS_VM) || (in->flags & INSN_LOCK) || cpu->cpl != 0)
        cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    if (on)
        cpu->rflags |= RFLAGS_AC;
    else
        cpu->rflags &= ~RFLAGS_AC;
}

static void paging_op(struct cpu *cpu, const struct insn *in)
{
    switch (in->op) {
    case PG_STAC: set_ac(cpu, in, true); break;
    case PG_CLAC: set_ac(cpu, in, false); break;
    default: do_invpcid(cpu, in); break;
    }
}

bool xl_paging(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_STAC: in->op = PG_STAC; break;
    case ZYDIS_MNEMONIC_CLAC: in->op = PG_CLAC; break;
    case ZYDIS_MNEMONIC_INVPCID:
        in->op = PG_INVPCID;
        xl_operand(x, 0, in);
        if (xl_operand(x, 1, in) != ZYDIS_OPERAND_TYPE_MEMORY) return false;
        in->flags = (uint8_t)((in->flags & ~INSN_M1) | INSN_END);
        break;
    default: return false;
    }
    in->fn = paging_op;
    return true;
}
