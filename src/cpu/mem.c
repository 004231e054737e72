/* Slow paths of guest memory access: segmentation checks in legacy modes,
 * canonical checks, page walks, accesses that cross a page (both pages are
 * translated before any byte is written), MMIO. */
#include "events.h"


/* In 64-bit mode every byte of the access must be canonical: #SS(0) for
 * stack accesses, else #GP(0) (SDM Vol. 3 §3.3.7.1). */
static void check_canonical(struct cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    if (cpu_long64(cpu) && (!is_canonical(lin) || !is_canonical(lin + size - 1)))
        cpu_fault_why(cpu, (acc & MEM_STACK) ? EXC_SS : EXC_GP, 0, FC_NONCANONICAL, lin);
}

/* The linear address of the byte after the first page of an access that
 * crosses it; linear addresses wrap at 4 GiB outside IA-32e mode. */
static uint64_t second_page(const struct cpu *cpu, uint64_t lin)
{
    uint64_t next = (lin | PAGE_OFFSET_MASK) + 1;
    return (cpu->efer & EFER_LMA) ? next : (next & 0xFFFFFFFFULL);
}

static unsigned access_bits(const struct cpu *cpu, unsigned kind)
{
    unsigned acc = kind;
    if (cpu->cpl == 3)
        acc |= MMU_USER;
    if (cpu->rflags & RFLAGS_AC)
        acc |= MMU_AC;
    return acc;
}

static uint64_t translate(struct cpu *cpu, uint64_t lin, unsigned acc)
{
    uint64_t pa;
    uint32_t err;
    if (!mmu_translate(&cpu->mmu, lin, acc, &pa, &err))
        cpu_page_fault(cpu, lin, err);
    return pa;
}

/* Reads size bytes at lin, which cross into the next page. */
static __attribute__((noinline)) uint64_t read_crossing(struct cpu *cpu, uint64_t lin,
                                                        unsigned size, unsigned acc)
{
    unsigned first = (unsigned)(PAGE_SIZE - (lin & PAGE_OFFSET_MASK));
    uint64_t pa1 = translate(cpu, lin, acc);
    uint64_t pa2 = translate(cpu, second_page(cpu, lin), acc);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa = i < first ? pa1 + i : pa2 + (i - first);
        v |= phys_read(cpu->mmu.pm, pa, 1) << (8 * i);
    }
    return v;
}

/* Reads size bytes at lin with translation flags acc (pages may differ).
 * Always inline, the crossing case out of line: how the compiler inlines
 * these must not depend on what else the callers do (the hook tests in
 * them made it keep the whole function out of line: +2% host instructions
 * on bench/tlbtouch with no hook installed). */
static inline __attribute__((always_inline)) uint64_t read_split(struct cpu *cpu, uint64_t lin,
                                                                 unsigned size, unsigned acc)
{
    if (likely(fits_in_page(lin, size)))
        return phys_read(cpu->mmu.pm, translate(cpu, lin, acc), size);
    return read_crossing(cpu, lin, size, acc);
}

/* Writes size bytes at lin, which cross into the next page. */
static __attribute__((noinline)) void write_crossing(struct cpu *cpu, uint64_t lin, unsigned size,
                                                     uint64_t v, unsigned acc)
{
    unsigned first = (unsigned)(PAGE_SIZE - (lin & PAGE_OFFSET_MASK));
    uint64_t pa1 = translate(cpu, lin, acc);
    uint64_t pa2 = translate(cpu, second_page(cpu, lin), acc);
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa = i < first ? pa1 + i : pa2 + (i - first);
        phys_write(cpu->mmu.pm, pa, (v >> (8 * i)) & 0xff, 1);
    }
}

/* write_split: as read_split. */
static inline __attribute__((always_inline)) void
write_split(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v, unsigned acc)
{
    if (likely(fits_in_page(lin, size)))
        phys_write(cpu->mmu.pm, translate(cpu, lin, acc), v, size);
    else
        write_crossing(cpu, lin, size, v, acc);
}

/* #AC(0) for a data or stack access at lin that is not a multiple of its
 * size, when alignment checking is armed (SDM Vol. 3 §6.15, Table 6-7:
 * word 2, doubleword 4, quadword 8). A page fault on the same access comes
 * first (Table 6-2), so its pages are translated before. The pushes of
 * event delivery are not checked. */
static __attribute__((noinline)) void check_alignment_slow(struct cpu *cpu, uint64_t lin,
                                                           unsigned size, unsigned kind)
{
    if ((size & (size - 1)) || !cpu_alignment_checks(cpu) || cpu->delivering >= 0)
        return;
    unsigned acc = access_bits(cpu, kind);
    translate(cpu, lin, acc);
    if (!fits_in_page(lin, size))
        translate(cpu, second_page(cpu, lin), acc);
    cpu_fault_why(cpu, EXC_AC, 0, FC_ALIGNMENT, lin);
}

/* check_alignment_slow for a misaligned access: one test and branch on the
 * slow path when the access is aligned (the common case). */
static inline __attribute__((always_inline)) void check_alignment(struct cpu *cpu, uint64_t lin,
                                                                  unsigned size, unsigned kind)
{
    if (unlikely(lin & (size - 1)))
        check_alignment_slow(cpu, lin, size, kind);
}

uint64_t mem_read_slow(struct cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    check_canonical(cpu, lin, size, acc);
    check_alignment(cpu, lin, size, MMU_READ);
    uint64_t v = read_split(cpu, lin, size, access_bits(cpu, MMU_READ));
    if (unlikely(cpu->dr_data))
        dr_data_access(cpu, lin, size, false);
    if (cpu_hooked(cpu, EMU_EV_MEM_READ))
        cpu_ev_mem(cpu, EMU_EV_MEM_READ, lin, v, size, false);
    return v;
}

/* The RAM bytes a write is about to replace, for the write event (no side
 * effects: no A/D bits, no MMIO reads). */
static uint64_t old_bytes(struct cpu *cpu, uint64_t lin, unsigned size)
{
    uint64_t v = ~0ULL;
    cpu_read_linear(cpu, lin, &v, size);
    return size < 8 ? v & ((1ULL << (8 * size)) - 1) : v;
}

void mem_write_slow(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t value, unsigned acc)
{
    check_canonical(cpu, lin, size, acc);
    check_alignment(cpu, lin, size, MMU_WRITE);
    bool hooked = cpu_hooked(cpu, EMU_EV_MEM_WRITE);
    uint64_t old = hooked ? old_bytes(cpu, lin, size) : 0;
    write_split(cpu, lin, size, value, access_bits(cpu, MMU_WRITE));
    if (unlikely(cpu->dr_data))
        dr_data_access(cpu, lin, size, true);
    if (hooked)
        cpu_ev_mem_write(cpu, lin, value, old, size, false);
}

void mem_probe_write(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size)
{
    uint64_t lin = seg_linear(cpu, sreg, ea, size, MMU_WRITE);
    check_canonical(cpu, lin, size, stack_flag(sreg));
    unsigned acc = access_bits(cpu, MMU_WRITE);
    translate(cpu, lin, acc);
    if (!fits_in_page(lin, size))
        translate(cpu, second_page(cpu, lin), acc);
    check_alignment(cpu, lin, size, MMU_WRITE);
}

uint64_t sys_read(struct cpu *cpu, uint64_t lin, unsigned size)
{
    check_canonical(cpu, lin, size, 0);
    uint64_t v = read_split(cpu, lin, size, MMU_READ | MMU_IMPLICIT);
    if (cpu_hooked(cpu, EMU_EV_MEM_READ))
        cpu_ev_mem(cpu, EMU_EV_MEM_READ, lin, v, size, true);
    return v;
}

void sys_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v)
{
    check_canonical(cpu, lin, size, 0);
    bool hooked = cpu_hooked(cpu, EMU_EV_MEM_WRITE);
    uint64_t old = hooked ? old_bytes(cpu, lin, size) : 0;
    write_split(cpu, lin, size, v, MMU_WRITE | MMU_IMPLICIT);
    if (hooked)
        cpu_ev_mem_write(cpu, lin, v, old, size, true);
}

/* Legacy-mode segmentation (SDM Vol. 3 §5.3): type and limit checks. */
uint64_t seg_linear_slow(struct cpu *cpu, unsigned sreg, uint64_t ea, unsigned size, unsigned acc)
{
    const struct seg *s = &cpu->seg[sreg];
    unsigned vector = sreg == SEG_SS ? EXC_SS : EXC_GP;
    if (cpu_long64(cpu))
        return ea + cpu->segbase[sreg];
    if (cpu_protected(cpu)) {
        if (s->attr & SEG_ATTR_UNUSABLE)
            cpu_fault_why(cpu, vector, 0, FC_SEG_UNUSABLE, sreg);
        bool code = (s->attr & SEG_ATTR_CODE) != 0;
        if ((acc & MMU_KIND_MASK) == MMU_WRITE && (code || !(s->attr & SEG_ATTR_RW)))
            cpu_fault_why(cpu, vector, 0, FC_SEG_TYPE, sreg);
        if ((acc & MMU_KIND_MASK) == MMU_READ && code && !(s->attr & SEG_ATTR_RW))
            cpu_fault_why(cpu, vector, 0, FC_SEG_TYPE, sreg);
    }
    uint64_t last = ea + size - 1;
    bool expand_down = !(s->attr & SEG_ATTR_CODE) && (s->attr & SEG_ATTR_DC) && cpu_protected(cpu);
    if (expand_down) {
        uint64_t upper = (s->attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
        if (ea <= s->limit || last > upper)
            cpu_fault_why(cpu, vector, 0, FC_SEG_LIMIT, ea);
    } else if (last > s->limit || last < ea) {
        cpu_fault_why(cpu, vector, 0, FC_SEG_LIMIT, ea);
    }
    return (s->base + ea) & 0xffffffffULL;
}

size_t cpu_read_linear(struct cpu *cpu, uint64_t lin, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        struct mmu_walk w;
        uint64_t at = lin + done;
        if (!mmu_walk(&cpu->mmu, at, MMU_READ | MMU_NO_SIDE_EFFECTS, &w))
            break;
        size_t chunk = PAGE_SIZE - (at & PAGE_OFFSET_MASK);
        if (chunk > len - done)
            chunk = len - done;
        phys_copy_from(cpu->mmu.pm, w.pa, out + done, chunk);
        done += chunk;
    }
    return done;
}
