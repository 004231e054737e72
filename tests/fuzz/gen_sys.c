/* Templates for system instructions and devices: privileged and
 * mode-changing instructions, MSRs, control and debug registers, table
 * loads, interrupts, port I/O to every device of the board, MMIO to the
 * APICs and VGA, waiting for interrupts. */
#include "gen.h"

#include "guest.h"

#define RAX 0
#define RCX 1
#define RDX 2
#define RDI 7

/* Instructions that need no set-up, as byte strings (length first). */
static const uint8_t plain[][5] = {
    {3, 0x0F, 0x01, 0xD0},
    /* xgetbv */ {3, 0x0F, 0x01, 0xF8}, /* swapgs */
    {2, 0x0F, 0x05},
    /* syscall */ {3, 0x48, 0x0F, 0x07}, /* sysretq */
    {2, 0x0F, 0x07},
    /* sysret */ {2, 0x0F, 0x34}, /* sysenter */
    {2, 0x0F, 0x35},
    /* sysexit */ {3, 0x48, 0x0F, 0x35}, /* sysexitq */
    {2, 0x0F, 0x0B},
    /* ud2 */ {1, 0xF4}, /* hlt */
    {1, 0xFA},
    /* cli */ {1, 0xFB}, /* sti */
    {1, 0x9C},
    /* pushf */ {1, 0x9D}, /* popf */
    {2, 0x0F, 0xA2},
    /* cpuid */ {2, 0x0F, 0x31}, /* rdtsc */
    {3, 0x0F, 0x01, 0xF9},
    /* rdtscp */ {2, 0x0F, 0x06}, /* clts */
    {2, 0x0F, 0x08},
    /* invd */ {2, 0x0F, 0x09}, /* wbinvd */
    {2, 0x0F, 0x33},
    /* rdpmc */ {3, 0x0F, 0x01, 0xCA}, /* clac */
    {3, 0x0F, 0x01, 0xCB},
    /* stac */ {3, 0x0F, 0x00, 0xD8}, /* ltr ax */
    {3, 0x0F, 0x00, 0xD0},
    /* lldt ax */ {3, 0x0F, 0x00, 0xC0}, /* sldt eax */
    {3, 0x0F, 0x00, 0xC8},
    /* str eax */ {3, 0x0F, 0x00, 0xE0}, /* verr ax */
    {3, 0x0F, 0x00, 0xE8},
    /* verw ax */ {3, 0x0F, 0x02, 0xC0}, /* lar eax, eax */
    {3, 0x0F, 0x03, 0xC0},
    /* lsl eax, eax */ {3, 0x0F, 0x01, 0xE0}, /* smsw eax */
    {3, 0x0F, 0x01, 0xF0},
    /* lmsw ax */ {2, 0x0F, 0xAA}, /* rsm */
    {3, 0x0F, 0x01, 0xC1},
    /* vmcall */ {1, 0x9B}, /* fwait */
    {2, 0xD9, 0xE8},
    /* fld1 */ {2, 0xDB, 0xE3}, /* fninit */
    {2, 0xDE, 0xF9},
    /* fdivp */ {1, 0xD7}, /* xlat */
    {1, 0x27},
    /* daa */ {1, 0x63}, /* arpl / movsxd */
    {2, 0xD4, 0x00},
    /* aam 0 */ {1, 0xCE}, /* into */
    {1, 0xF1},
    /* int1 */ {1, 0xCC}, /* int3 */
    {3, 0x0F, 0xAE, 0xF8},
    /* sfence */ {3, 0x0F, 0x01, 0xEE}, /* rdpkru */
    {3, 0x0F, 0xC7, 0xF0},
    /* rdrand eax */ {4, 0xF3, 0x0F, 0xAE, 0xC0}, /* rdfsbase */
    {4, 0xF3, 0x0F, 0xAE, 0xD0},
    /* wrfsbase */ {4, 0xF3, 0x0F, 0xAE, 0xD8}, /* wrgsbase */
};

/* Memory-operand system instructions on [rdi] (/reg of 0F 01, 0F AE, 0F C7). */
static const uint8_t mem_ops[][3] = {
    {0x0F, 0x01, 0},
    {0x0F, 0x01, 1},
    {0x0F, 0x01, 2},
    {0x0F, 0x01, 3}, /* sgdt..lidt */
    {0x0F, 0x01, 7},
    /* invlpg */ {0x0F, 0xAE, 0},
    /* fxsave */ {0x0F, 0xAE, 1},
    {0x0F, 0xAE, 2},
    /* ldmxcsr */ {0x0F, 0xAE, 3},
    {0x0F, 0xAE, 4}, /* xsave */
    {0x0F, 0xAE, 5},
    {0x0F, 0xAE, 7},
    /* clflush */ {0x0F, 0xC7, 1}, /* cmpxchg8b */
    {0x0F, 0x00, 2},
    /* lldt [m] */ {0x0F, 0x00, 3}, /* ltr [m] */
};

void t_system(struct gen *g)
{
    if (rng_chance(g->r, 35)) {
        const uint8_t *m = mem_ops[rng_below(g->r, sizeof(mem_ops) / sizeof(mem_ops[0]))];
        gen_mov_imm(g, RDI,
                    rng_chance(g->r, 70) ? FZ_DATA + rng_below(g->r, 0x8000) : gen_value(g));
        if (rng_chance(g->r, 50)) gen_mov_imm(g, RAX, gen_selector(g));
        gen_addr32(g);
        if (rng_chance(g->r, 20)) gen_rexw(g);
        gen_b(g, m[0]), gen_b(g, m[1]), gen_b(g, (unsigned)(m[2] << 3) | RDI);
        return;
    }
    if (rng_chance(g->r, 30))
        gen_mov_imm(g, RAX, rng_chance(g->r, 50) ? gen_selector(g) : gen_value(g));
    const uint8_t *p = plain[rng_below(g->r, sizeof(plain) / sizeof(plain[0]))];
    for (unsigned i = 1; i <= p[0]; i++)
        gen_b(g, p[i]);
}

void t_msr(struct gen *g)
{
    static const uint32_t msrs[] = {
        0x10,       0x1B,       0x3A,       0x48,       0x174,      0x175,      0x176,
        0x1D9,      0x277,      0x2FF,      0x200,      0x201,      0x250,      0x6E0,
        0x802,      0x803,      0x808,      0x80B,      0x80F,      0x830,      0x832,
        0x838,      0x83E,      0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084,
        0xC0000100, 0xC0000101, 0xC0000102, 0xC0000103, 0xFFFFFFFF, 0x40000000, 0x12345678};
    gen_mov_imm(g, RCX, rng_chance(g->r, 90) ? RNG_PICK(g->r, msrs) : rng_next(g->r));
    gen_mov_imm(g, RAX, gen_value(g));
    gen_mov_imm(g, RDX, rng_chance(g->r, 50) ? 0 : gen_value(g));
    gen_b(g, 0x0F);
    gen_b(g, rng_chance(g->r, 60) ? 0x30 : 0x32); /* wrmsr / rdmsr */
}

/* MOV to or from CR0/2/3/4/8 and DR0-7 with values near the useful ones. */
void t_cr(struct gen *g)
{
    static const uint64_t cr0[] = {0x80010033, 0x80000011, 0x00000011, 0x60000011,
                                   0x80050033, 0xE0000011, 0x80000001, 0x11};
    static const uint64_t dr7[] = {0x3, 0x30003, 0xD0003, 0x2000, 0x400, 0xFFFFFFFF, 0x1FF};
    unsigned n = (unsigned)RNG_PICK(g->r, ((const uint8_t[]){0, 2, 3, 4, 8}));
    bool dr = rng_chance(g->r, 25);
    if (dr) n = (unsigned)rng_below(g->r, 8);
    uint64_t v = gen_value(g);
    if (!dr && n == 0 && rng_chance(g->r, 70)) {
        v = RNG_PICK(g->r, cr0);
        if (rng_chance(g->r, 30)) v ^= 1ULL << rng_below(g->r, 32);
    }
    if (!dr && n == 4) {
        v = rng_next(g->r);
        v &= rng_chance(g->r, 50) ? 0x3707FF : UINT64_MAX;
    }
    if (!dr && n == 3 && rng_chance(g->r, 50)) {
        v = FZ_TABLES + 0x1000 * rng_below(g->r, 7);
        v += rng_next(g->r) & 0x18;
    }
    if (dr && n == 7) v = RNG_PICK(g->r, dr7);
    if (dr && n < 4 && rng_chance(g->r, 60)) v = g->base + rng_below(g->r, g->len + 16);
    gen_mov_imm(g, RAX, v);
    if (n == 8 && g->bits == 64) gen_b(g, 0x44); /* REX.R: CR8 */
    gen_b(g, 0x0F);
    gen_b(g, (dr ? 0x21 : 0x20) | (rng_chance(g->r, 70) ? 2 : 0)); /* to / from */
    gen_b(g, 0xC0 | ((n & 7) << 3));
}

/* LGDT/LIDT of a random pseudo-descriptor, and INVPCID. */
void t_dtable(struct gen *g)
{
    gen_mov_imm(g, RDI, FZ_DATA + 0x200);
    gen_mov_imm(g, RAX,
                rng_chance(g->r, 50) ? (uint64_t)FZ_GDT << 16 | rng_below(g->r, 0x400)
                                     : gen_value(g));
    gen_addr32(g);
    gen_rexw(g);
    gen_b(g, 0x89), gen_b(g, 0x07); /* mov [rdi], rax */
    gen_addr32(g);
    gen_b(g, 0x0F), gen_b(g, 0x01), gen_b(g, rng_chance(g->r, 50) ? 0x17 : 0x1F);
}

void t_int(struct gen *g)
{
    if (rng_chance(g->r, 20)) { /* TF on: single-step traps for a while */
        gen_b(g, 0x9C);
        gen_addr32(g);
        gen_b(g, 0x80), gen_b(g, 0x4C), gen_b(g, 0x24), gen_b(g, 0x01), gen_b(g, 0x01);
        gen_b(g, 0x9D); /* pushf; or byte [rsp+1], 1; popf */
        return;
    }
    gen_b(g, 0xCD);
    gen_b(g, rng_chance(g->r, 50) ? (unsigned)rng_below(g->r, 32) : (unsigned)rng_next(g->r));
}

/* Ports of every device on the board; the run-ending ones are rare. */
static uint16_t port(struct gen *g)
{
    static const uint16_t ports[] = {0x20,  0x21,  0xA0,  0xA1,  0x40,  0x41,  0x42,  0x43,  0x61,
                                     0x70,  0x71,  0x60,  0x64,  0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC,
                                     0x3FD, 0x3FE, 0x3FF, 0x3C0, 0x3C1, 0x3C4, 0x3C5, 0x3C7, 0x3C8,
                                     0x3C9, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3DA, 0x3B4, 0x3B5, 0x80,
                                     0x92,  0x4D0, 0x4D1, 0x2F8, 0xCF8, 0xCFC, 0x510, 0x511};
    static const uint16_t enders[] = {0xF4, 0x604, 0xCF9};
    if (rng_chance(g->r, 1)) return RNG_PICK(g->r, enders);
    return rng_chance(g->r, 90) ? RNG_PICK(g->r, ports) : (uint16_t)rng_next(g->r);
}

/* Values devices care about: commands, counts 0 and 1, all ones. */
static uint64_t io_value(struct gen *g)
{
    static const uint64_t v[] = {0,    1,    2,    0xFF, 0x11, 0x13, 0x20, 0x30, 0x34,  0x36, 0x38,
                                 0x3A, 0x3C, 0x3E, 0xB0, 0xB6, 0x8A, 0x0A, 0x0B, 0x0C,  0x4F, 0x7F,
                                 0x80, 0xAA, 0xAD, 0xAE, 0xD1, 0xD4, 0xF4, 0xFE, 0xFFFF};
    return rng_chance(g->r, 80) ? RNG_PICK(g->r, v) : rng_next(g->r);
}

/* The operand-size prefix for a byte (0), word (1) or dword (2) access. */
static void io_size(struct gen *g, unsigned size)
{
    if (size == 1 && g->bits != 16) gen_b(g, 0x66);
    if (size == 2) gen_op32(g);
}

void t_io(struct gen *g)
{
    uint16_t p = port(g);
    gen_mov_imm(g, RAX, io_value(g));
    unsigned size = (unsigned)rng_below(g->r, 3);
    bool out = rng_chance(g->r, 70);
    if (p < 0x100 && rng_chance(g->r, 50)) {
        io_size(g, size);
        gen_b(g, (out ? 0xE6 : 0xE4) + (size ? 1 : 0));
        gen_b(g, p);
        return;
    }
    gen_mov_imm(g, RDX, p);
    io_size(g, size);
    gen_b(g, (out ? 0xEE : 0xEC) + (size ? 1 : 0));
}

void t_mmio(struct gen *g)
{
    static const uint64_t regs[] = {0xFEE00020, 0xFEE00080, 0xFEE000B0, 0xFEE000D0, 0xFEE000E0,
                                    0xFEE000F0, 0xFEE00280, 0xFEE00300, 0xFEE00310, 0xFEE00320,
                                    0xFEE00330, 0xFEE00340, 0xFEE00350, 0xFEE00360, 0xFEE00370,
                                    0xFEE00380, 0xFEE00390, 0xFEE003E0, 0xFEE00FF0, 0xFEE00001,
                                    0xFEC00000, 0xFEC00010, 0xFEC00020, 0xFEC00040, 0xFEC00003,
                                    0xB8000,    0xB8F9E,    0xA0000,    0xBFFFF,    0xFEE00FFE};
    static const uint64_t v[] = {0,          1,          0xFF,       0x1FF,      0x10020,
                                 0x20020,    0x40000,    0x000C4500, 0x000C4600, 0xFFFFFFFF,
                                 0x00020030, 0x0000000B, 0x10,       0x12,       0x00000700};
    gen_mov_imm(g, RDI, rng_chance(g->r, 90) ? RNG_PICK(g->r, regs) : gen_value(g));
    gen_addr32(g);
    gen_op32(g);
    if (rng_chance(g->r, 70)) {
        gen_b(g, 0xC7), gen_b(g, 0x07); /* mov dword [rdi], imm32 */
        gen_imm(g, rng_chance(g->r, 80) ? RNG_PICK(g->r, v) : rng_next(g->r), 4);
    } else {
        gen_b(g, 0x8B), gen_b(g, 0x07); /* mov eax, [rdi] */
    }
}

/* STI; HLT (or a PAUSE loop), to let timers and interrupts happen. */
void t_irq_wait(struct gen *g)
{
    gen_b(g, 0xFB);
    if (rng_chance(g->r, 70)) {
        gen_b(g, 0xF4);
        return;
    }
    gen_mov_imm(g, RCX, rng_below(g->r, 5000));
    gen_b(g, 0xF3), gen_b(g, 0x90), gen_b(g, 0xE2), gen_b(g, 0xFC); /* pause; loop */
}
