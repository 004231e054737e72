/* Fuzz machines: the configurations, entering one, random registers, and
 * the final-state hash the determinism check compares (guest.h). */
#include "guest_int.h"

#include <stdlib.h>
#include <string.h>

#define ATTR_CODE (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A)
#define ATTR_DATA (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A | SEG_ATTR_DB | SEG_ATTR_G)
#define DPL3      (3u << SEG_ATTR_DPL_SHIFT)
#define FLAT      0xFFFFFFFFu
#define REAL_CS   (FZ_CODE >> 4)
#define REAL_DS   (FZ_DATA >> 4)
#define REAL_SS   ((FZ_USTACK_TOP - 0x10000) >> 4)

const struct fz_config fz_configs[] = {
    {"real", MODE_REAL, 0, FZ_PG_OFF, true},
    {"prot16", MODE_PROT16, 0, FZ_PG_OFF, true},
    {"prot16-user", MODE_PROT16, 3, FZ_PG_32, true},
    {"prot32", MODE_PROT32, 0, FZ_PG_OFF, true},
    {"prot32-user", MODE_PROT32, 3, FZ_PG_OFF, true},
    {"prot32-paging", MODE_PROT32, 0, FZ_PG_32, true},
    {"prot32-pae-user", MODE_PROT32, 3, FZ_PG_PAE, true},
    {"prot32-triple", MODE_PROT32, 0, FZ_PG_PAE, false},
    {"compat16", MODE_COMPAT16, 0, FZ_PG_LONG, true},
    {"compat32", MODE_COMPAT32, 0, FZ_PG_LONG, true},
    {"compat32-user", MODE_COMPAT32, 3, FZ_PG_LONG, true},
    {"long64", MODE_LONG64, 0, FZ_PG_LONG, true},
    {"long64-user", MODE_LONG64, 3, FZ_PG_LONG, true},
    {"long64-triple", MODE_LONG64, 0, FZ_PG_LONG, false},
    {"long64-user-triple", MODE_LONG64, 3, FZ_PG_LONG, false},
};
const size_t fz_nconfigs = sizeof(fz_configs) / sizeof(fz_configs[0]);

unsigned fz_code_bits(const struct fz_config *c)
{
    switch (c->mode) {
    case MODE_LONG64: return 64;
    case MODE_PROT32:
    case MODE_COMPAT32: return 32;
    default: return 16;
    }
}

uint64_t fz_code_rip(const struct fz_config *c)
{
    return fz_code_bits(c) == 16 ? 0 : FZ_CODE;
}

static void serial_hash(void *ctx, const uint8_t *buf, size_t len)
{
    uint64_t *h = ctx;
    *h = fuzz_hash(*h, buf, len);
}

/* Values registers start with: the edges of every width, the addresses
 * the layout uses, unmapped and non-canonical ones. */
static uint64_t interesting(struct rng *r)
{
    static const uint64_t v[] = {0,
                                 1,
                                 2,
                                 0x7F,
                                 0x80,
                                 0xFF,
                                 0x7FFF,
                                 0x8000,
                                 0xFFFF,
                                 0x7FFFFFFF,
                                 0x80000000,
                                 0xFFFFFFFF,
                                 0x100000000ULL,
                                 0x7FFFFFFFFFFFFFFFULL,
                                 0x8000000000000000ULL,
                                 UINT64_MAX,
                                 0x0000800000000000ULL,
                                 0xFFFF7FFFFFFFFFFFULL,
                                 FZ_CODE,
                                 FZ_DATA,
                                 FZ_DATA + 0x8000,
                                 FZ_USTACK_TOP - 8,
                                 FZ_GDT,
                                 FZ_IDT,
                                 FZ_TSS,
                                 FZ_TABLES,
                                 0xB8000,
                                 0xFEE00000,
                                 0xFEC00000,
                                 FZ_RAM - 1,
                                 FZ_RAM,
                                 0x3FFFFFFF,
                                 0xFFFFF000};
    if (rng_chance(r, 30)) {
        uint64_t v = rng_next(r);
        return v >> rng_below(r, 64);
    }
    return RNG_PICK(r, v);
}

static void random_regs(struct machine *m, struct rng *r, const struct fz_config *c)
{
    struct cpu *cpu = m->cpu;
    for (unsigned i = 0; i < 16; i++)
        cpu->gpr[i] = interesting(r);
    bool real = c->mode == MODE_REAL;
    cpu->gpr[RSP] = rng_chance(r, 90) ? (real ? 0xFFF0 : FZ_USTACK_TOP) : interesting(r);
    uint64_t f = RFLAGS_FIXED1 | (rng_next(r) & (RFLAGS_ARITH | RFLAGS_DF));
    if (rng_chance(r, 30)) f |= RFLAGS_IF;
    if (rng_chance(r, 5)) f |= RFLAGS_TF;
    if (rng_chance(r, 5)) f |= RFLAGS_AC;
    if (rng_chance(r, 5)) f |= RFLAGS_NT;
    if (rng_chance(r, 20)) f |= RFLAGS_IOPL;
    cpu_set_rflags(cpu, f);
    uint8_t data[FZ_DATA_SIZE];
    for (size_t i = 0; i < sizeof(data); i += 8) {
        uint64_t v = rng_chance(r, 50) ? interesting(r) : rng_next(r);
        memcpy(data + i, &v, 8);
    }
    emu_phys_write(m, FZ_DATA, data, sizeof(data));
}

static void enter_real(struct cpu *cpu)
{
    const uint32_t a = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A;
    cpu_load_seg_raw(cpu, SEG_DS, REAL_DS, FZ_DATA, 0xFFFF, a);
    cpu_load_seg_raw(cpu, SEG_ES, REAL_DS, FZ_DATA, 0xFFFF, a);
    cpu_load_seg_raw(cpu, SEG_SS, REAL_SS, REAL_SS << 4, 0xFFFF, a);
    cpu_load_seg_raw(cpu, SEG_FS, 0, 0, 0xFFFF, a);
    cpu_load_seg_raw(cpu, SEG_GS, 0, 0, 0xFFFF, a);
    cpu_load_seg_raw(cpu, SEG_CS, REAL_CS, FZ_CODE, 0xFFFF, a | SEG_ATTR_CODE);
    cpu->idtr = (struct dtable){0, 0x3FF};
}

/* Control registers, EFER and the MSRs SYSCALL/SYSENTER use. */
static void enter_paging(struct machine *m, const struct fz_config *c, struct rng *r)
{
    struct cpu *cpu = m->cpu;
    bool nx = c->paging >= FZ_PG_PAE && rng_chance(r, 50);
    uint64_t cr3 = fz_write_tables(m, c, r, nx);
    uint64_t cr4 = rng_maybe(r, 80, CR4_OSFXSR | CR4_OSXMMEXCPT);
    cr4 |= rng_maybe(r, 10, CR4_PGE);
    cr4 |= rng_maybe(r, 10, CR4_FSGSBASE);
    cr4 |= rng_maybe(r, 5, CR4_UMIP);
    cr4 |= rng_maybe(r, 5, CR4_TSD);
    cr4 |= c->paging == FZ_PG_32 ? CR4_PSE : c->paging >= FZ_PG_PAE ? CR4_PAE : 0;
    cpu_set_cr(cpu, 4, cr4);
    uint64_t efer = (nx ? EFER_NXE : 0) | (rng_chance(r, 80) ? EFER_SCE : 0);
    cpu_set_efer(cpu, efer | (c->paging == FZ_PG_LONG ? EFER_LME : 0));
    cpu_set_cr(cpu, 3, cr3);
    uint64_t cr0 = CR0_PE | CR0_ET | CR0_NE | rng_maybe(r, 70, CR0_WP);
    cr0 |= rng_maybe(r, 5, CR0_TS);
    cr0 |= rng_maybe(r, 5, CR0_AM);
    cpu_set_cr(cpu, 0, cr0 | (c->paging != FZ_PG_OFF ? CR0_PG : 0));
    cpu->msr.star = ((uint64_t)(FZ_SEL_CODE32 | 3) << 48) | ((uint64_t)FZ_SEL_CODE64 << 32);
    cpu->msr.lstar = FZ_SYSCALL_STUB;
    cpu->msr.fmask = RFLAGS_TF | RFLAGS_IF;
    cpu->msr.sysenter_cs = FZ_SEL_CODE64;
    cpu->msr.sysenter_esp = FZ_KSTACK_TOP;
    cpu->msr.sysenter_eip = FZ_SYSENTER_STUB;
}

static void enter_protected(struct machine *m, const struct fz_config *c, struct rng *r)
{
    struct cpu *cpu = m->cpu;
    enter_paging(m, c, r);
    bool user = c->cpl == 3;
    uint32_t data = ATTR_DATA | (user ? DPL3 : 0);
    for (int s = 0; s < SEG_COUNT; s++)
        if (s != SEG_CS) cpu_load_seg_raw(cpu, s, user ? FZ_SEL_UDATA : FZ_SEL_DATA, 0, FLAT, data);
    cpu->tr = (struct seg){FZ_TSS, FZ_TSS_LIMIT, FZ_SEL_TSS, SEG_ATTR_P | DESC_TYPE_TSS_BUSY};
    uint32_t code = ATTR_CODE | (user ? DPL3 : 0);
    switch (c->mode) {
    case MODE_LONG64:
        cpu_load_seg_raw(cpu, SEG_CS, user ? FZ_SEL_UCODE64 : FZ_SEL_CODE64, 0, FLAT,
                         code | SEG_ATTR_L | SEG_ATTR_G);
        break;
    case MODE_PROT32:
    case MODE_COMPAT32:
        cpu_load_seg_raw(cpu, SEG_CS, user ? FZ_SEL_UCODE32 : FZ_SEL_CODE32, 0, FLAT,
                         code | SEG_ATTR_DB | SEG_ATTR_G);
        break;
    default: /* 16-bit code based at FZ_CODE */
        cpu_load_seg_raw(cpu, SEG_CS, user ? FZ_SEL_UCODE16 : FZ_SEL_CODE16, FZ_CODE, 0xFFFF, code);
        break;
    }
}

struct machine *fz_machine_new(const struct fz_config *c, struct rng *r, uint64_t max_insns,
                               uint64_t *serial)
{
    *serial = FUZZ_HASH_INIT;
    emu_config cfg = {.ram_size = FZ_RAM,
                      .max_insns = max_insns,
                      .serial_out = serial_hash,
                      .serial_ctx = serial};
    emu_machine *m;
    if (emu_machine_create(&cfg, &m) != EMU_OK) return NULL;
    fz_write_gdt(m, c, r);
    fz_write_idt(m, c, r);
    fz_write_tss(m, c, r);
    struct cpu *cpu = m->cpu;
    cpu->gdtr = (struct dtable){FZ_GDT, FZ_GDT_LIMIT};
    if (c->mode == MODE_REAL) {
        enter_real(cpu);
    } else {
        cpu->idtr = (struct dtable){FZ_IDT, c->paging == FZ_PG_LONG ? 0xFFF : 0x7FF};
        enter_protected(m, c, r);
    }
    if (!c->catching) cpu->idtr = (struct dtable){0, 0};
    random_regs(m, r, c);
    cpu->rip = fz_code_rip(c);
    return m;
}

uint64_t fz_state_hash(struct machine *m, const emu_run_result *res)
{
    emu_regs regs;
    emu_sregs s;
    emu_cpu_get_regs(m, 0, &regs);
    emu_cpu_get_sregs(m, 0, &s);
    uint64_t h = fuzz_hash(FUZZ_HASH_INIT, &regs, sizeof(regs));
    uint64_t fields[] = {s.cr0,       s.cr2,
                         s.cr3,       s.cr4,
                         s.efer,      s.cs,
                         s.ss,        s.ds,
                         s.es,        s.fs,
                         s.gs,        s.tr,
                         s.ldtr,      s.fs_base,
                         s.gs_base,   s.gdt_base,
                         s.idt_base,  s.gdt_limit,
                         s.idt_limit, s.cpl,
                         res->reason, (uint64_t)res->exit_status,
                         res->insns,  res->triple_fault};
    h = fuzz_hash(h, fields, sizeof(fields));
    enum { CHUNK = 1 << 16 };
    uint64_t *buf = malloc(CHUNK);
    for (uint64_t pa = 0; buf && pa < FZ_RAM; pa += CHUNK) {
        emu_phys_read(m, pa, buf, CHUNK);
        h = fuzz_hash_words(h, buf, CHUNK / 8);
    }
    free(buf);
    return h;
}
