/* Bit manipulation and atomics beyond arith.c: POPCNT LZCNT TZCNT, the BMI1
 * instructions, BT/BTS/BTR/BTC on memory with a register bit offset (the
 * bit-string addressing that reaches beyond the operand, both directions),
 * CMPXCHG16B, XLAT. Results and the flags the SDM defines are checksummed,
 * one line per form. QEMU runs it with -cpu max (BMI1 and LZCNT). */
#include "klib.h"

#define ROUNDS 300
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define FLAGS_OUT "pushfq; popq %[f]"

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Random values, zero and single bits over-represented (the edge cases of
 * counting and isolating bits). */
static uint64_t operand(void)
{
    uint64_t r = rnd();
    switch (r & 7) {
    case 0: return 0;
    case 1: return 1ULL << ((r >> 8) & 63);
    case 2: return rnd() & rnd();
    default: return rnd();
    }
}

struct acc {
    uint32_t crc;
};

static void mix(struct acc *a, uint64_t v)
{
    a->crc = crc32(a->crc, &v, sizeof(v));
}

/* OP src, dst with the given defined flags. */
#define UNARY(fn, insn, mask)                                                                \
    static void fn(struct acc *a)                                                            \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t s = operand(), d = rnd(), f;                                            \
            __asm__ volatile(insn " %[s], %[d]\n\t" FLAGS_OUT                                \
                             : [d] "+r"(d), [f] "=r"(f)                                      \
                             : [s] "r"(s)                                                    \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & (mask));                                                              \
        }                                                                                    \
    }

UNARY(t_popcnt64, "popcntq", F_ALL)
UNARY(t_lzcnt64, "lzcntq", F_CF | F_ZF)
UNARY(t_tzcnt64, "tzcntq", F_CF | F_ZF)
UNARY(t_lzcnt32, "lzcntl %k[s], %k[d] #", F_CF | F_ZF)
/* BLSI's CF (set when the source is nonzero, SDM) is left out: QEMU 7.2's
 * TCG computes it as for BLSR/BLSMSK (set when the source is zero), which
 * the host CPU contradicts (tests/diff compares BLSI's CF against it). */
UNARY(t_blsi64, "blsiq", F_SF | F_ZF | F_OF)
UNARY(t_blsmsk64, "blsmskq", F_SF | F_ZF | F_CF | F_OF)
UNARY(t_blsr32, "blsrl %k[s], %k[d] #", F_SF | F_ZF | F_CF | F_OF)

static void t_andn(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t x = operand(), y = operand(), d, f;
        __asm__ volatile("andnq %[y], %[x], %[d]\n\t" FLAGS_OUT
                         : [d] "=r"(d), [f] "=r"(f)
                         : [x] "r"(x), [y] "r"(y)
                         : "cc");
        mix(a, d);
        mix(a, f & (F_SF | F_ZF | F_CF | F_OF));
    }
}

static void t_bextr(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t s = operand(), ctl = (rnd() % 80) | ((rnd() % 80) << 8), d, f;
        __asm__ volatile("bextrq %[c], %[s], %[d]\n\t" FLAGS_OUT
                         : [d] "=r"(d), [f] "=r"(f)
                         : [s] "r"(s), [c] "r"(ctl)
                         : "cc");
        mix(a, d);
        mix(a, f & (F_ZF | F_CF | F_OF));
    }
}

/* A 128-byte bit string; the operand sits in the middle and the offsets
 * reach 512 bits either way. */
static uint64_t bits[16] __attribute__((aligned(16)));

#define BTMEM(fn, insn)                                                                      \
    static void fn(struct acc *a)                                                            \
    {                                                                                        \
        for (int k = 0; k < 16; k++)                                                         \
            bits[k] = rnd();                                                                 \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            int64_t off = (int64_t)(rnd() % 1024) - 512;                                     \
            uint64_t f;                                                                      \
            __asm__ volatile(insn " %[o], %[m]\n\t" FLAGS_OUT                                \
                             : [m] "+m"(bits[8]), [f] "=r"(f)                                \
                             : [o] "r"(off)                                                  \
                             : "cc", "memory");                                              \
            mix(a, f & F_CF);                                                                \
        }                                                                                    \
        a->crc = crc32(a->crc, bits, sizeof(bits));                                          \
    }

BTMEM(t_bt_mem, "btq")
BTMEM(t_bts_mem, "btsq")
BTMEM(t_btr_mem, "btrq")
BTMEM(t_btc_mem, "btcq")

/* 32-bit offsets address the bit string in dwords. */
static void t_btc_mem32(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        int32_t off = (int32_t)(rnd() % 1024) - 512;
        uint64_t f;
        __asm__ volatile("btcl %[o], %[m]\n\t" FLAGS_OUT
                         : [m] "+m"(bits[8]), [f] "=r"(f)
                         : [o] "r"(off)
                         : "cc", "memory");
        mix(a, f & F_CF);
    }
    a->crc = crc32(a->crc, bits, sizeof(bits));
}

static void t_cmpxchg16b(struct acc *a)
{
    static struct {
        uint64_t lo, hi;
    } __attribute__((aligned(16))) m;
    for (int i = 0; i < ROUNDS; i++) {
        m.lo = rnd() & 3; /* small values: the compare succeeds often */
        m.hi = rnd() & 3;
        uint64_t lo = rnd() & 3, hi = rnd() & 3, f;
        __asm__ volatile("lock cmpxchg16b %[m]\n\t" FLAGS_OUT
                         : [m] "+m"(m), "+a"(lo), "+d"(hi), [f] "=r"(f)
                         : "b"(rnd()), "c"(rnd())
                         : "cc", "memory");
        mix(a, lo);
        mix(a, hi);
        mix(a, m.lo);
        mix(a, m.hi);
        mix(a, f & F_ZF);
    }
}

static void t_xlat(struct acc *a)
{
    static uint8_t table[256];
    for (int k = 0; k < 256; k++)
        table[k] = (uint8_t)rnd();
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t v = rnd();
        __asm__ volatile("xlat" : "+a"(v) : "b"(table) : "memory");
        mix(a, v);
    }
}

static const struct {
    const char *name;
    void (*fn)(struct acc *);
} tests[] = {
    {"popcnt64", t_popcnt64}, {"lzcnt64", t_lzcnt64},   {"tzcnt64", t_tzcnt64},
    {"lzcnt32", t_lzcnt32},   {"blsi64", t_blsi64},     {"blsmsk64", t_blsmsk64},
    {"blsr32", t_blsr32},     {"andn", t_andn},         {"bextr", t_bextr},
    {"bt-mem", t_bt_mem},     {"bts-mem", t_bts_mem},   {"btr-mem", t_btr_mem},
    {"btc-mem", t_btc_mem},   {"btc-mem32", t_btc_mem32}, {"cmpxchg16b", t_cmpxchg16b},
    {"xlat", t_xlat},
};

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    uint32_t all = 0;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        struct acc a = {0};
        tests[i].fn(&a);
        kprintf("%-12s crc=%08x\n", tests[i].name, a.crc);
        all = crc32(all, &a.crc, sizeof(a.crc));
    }
    kprintf("all crc=%08x\n", all);
    return 0;
}
