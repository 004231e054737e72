/* Integer arithmetic, checked through CRC32 checksums of results and defined
 * flags. Operands come from a fixed xorshift sequence, so both machines see
 * the same inputs; flags the SDM leaves undefined are masked per instruction.
 * One line per instruction form: a mismatch names the instruction. */
#include "klib.h"

#define ROUNDS 400
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_LOGIC (F_CF | F_PF | F_ZF | F_SF | F_OF)

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Interesting values mixed into the random stream. */
static uint64_t operand(void)
{
    static const uint64_t edges[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
                                     0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF,
                                     0x8000000000000000, 0xFFFFFFFFFFFFFFFF};
    uint64_t r = rnd();
    return (r & 7) == 0 ? edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))] : rnd();
}

struct acc {
    uint32_t crc;
};

static void mix(struct acc *a, uint64_t v)
{
    a->crc = crc32(a->crc, &v, sizeof(v));
}

#define FLAGS_OUT "pushfq; popq %[f]"

/* dst = dst OP src (64-bit), with flags. */
#define BIN64(name, mask)                                                                    \
    static void t_##name##64(struct acc *a)                                                  \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t d = operand(), s = operand(), f, cf = rnd() & 1;                        \
            __asm__ volatile("bt $0, %[c]\n\t" #name "q %[s], %[d]\n\t" FLAGS_OUT           \
                             : [d] "+r"(d), [f] "=r"(f)                                      \
                             : [s] "r"(s), [c] "r"(cf)                                       \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & (mask));                                                              \
        }                                                                                    \
    }
#define BIN32(name, mask)                                                                    \
    static void t_##name##32(struct acc *a)                                                  \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t d = operand(), f, cf = rnd() & 1;                                       \
            uint32_t s = (uint32_t)operand();                                                \
            __asm__ volatile("bt $0, %[c]\n\t" #name "l %[s], %k[d]\n\t" FLAGS_OUT          \
                             : [d] "+r"(d), [f] "=r"(f)                                      \
                             : [s] "r"(s), [c] "r"(cf)                                       \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & (mask));                                                              \
        }                                                                                    \
    }
#define BIN8(name, mask)                                                                     \
    static void t_##name##8(struct acc *a)                                                   \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t d = operand(), f, cf = rnd() & 1;                                       \
            uint64_t s = operand();                                                          \
            __asm__ volatile("bt $0, %[c]\n\t" #name "b %b[s], %h[d]\n\t" FLAGS_OUT         \
                             : [d] "+Q"(d), [f] "=r"(f)                                      \
                             : [s] "Q"(s), [c] "r"(cf)                                       \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & (mask));                                                              \
        }                                                                                    \
    }

BIN64(add, F_ALL) BIN64(adc, F_ALL) BIN64(sub, F_ALL) BIN64(sbb, F_ALL) BIN64(and, F_LOGIC)
BIN64(or, F_LOGIC) BIN64(xor, F_LOGIC) BIN64(cmp, F_ALL) BIN64(test, F_LOGIC)
BIN32(add, F_ALL) BIN32(adc, F_ALL) BIN32(sub, F_ALL) BIN32(sbb, F_ALL) BIN32(xor, F_LOGIC)
BIN8(add, F_ALL) BIN8(sbb, F_ALL) BIN8(and, F_LOGIC) BIN8(cmp, F_ALL)

/* OP dst (64-bit unary). */
#define UN64(name, mask)                                                                     \
    static void t_##name##64(struct acc *a)                                                  \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t d = operand(), f, cf = rnd() & 1;                                       \
            __asm__ volatile("bt $0, %[c]\n\t" #name "q %[d]\n\t" FLAGS_OUT                 \
                             : [d] "+r"(d), [f] "=r"(f)                                      \
                             : [c] "r"(cf)                                                   \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & (mask));                                                              \
        }                                                                                    \
    }
UN64(inc, F_ALL) UN64(dec, F_ALL) UN64(neg, F_ALL) UN64(not, F_ALL)

/* Shifts and rotates by CL, count 1..63; OF is defined only for a count of 1. */
#define SHIFT64(name, mask)                                                                  \
    static void t_##name##64(struct acc *a)                                                  \
    {                                                                                        \
        for (int i = 0; i < ROUNDS; i++) {                                                   \
            uint64_t d = operand(), f, cf = rnd() & 1, n = 1 + rnd() % 63;                   \
            __asm__ volatile("bt $0, %[c]\n\t" #name "q %%cl, %[d]\n\t" FLAGS_OUT           \
                             : [d] "+r"(d), [f] "=r"(f)                                      \
                             : "c"(n), [c] "r"(cf)                                           \
                             : "cc");                                                        \
            mix(a, d);                                                                       \
            mix(a, f & ((mask) & (n == 1 ? ~0u : ~F_OF)));                                   \
        }                                                                                    \
    }
SHIFT64(shl, F_CF | F_PF | F_ZF | F_SF | F_OF) SHIFT64(shr, F_CF | F_PF | F_ZF | F_SF | F_OF)
SHIFT64(sar, F_CF | F_PF | F_ZF | F_SF | F_OF) SHIFT64(rol, F_ALL) SHIFT64(ror, F_ALL)
SHIFT64(rcl, F_ALL) SHIFT64(rcr, F_ALL)

static void t_shld64(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t d = operand(), s = operand(), f, n = 1 + rnd() % 63;
        __asm__ volatile("shldq %%cl, %[s], %[d]\n\t" FLAGS_OUT
                         : [d] "+r"(d), [f] "=r"(f) : [s] "r"(s), "c"(n) : "cc");
        mix(a, d);
        mix(a, f & ((F_CF | F_PF | F_ZF | F_SF) | (n == 1 ? F_OF : 0)));
    }
}

static void t_shrd32(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t d = operand(), f, n = 1 + rnd() % 31;
        uint32_t s = (uint32_t)operand();
        __asm__ volatile("shrdl %%cl, %[s], %k[d]\n\t" FLAGS_OUT
                         : [d] "+r"(d), [f] "=r"(f) : [s] "r"(s), "c"(n) : "cc");
        mix(a, d);
        mix(a, f & ((F_CF | F_PF | F_ZF | F_SF) | (n == 1 ? F_OF : 0)));
    }
}

static void t_imul64(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t d = operand(), s = operand(), f;
        __asm__ volatile("imulq %[s], %[d]\n\t" FLAGS_OUT
                         : [d] "+r"(d), [f] "=r"(f) : [s] "r"(s) : "cc");
        mix(a, d);
        mix(a, f & (F_CF | F_OF));
    }
}

static void t_mul64(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t lo = operand(), hi, s = operand(), f;
        __asm__ volatile("mulq %[s]\n\t" FLAGS_OUT
                         : "+a"(lo), "=d"(hi), [f] "=r"(f) : [s] "r"(s) : "cc");
        mix(a, lo);
        mix(a, hi);
        mix(a, f & (F_CF | F_OF));
    }
}

static void t_imul1_32(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t lo = operand(), hi = operand(), f;
        uint32_t s = (uint32_t)operand();
        __asm__ volatile("imull %[s]\n\t" FLAGS_OUT
                         : "+a"(lo), "+d"(hi), [f] "=r"(f) : [s] "r"(s) : "cc");
        mix(a, lo);
        mix(a, hi);
        mix(a, f & (F_CF | F_OF));
    }
}

static void t_div64(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t s = operand() | 1, lo = operand(), hi = rnd() % s;
        __asm__ volatile("divq %[s]" : "+a"(lo), "+d"(hi) : [s] "r"(s) : "cc");
        mix(a, lo);
        mix(a, hi);
    }
}

static void t_idiv32(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        int32_t s = (int32_t)(operand() | 1);
        int32_t n = (int32_t)operand();
        if (s == -1)
            s = 3;
        int64_t lo = n, hi = n < 0 ? -1 : 0;
        __asm__ volatile("idivl %[s]" : "+a"(lo), "+d"(hi) : [s] "r"(s) : "cc");
        mix(a, (uint64_t)lo);
        mix(a, (uint64_t)hi);
    }
}

static void t_bitscan(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t s = operand() | (1ULL << (rnd() % 64)), fwd, rev, f1, f2;
        __asm__ volatile("bsfq %[s], %[r]\n\t" FLAGS_OUT
                         : [r] "=r"(fwd), [f] "=r"(f1) : [s] "r"(s) : "cc");
        __asm__ volatile("bsrq %[s], %[r]\n\t" FLAGS_OUT
                         : [r] "=r"(rev), [f] "=r"(f2) : [s] "r"(s) : "cc");
        mix(a, fwd);
        mix(a, rev);
        mix(a, (f1 & F_ZF) | (f2 & F_ZF));
    }
}

static void t_bittest(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t d = operand(), n = rnd(), f1, f2, f3;
        __asm__ volatile("btsq %[n], %[d]\n\t" FLAGS_OUT : [d] "+r"(d), [f] "=r"(f1) : [n] "r"(n) : "cc");
        __asm__ volatile("btrq %[n], %[d]\n\t" FLAGS_OUT : [d] "+r"(d), [f] "=r"(f2) : [n] "r"(n >> 6) : "cc");
        __asm__ volatile("btcq $13, %[d]\n\t" FLAGS_OUT : [d] "+r"(d), [f] "=r"(f3) :: "cc");
        mix(a, d);
        mix(a, ((f1 & F_CF) << 2) | ((f2 & F_CF) << 1) | (f3 & F_CF));
    }
}

static void t_bswap_xadd_cmpxchg(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t d = operand(), s = operand(), m = operand(), f;
        __asm__ volatile("bswapq %[d]" : [d] "+r"(d));
        __asm__ volatile("xaddq %[s], %[d]\n\t" FLAGS_OUT
                         : [d] "+r"(d), [s] "+r"(s), [f] "=r"(f) :: "cc");
        mix(a, d);
        mix(a, s);
        mix(a, f & F_ALL);
        uint64_t expect = (rnd() & 1) ? m : d;
        __asm__ volatile("lock cmpxchgq %[s], %[m]\n\t" FLAGS_OUT
                         : [m] "+m"(m), "+a"(expect), [f] "=r"(f) : [s] "r"(s) : "cc", "memory");
        mix(a, m);
        mix(a, expect);
        mix(a, f & F_ALL);
    }
}

static void t_conditions(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t x = operand(), y = operand(), bits = 0, c = 0;
        uint8_t s;
#define COND(cc, k)                                                                          \
    __asm__ volatile("cmpq %[y], %[x]\n\tset" cc " %[s]" : [s] "=q"(s) : [x] "r"(x), [y] "r"(y) : "cc"); \
    bits |= (uint64_t)s << (k);
        COND("o", 0) COND("no", 1) COND("b", 2) COND("ae", 3) COND("e", 4) COND("ne", 5)
        COND("be", 6) COND("a", 7) COND("s", 8) COND("ns", 9) COND("p", 10) COND("np", 11)
        COND("l", 12) COND("ge", 13) COND("le", 14) COND("g", 15)
#undef COND
        __asm__ volatile("cmpq %[y], %[x]\n\tcmovlq %[y], %[c]\n\tcmovaq %[x], %[c]"
                         : [c] "+r"(c) : [x] "r"(x), [y] "r"(y) : "cc");
        mix(a, bits);
        mix(a, c);
    }
}

static void t_extend(struct acc *a)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t v = operand(), r1, r2, r3, rax = v, rdx = 0;
        __asm__ volatile("movsbq %b1, %0" : "=r"(r1) : "q"(v));
        __asm__ volatile("movzwl %w1, %k0" : "=r"(r2) : "r"(v));
        __asm__ volatile("movslq %k1, %0" : "=r"(r3) : "r"(v));
        __asm__ volatile("cwtl\n\tcltq\n\tcqto" : "+a"(rax), "=d"(rdx));
        mix(a, r1);
        mix(a, r2);
        mix(a, r3);
        mix(a, rax);
        mix(a, rdx);
    }
}

struct test {
    const char *name;
    void (*fn)(struct acc *);
};

static const struct test tests[] = {
    {"add64", t_add64}, {"adc64", t_adc64}, {"sub64", t_sub64}, {"sbb64", t_sbb64},
    {"and64", t_and64}, {"or64", t_or64}, {"xor64", t_xor64}, {"cmp64", t_cmp64},
    {"test64", t_test64}, {"add32", t_add32}, {"adc32", t_adc32}, {"sub32", t_sub32},
    {"sbb32", t_sbb32}, {"xor32", t_xor32}, {"add8", t_add8}, {"sbb8", t_sbb8},
    {"and8", t_and8}, {"cmp8", t_cmp8}, {"inc64", t_inc64}, {"dec64", t_dec64},
    {"neg64", t_neg64}, {"not64", t_not64}, {"shl64", t_shl64}, {"shr64", t_shr64},
    {"sar64", t_sar64}, {"rol64", t_rol64}, {"ror64", t_ror64}, {"rcl64", t_rcl64},
    {"rcr64", t_rcr64}, {"shld64", t_shld64}, {"shrd32", t_shrd32}, {"imul64", t_imul64},
    {"mul64", t_mul64}, {"imul1_32", t_imul1_32}, {"div64", t_div64}, {"idiv32", t_idiv32},
    {"bsf/bsr", t_bitscan}, {"bts/btr/btc", t_bittest},
    {"bswap/xadd/cmpxchg", t_bswap_xadd_cmpxchg}, {"setcc/cmovcc", t_conditions},
    {"movsx/movzx/cdqe", t_extend},
};

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    uint32_t all = 0;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        struct acc a = {0};
        tests[i].fn(&a);
        kprintf("%-20s crc=%08x\n", tests[i].name, a.crc);
        all = crc32(all, &a.crc, sizeof(a.crc));
    }
    kprintf("all crc=%08x\n", all);
    return 0;
}
