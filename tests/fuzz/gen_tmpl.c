/* Templates for ordinary instructions: noise, prefixes, VEX, SSE, strings,
 * jumps, far transfers, segment loads, self-modifying stores, the stack,
 * arithmetic corner cases, tight loops. */
#include "gen.h"

#include "guest.h"

#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSI 6
#define RDI 7

void t_random(struct gen *g)
{
    for (unsigned n = 1 + (unsigned)rng_below(g->r, 12); n > 0; n--)
        gen_b(g, (unsigned)rng_next(g->r));
}

void t_prefixed(struct gen *g)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E,
                                       0x36, 0x3E, 0x26, 0x64, 0x65};
    for (unsigned n = (unsigned)rng_below(g->r, 5); n > 0; n--)
        gen_b(g, RNG_PICK(g->r, prefixes));
    if (g->bits == 64 && rng_chance(g->r, 50)) gen_b(g, 0x40 + (unsigned)rng_below(g->r, 16));
    unsigned kind = (unsigned)rng_below(g->r, 10);
    if (kind >= 5) gen_b(g, 0x0F);
    if (kind == 8) gen_b(g, 0x38);
    if (kind == 9) gen_b(g, 0x3A);
    for (unsigned n = 2 + (unsigned)rng_below(g->r, 7); n > 0; n--) /* opcode, ModRM, rest */
        gen_b(g, (unsigned)rng_next(g->r));
}

void t_vex(struct gen *g)
{
    static const uint8_t escapes[] = {0xC4, 0xC5, 0x62, 0x8F};
    gen_b(g, RNG_PICK(g->r, escapes));
    for (unsigned n = 3 + (unsigned)rng_below(g->r, 5); n > 0; n--)
        gen_b(g, (unsigned)rng_next(g->r));
}

/* An SSE/MMX instruction on registers or on [rdi] (pointed somewhere first). */
void t_sse(struct gen *g)
{
    static const uint8_t ops[] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x28, 0x29, 0x2A,
                                  0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55,
                                  0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60,
                                  0x62, 0x64, 0x67, 0x6B, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0x73, 0x74,
                                  0x77, 0x7E, 0x7F, 0xC2, 0xC4, 0xC5, 0xC6, 0xD4, 0xD6, 0xD7, 0xDB,
                                  0xE0, 0xE5, 0xE6, 0xE7, 0xEF, 0xF4, 0xF6, 0xF7, 0xFA, 0xFE, 0xAE};
    static const uint8_t mandatory[] = {0, 0x66, 0xF2, 0xF3};
    bool mem = rng_chance(g->r, 40);
    if (mem)
        gen_mov_imm(g, RDI,
                    rng_chance(g->r, 70) ? FZ_DATA + rng_below(g->r, 0x1000) : gen_value(g));
    gen_addr32(g);
    unsigned p = RNG_PICK(g->r, mandatory);
    if (p) gen_b(g, p);
    if (g->bits == 64 && rng_chance(g->r, 30)) gen_b(g, 0x40 + (unsigned)rng_below(g->r, 16));
    gen_b(g, 0x0F);
    gen_b(g, RNG_PICK(g->r, ops));
    unsigned reg = (unsigned)rng_below(g->r, 8) << 3;
    gen_b(g, mem ? reg | RDI : 0xC0 | reg | (unsigned)rng_below(g->r, 8));
    gen_b(g, (unsigned)rng_next(g->r)); /* an imm8 for the ops that take one */
}

/* MOVS/STOS/LODS/CMPS/SCAS/INS/OUTS, usually REP, with counts up to 2^64
 * and pointers anywhere (including the code being run). */
void t_string(struct gen *g)
{
    static const uint64_t counts[] = {0,          1,      2,       4095,       4096,
                                      4097,       0xFFFF, 0x10000, 0xFFFFFFFF, 0x100000000ULL,
                                      UINT64_MAX, 0x40000};
    static const uint8_t ops[] = {0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC,
                                  0xAD, 0xAE, 0xAF, 0x6C, 0x6D, 0x6E, 0x6F};
    gen_mov_imm(g, RCX, rng_chance(g->r, 70) ? RNG_PICK(g->r, counts) : gen_value(g));
    if (rng_chance(g->r, 70)) gen_mov_imm(g, RSI, rng_chance(g->r, 50) ? FZ_DATA : gen_value(g));
    if (rng_chance(g->r, 70))
        gen_mov_imm(g, RDI, rng_chance(g->r, 50) ? FZ_DATA + 0x8000 : gen_value(g));
    if (rng_chance(g->r, 30))
        gen_mov_imm(g, RDX, rng_chance(g->r, 50) ? 0x3F8 : gen_value(g) & 0xFFFF);
    gen_b(g, rng_chance(g->r, 20) ? 0xFD : 0xFC); /* STD / CLD */
    if (rng_chance(g->r, 30)) gen_b(g, 0x67);
    if (rng_chance(g->r, 20)) gen_b(g, 0x66);
    if (rng_chance(g->r, 85)) gen_b(g, rng_chance(g->r, 70) ? 0xF3 : 0xF2);
    if (g->bits == 64 && rng_chance(g->r, 30)) gen_b(g, 0x48);
    gen_b(g, RNG_PICK(g->r, ops));
}

/* JMP/CALL through a register to anywhere, or a short/near relative jump. */
void t_jump(struct gen *g)
{
    switch (rng_below(g->r, 4)) {
    case 0:
    case 1:
        gen_mov_imm(g, RAX, gen_target(g));
        gen_op32(g);
        gen_b(g, 0xFF);
        gen_b(g, rng_chance(g->r, 50) ? 0xE0 : 0xD0); /* jmp/call rax */
        break;
    case 2: /* Jcc/JMP rel8 */
        gen_b(g, rng_chance(g->r, 70) ? 0x70 + (unsigned)rng_below(g->r, 16) : 0xEB);
        gen_b(g, (unsigned)rng_below(g->r, 256));
        break;
    default: /* CALL rel: a stack push and a return address */
        gen_b(g, 0xE8);
        gen_imm(g, rng_below(g->r, 64), g->bits == 16 ? 2 : 4);
        break;
    }
}

/* A far pointer at [rdi]: offset (4 or 8 bytes), then the selector. */
static void far_pointer(struct gen *g, uint64_t off, uint16_t sel, bool wide)
{
    gen_mov_imm(g, RDI, FZ_DATA + 0x100 + 16 * rng_below(g->r, 16));
    gen_addr32(g);
    gen_op32(g);
    gen_b(g, 0xC7), gen_b(g, 0x07), gen_imm(g, off, 4); /* mov dword [rdi], off */
    gen_addr32(g);
    gen_op32(g);
    gen_b(g, 0xC7), gen_b(g, 0x47), gen_b(g, 4), gen_imm(g, wide ? off >> 32 : sel, 4);
    if (wide) { /* mov dword [rdi+8], sel */
        gen_addr32(g);
        gen_op32(g);
        gen_b(g, 0xC7), gen_b(g, 0x47), gen_b(g, 8), gen_imm(g, sel, 4);
    }
}

/* JMP/CALL far, RETF, IRET through a random selector and offset. */
void t_far(struct gen *g)
{
    uint16_t sel = gen_selector(g);
    uint64_t off = rng_chance(g->r, 50) ? g->base + rng_below(g->r, g->len + 32) : gen_target(g);
    unsigned kind = (unsigned)rng_below(g->r, 4);
    if (kind == 0) { /* jmp/call far [rdi] */
        bool wide = g->bits == 64 && rng_chance(g->r, 50);
        far_pointer(g, off, sel, wide);
        gen_addr32(g);
        gen_op32(g);
        if (wide) gen_b(g, 0x48);
        gen_b(g, 0xFF), gen_b(g, rng_chance(g->r, 50) ? 0x2F : 0x1F);
        return;
    }
    if (kind == 1 && g->bits != 64) { /* jmp/call ptr16:32 */
        gen_op32(g);
        gen_b(g, rng_chance(g->r, 50) ? 0xEA : 0x9A);
        gen_imm(g, off, 4);
        gen_imm(g, sel, 2);
        return;
    }
    if (kind == 3) { /* an IRET frame: SS, RSP (64-bit only), RFLAGS, CS, RIP */
        if (g->bits == 64) {
            gen_b(g, 0x68), gen_imm(g, gen_selector(g), 4);
            gen_b(g, 0x68), gen_imm(g, FZ_USTACK_TOP - 64, 4);
        }
        gen_op32(g);
        gen_b(g, 0x68), gen_imm(g, 2 | (rng_next(g->r) & 0x254FD5), 4);
    }
    gen_op32(g);
    gen_b(g, 0x68), gen_imm(g, sel, 4);
    gen_mov_imm(g, RAX, off);
    gen_op32(g);
    gen_b(g, 0x50); /* push rax */
    gen_op32(g);
    gen_rexw(g);
    gen_b(g, kind == 3 ? 0xCF : 0xCB); /* iret / retf */
}

/* MOV Sreg, POP Sreg, LSS/LFS/LGS with random selectors. */
void t_segload(struct gen *g)
{
    gen_mov_imm(g, RAX, gen_selector(g));
    switch (rng_below(g->r, 3)) {
    case 0:
        gen_b(g, 0x8E);
        gen_b(g, 0xC0 | ((unsigned)rng_below(g->r, 6) << 3)); /* mov es/cs/ss/ds/fs/gs, ax */
        break;
    case 1:
        gen_op32(g);
        gen_b(g, 0x50); /* push eax, then pop ds/es/ss/fs/gs */
        if (rng_chance(g->r, 50) && g->bits != 64)
            gen_b(g, RNG_PICK(g->r, ((const uint8_t[]){0x07, 0x17, 0x1F})));
        else
            gen_b(g, 0x0F), gen_b(g, rng_chance(g->r, 50) ? 0xA1 : 0xA9);
        break;
    default: {
        uint64_t off = gen_value(g);
        far_pointer(g, off, gen_selector(g), false);
        gen_addr32(g);
        gen_b(g, 0x0F);
        gen_b(g, 0xB2 + (unsigned)rng_below(g->r, 4)); /* lss/btr/lfs/lgs [rdi] */
        gen_b(g, 0x07 | ((unsigned)rng_below(g->r, 8) << 3));
        break;
    }
    }
}

/* A store into the code just ahead (or anywhere in the program). */
void t_smc(struct gen *g)
{
    const unsigned len = g->bits == 16 ? 8 : 7; /* [67] C6 05 disp32 imm8 */
    uint64_t at = g->base + g->len + len + rng_below(g->r, 24);
    if (rng_chance(g->r, 30)) at = g->base + rng_below(g->r, g->len + 1);
    gen_addr32(g);
    gen_b(g, 0xC6);
    gen_b(g, 0x05);
    if (g->bits == 64) /* RIP-relative */
        gen_imm(g, at - (g->base + g->len + 5), 4);
    else
        gen_imm(g, at, 4);
    gen_b(g, rng_chance(g->r, 50) ? 0x90 : (unsigned)rng_next(g->r));
}

void t_stack(struct gen *g)
{
    switch (rng_below(g->r, 4)) {
    case 0:
        gen_mov_imm(g, 4,
                    rng_chance(g->r, 50) ? FZ_USTACK_TOP - rng_below(g->r, 64)
                                         : gen_value(g)); /* rsp */
        break;
    case 1: /* ENTER with a big nesting level */
        gen_b(g, 0xC8), gen_imm(g, rng_next(g->r), 2), gen_b(g, (unsigned)rng_below(g->r, 40));
        break;
    case 2:
        gen_b(g, rng_chance(g->r, 50) ? 0xC9 : 0xC3); /* leave / ret */
        break;
    default:
        gen_b(g, 0xC2), gen_imm(g, rng_next(g->r), 2); /* ret imm16 */
        break;
    }
}

/* Divide errors, overflow traps, BT with huge bit offsets, shifts. */
void t_alu(struct gen *g)
{
    gen_mov_imm(g, RAX, gen_value(g));
    gen_mov_imm(g, RDX, gen_value(g));
    gen_mov_imm(g, RCX, gen_value(g));
    switch (rng_below(g->r, 4)) {
    case 0:
        gen_rexw(g);
        gen_b(g, 0xF7), gen_b(g, rng_chance(g->r, 50) ? 0xF1 : 0xF9); /* div/idiv rcx */
        break;
    case 1: /* bt/bts/btr/btc [rdi], rcx: the offset reaches far beyond [rdi] */
        gen_mov_imm(g, RDI, FZ_DATA + 0x4000);
        gen_addr32(g);
        gen_rexw(g);
        gen_b(g, 0x0F), gen_b(g, 0xA3 + 8 * (unsigned)rng_below(g->r, 4)), gen_b(g, 0x0F);
        break;
    case 2:
        gen_rexw(g);
        gen_b(g, 0xD3), gen_b(g, 0xC0 | ((unsigned)rng_below(g->r, 8) << 3)); /* shifts by cl */
        break;
    default:
        gen_b(g, 0x0F), gen_b(g, rng_chance(g->r, 50) ? 0xA5 : 0xAD), gen_b(g, 0xD0); /* shld */
        break;
    }
}

/* Loops that run until the budget ends them: JMP $, LOOP $, PAUSE. */
void t_loop(struct gen *g)
{
    static const uint8_t loops[][2] = {{0xEB, 0xFE}, {0xE2, 0xFE}, {0xF3, 0x90}, {0xE0, 0xFE}};
    const uint8_t *l = loops[rng_below(g->r, 4)];
    gen_b(g, l[0]);
    gen_b(g, l[1]);
}
