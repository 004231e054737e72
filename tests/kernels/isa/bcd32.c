/* The instructions that exist only outside 64-bit mode, in 32-bit
 * protected mode: AAA AAS DAA DAS AAM AAD (random AX and flags, the defined
 * flags checksummed) and BOUND within its bounds. One line per instruction. */
#include "klib.h"

#define ROUNDS 500
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u

static uint32_t rng_state = 0x6D2B79F5u;
static uint32_t crc;

static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void mix(uint32_t v)
{
    crc = crc32(crc, &v, sizeof(v));
}

static void report(const char *name)
{
    kprintf("%-6s crc=%08x\n", name, crc);
    crc = 0;
}

/* AX and the flags in, AX and the defined flags out. */
#define ADJUST(fn, insn, mask)                                                               \
    static void fn(void)                                                                     \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint32_t ax = rnd(), flags_in = rnd() & (F_CF | F_AF), f;                        \
            __asm__ volatile("pushl %[fi]; popfl\n\t" insn "\n\tpushfl; popl %[f]"           \
                             : "+a"(ax), [f] "=r"(f)                                         \
                             : [fi] "r"(flags_in | 2u)                                       \
                             : "cc");                                                        \
            mix(ax);                                                                         \
            mix(f & (mask));                                                                 \
        }                                                                                    \
    }

/* AAA/AAS define AF and CF; DAA/DAS also SF ZF PF; AAM/AAD define SF ZF PF. */
ADJUST(t_aaa, "aaa", F_AF | F_CF)
ADJUST(t_aas, "aas", F_AF | F_CF)
ADJUST(t_daa, "daa", F_AF | F_CF | F_SF | F_ZF | F_PF)
ADJUST(t_das, "das", F_AF | F_CF | F_SF | F_ZF | F_PF)
ADJUST(t_aam, "aam", F_SF | F_ZF | F_PF)
ADJUST(t_aad, "aad", F_SF | F_ZF | F_PF)
ADJUST(t_aam7, "aam $7", F_SF | F_ZF | F_PF)
ADJUST(t_aad13, "aad $13", F_SF | F_ZF | F_PF)

static void t_bound(void)
{
    static int32_t bounds[2];
    for (int i = 0; i < ROUNDS; i++) {
        bounds[0] = (int32_t)(rnd() % 200) - 100;
        bounds[1] = bounds[0] + (int32_t)(rnd() % 100);
        int32_t idx = bounds[0] + (int32_t)(rnd() % (uint32_t)(bounds[1] - bounds[0] + 1));
        __asm__ volatile("boundl %[i], %[b]" : : [i] "r"(idx), [b] "m"(bounds) : "memory");
        mix((uint32_t)idx);
    }
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {{"aaa", t_aaa},   {"aas", t_aas},   {"daa", t_daa},       {"das", t_das},
                 {"aam", t_aam},   {"aad", t_aad},   {"aam7", t_aam7},     {"aad13", t_aad13},
                 {"bound", t_bound}};
    for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        tests[i].fn();
        report(tests[i].name);
    }
    return 0;
}
