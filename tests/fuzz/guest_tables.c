/* The system tables a fuzz machine starts with (guest.h): GDT with random
 * descriptors after the fixed ones, IDT and handler stubs, TSS and I/O
 * bitmap, page tables with some random page flags. */
#include "guest_int.h"

#include <string.h>

#define ATTR_CODE   (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A)
#define ATTR_DATA   (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A | SEG_ATTR_DB | SEG_ATTR_G)
#define DPL3        (3u << SEG_ATTR_DPL_SHIFT)
#define GATE_P      (1ULL << 47)
#define GATE_IST1   (1ULL << 32)
#define PG_FLAGS    (PTE_P | PTE_W | PTE_U)
#define LAPIC_PAGE  0xFEE00000u
#define IOAPIC_PAGE 0xFEC00000u

/* Page-table pages inside FZ_TABLES. */
enum {
    PD32 = FZ_TABLES, // 32-bit paging: one 4 MiB page + the APIC pages
    PDPT_PAE = FZ_TABLES + 0x1000,
    PD_LOW = FZ_TABLES + 0x2000,  // 0..4 MiB in 2 MiB pages (the first through PT_LOW)
    PD_HIGH = FZ_TABLES + 0x3000, // 3..4 GiB: the APIC pages
    PML4 = FZ_TABLES + 0x4000,
    PDPT_LONG = FZ_TABLES + 0x5000,
    PT_LOW = FZ_TABLES + 0x6000, // 0..2 MiB in 4 KiB pages
};

uint64_t fz_descriptor(uint64_t base, uint32_t limit, uint32_t attr)
{
    uint64_t d = (limit & 0xFFFFu) | ((uint64_t)(base & 0xFFFFFFu) << 16);
    d |= (uint64_t)(attr & 0xFF) << 40;
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)((attr >> 12) & 0xF) << 52;
    d |= (uint64_t)((base >> 24) & 0xFF) << 56;
    return d;
}

/* A gate (interrupt, trap or call) to sel:off; the high half for IA-32e. */
static void gate(uint64_t out[2], uint16_t sel, uint64_t off, unsigned type, unsigned dpl)
{
    out[0] = (off & 0xFFFF) | ((uint64_t)sel << 16) | ((uint64_t)type << 40) |
             ((uint64_t)dpl << 45) | GATE_P | (((off >> 16) & 0xFFFF) << 48);
    out[1] = off >> 32;
}

static void poke64(struct machine *m, uint64_t pa, uint64_t v)
{
    emu_phys_write(m, pa, &v, sizeof(v));
}

static void poke32(struct machine *m, uint64_t pa, uint64_t v)
{
    uint32_t w = (uint32_t)v;
    emu_phys_write(m, pa, &w, sizeof(w));
}

/* A random descriptor: a segment of any type, a gate, an LDT or TSS, or noise. */
static uint64_t random_descriptor(struct rng *r)
{
    static const uint64_t bases[] = {0, FZ_CODE, FZ_DATA, 0xFFFFF000, 0x12345678};
    static const uint32_t limits[] = {0, 0xFFFF, 0xFFFFF, 0x67, 0xFFF, 0x1};
    static const uint16_t sels[] = {FZ_SEL_CODE64,  FZ_SEL_CODE32, FZ_SEL_CODE16,
                                    FZ_SEL_UCODE64, FZ_SEL_DATA,   0,
                                    0x1234,         FZ_SEL_TSS};
    static const unsigned gates[] = {DESC_TYPE_CALL, DESC_TYPE_CALL16, DESC_TYPE_TASK,
                                     DESC_TYPE_INT, DESC_TYPE_TRAP};
    static const unsigned system[] = {DESC_TYPE_LDT, DESC_TYPE_TSS, DESC_TYPE_TSS_BUSY,
                                      DESC_TYPE_TSS16};
    uint64_t g[2];
    switch (rng_below(r, 6)) {
    case 0: return rng_next(r);
    case 1: return 0;
    case 2: { /* call, interrupt, trap or task gate (one draw per statement: see rng.h) */
        uint16_t sel = RNG_PICK(r, sels);
        uint64_t off = FZ_STUBS + rng_below(r, 0x2000);
        unsigned type = RNG_PICK(r, gates);
        gate(g, sel, off, type, (unsigned)rng_below(r, 4));
        return g[0] ^ rng_maybe(r, 10, GATE_P);
    }
    case 3: { /* LDT or TSS */
        uint64_t base = RNG_PICK(r, bases);
        uint32_t limit = RNG_PICK(r, limits);
        return fz_descriptor(base, limit, SEG_ATTR_P | RNG_PICK(r, system));
    }
    default: { /* a code or data segment, usually present */
        uint64_t base = RNG_PICK(r, bases);
        uint32_t limit = RNG_PICK(r, limits);
        uint32_t attr = (uint32_t)(SEG_ATTR_S | (rng_next(r) & 0xF06F));
        return fz_descriptor(base, limit, attr | (uint32_t)rng_maybe(r, 90, SEG_ATTR_P));
    }
    }
}

void fz_write_gdt(struct machine *m, const struct fz_config *c, struct rng *r)
{
    (void)c;
    uint64_t gdt[(FZ_GDT_LIMIT + 1) / 8] = {
        0,
        fz_descriptor(0, 0xFFFFF, ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G),
        fz_descriptor(0, 0xFFFFF, ATTR_DATA),
        fz_descriptor(0, 0xFFFFF, ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G),
        fz_descriptor(0, 0xFFFFF, ATTR_DATA | DPL3),
        fz_descriptor(0, 0xFFFFF, ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G | DPL3),
        fz_descriptor(0, 0xFFFFF, ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G | DPL3),
        fz_descriptor(FZ_CODE, 0xFFFF, ATTR_CODE),
        fz_descriptor(FZ_TSS, FZ_TSS_LIMIT, SEG_ATTR_P | DESC_TYPE_TSS_BUSY),
        0, /* the TSS descriptor's upper half in IA-32e mode */
        fz_descriptor(FZ_CODE, 0xFFFF, ATTR_CODE | DPL3),
    };
    for (size_t i = FZ_GDT_RANDOM_FIRST; i < sizeof(gdt) / sizeof(gdt[0]); i++)
        gdt[i] = random_descriptor(r);
    emu_phys_write(m, FZ_GDT, gdt, sizeof(gdt));
}

/* The handler for vector v in the code the IDT's gates run (64- or 32-bit,
 * or real mode): faults and software interrupts below 32 return one byte
 * further; interrupts from 32 on send EOIs to the local APIC and both PICs. */
static size_t stub(uint8_t *s, unsigned v, unsigned bits)
{
    static const uint8_t eoi[] = {0x50, 0xB8, 0xB0, 0x00, 0xE0, 0xFE, 0xC7, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58};
    static const uint8_t real_skip[] = {0x55, 0x89, 0xE5, 0xFF, 0x46, 0x02, 0x5D, 0xCF};
    static const uint8_t real_eoi[] = {0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, 0xCF};
    bool err = v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC || v == EXC_CP;
    size_t n = 0;
    if (bits == 16) {
        const uint8_t *src = v < 32 ? real_skip : real_eoi;
        n = v < 32 ? sizeof(real_skip) : sizeof(real_eoi);
        memcpy(s, src, n);
        return n;
    }
    if (v >= 32) {
        memcpy(s, eoi, sizeof(eoi));
        n = sizeof(eoi);
    } else {
        if (err) { /* add rsp/esp, 8/4 */
            if (bits == 64) s[n++] = 0x48;
            s[n++] = 0x83, s[n++] = 0xC4, s[n++] = bits == 64 ? 8 : 4;
        }
        if (bits == 64) s[n++] = 0x48; /* add qword/dword [rsp], 1 */
        s[n++] = 0x83, s[n++] = 0x04, s[n++] = 0x24, s[n++] = 0x01;
    }
    if (bits == 64) s[n++] = 0x48;
    s[n++] = 0xCF; /* iret */
    return n;
}

void fz_write_idt(struct machine *m, const struct fz_config *c, struct rng *r)
{
    unsigned bits = c->mode == MODE_REAL ? 16 : c->paging == FZ_PG_LONG ? 64 : 32;
    uint8_t stubs[256 * FZ_STUB_SIZE];
    memset(stubs, 0xCC, sizeof(stubs));
    for (unsigned v = 0; v < 256; v++)
        stub(stubs + v * FZ_STUB_SIZE, v, bits);
    emu_phys_write(m, FZ_STUBS, stubs, sizeof(stubs));
    for (unsigned v = 0; v < 256; v++) {
        uint64_t off = FZ_STUBS + v * FZ_STUB_SIZE, g[2];
        if (bits == 16) {
            uint32_t ivt = (uint32_t)off;
            emu_phys_write(m, v * 4, &ivt, 4);
            continue;
        }
        unsigned type = rng_chance(r, 10) ? DESC_TYPE_TRAP : DESC_TYPE_INT;
        gate(g, bits == 64 ? FZ_SEL_CODE64 : FZ_SEL_CODE32, off, type, 3);
        if (bits == 64) g[0] |= GATE_IST1;
        if (rng_chance(r, 2)) /* the odd broken gate */
            g[0] ^= rng_next(r) & (GATE_P | (0xFULL << 40) | (3ULL << 45) | (0xFFFFULL << 16));
        if (bits == 64)
            emu_phys_write(m, FZ_IDT + v * 16, g, 16);
        else
            emu_phys_write(m, FZ_IDT + v * 8, g, 8);
    }
    static const uint8_t sysret64[] = {0x48, 0x0F, 0x07}, sysexit64[] = {0x48, 0x0F, 0x35},
                         sysexit32[] = {0x0F, 0x35};
    emu_phys_write(m, FZ_SYSCALL_STUB, sysret64, sizeof(sysret64));
    if (bits == 64)
        emu_phys_write(m, FZ_SYSENTER_STUB, sysexit64, sizeof(sysexit64));
    else
        emu_phys_write(m, FZ_SYSENTER_STUB, sysexit32, sizeof(sysexit32));
}

void fz_write_tss(struct machine *m, const struct fz_config *c, struct rng *r)
{
    uint8_t tss[FZ_TSS_LIMIT + 1] = {0};
    uint64_t rsp0 = FZ_KSTACK_TOP, ist1 = FZ_ISTACK_TOP;
    uint16_t ss0 = FZ_SEL_DATA, iomap = 0x68;
    if (c->paging == FZ_PG_LONG) {
        memcpy(tss + 4, &rsp0, 8);
        memcpy(tss + 36, &ist1, 8);
    } else {
        memcpy(tss + 4, &rsp0, 4);
        memcpy(tss + 8, &ss0, 2);
    }
    memcpy(tss + 0x66, &iomap, 2);
    if (rng_chance(r, 50)) /* else every port is allowed */
        for (size_t i = 0x68; i < sizeof(tss); i++)
            tss[i] = (uint8_t)rng_next(r);
    emu_phys_write(m, FZ_TSS, tss, sizeof(tss));
}

/* Page flags for the 4 KiB pages of the first 2 MiB: mostly P|W|U, a few
 * random ones (not present, read-only, supervisor, NX). */
static void write_low_pt(struct machine *m, struct rng *r, bool nx)
{
    uint64_t pt[512];
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t flags = PG_FLAGS;
        if (i >= FZ_CODE / 4096 && rng_chance(r, 3)) flags ^= rng_next(r) & (PTE_P | PTE_W | PTE_U);
        if (nx && rng_chance(r, 2)) flags |= PTE_NX;
        pt[i] = (i << 12) | flags;
    }
    emu_phys_write(m, PT_LOW, pt, sizeof(pt));
}

/* 2 MiB (PAE/IA-32e) page-directory entries for 0..4 MiB and the APICs. */
static void write_pae_dirs(struct machine *m, struct rng *r, bool nx)
{
    write_low_pt(m, r, nx);
    poke64(m, PD_LOW, PT_LOW | PG_FLAGS);
    poke64(m, PD_LOW + 8, (2ULL << 20) | PG_FLAGS | PTE_PS);
    poke64(m, PD_HIGH + ((IOAPIC_PAGE >> 21) & 511) * 8, IOAPIC_PAGE | PG_FLAGS | PTE_PS);
    poke64(m, PD_HIGH + ((LAPIC_PAGE >> 21) & 511) * 8, LAPIC_PAGE | PG_FLAGS | PTE_PS);
}

/* Writes the page tables c needs; returns the CR3 value. */
uint64_t fz_write_tables(struct machine *m, const struct fz_config *c, struct rng *r, bool nx)
{
    switch (c->paging) {
    case FZ_PG_32:
        poke32(m, PD32, PG_FLAGS | PTE_PS);
        poke32(m, PD32 + (IOAPIC_PAGE >> 22) * 4, IOAPIC_PAGE | PG_FLAGS | PTE_PS); /* + LAPIC */
        return PD32;
    case FZ_PG_PAE:
        write_pae_dirs(m, r, nx);
        poke64(m, PDPT_PAE, PD_LOW | PTE_P);
        poke64(m, PDPT_PAE + 3 * 8, PD_HIGH | PTE_P);
        return PDPT_PAE;
    case FZ_PG_LONG:
        write_pae_dirs(m, r, nx);
        poke64(m, PDPT_LONG, PD_LOW | PG_FLAGS);
        poke64(m, PDPT_LONG + 3 * 8, PD_HIGH | PG_FLAGS);
        poke64(m, PML4, PDPT_LONG | PG_FLAGS);
        return PML4;
    default: return 0;
    }
}
