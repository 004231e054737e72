/* Classic algorithms as gcc -O2 compiles them: the instruction mix comes
 * from the compiler, not from us, the way a kernel emu has never seen would
 * exercise it (64-bit build and, as algos32, the same source in 32-bit
 * protected mode where 64-bit arithmetic becomes ADC/SBB/SHLD chains).
 * Each line prints a result; QEMU is the oracle for every byte. */
#include "klib.h"

#define SORT_N 512
#define SIEVE_N 20000
#define BIG_LIMBS 16
#define SHA_ROUNDS 64
#define TABLE_N 256

static uint32_t rng_state = 0x12345678u;

static uint32_t rnd32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* ---- SHA-256 (rotates, adds, logic in 32-bit registers) ---- */

static const uint32_t sha_k[SHA_ROUNDS] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t ror32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const uint8_t blk[64])
{
    uint32_t w[SHA_ROUNDS];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
               (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
    for (int i = 16; i < SHA_ROUNDS; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < SHA_ROUNDS; i++) {
        uint32_t t1 = k + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
                      sha_k[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

/* SHA-256 of "abc" (FIPS 180-2's first example) and of 1000 pseudo-random bytes. */
static void sha256(const uint8_t *msg, uint32_t len, uint32_t h[8])
{
    static const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t blk[64];
    for (int i = 0; i < 8; i++)
        h[i] = init[i];
    uint32_t off = 0;
    for (; len - off >= 64; off += 64)
        sha256_block(h, msg + off);
    uint32_t rest = len - off;
    for (uint32_t i = 0; i < 64; i++)
        blk[i] = i < rest ? msg[off + i] : 0;
    blk[rest] = 0x80;
    if (rest >= 56) {
        sha256_block(h, blk);
        for (int i = 0; i < 64; i++)
            blk[i] = 0;
    }
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        blk[63 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(h, blk);
}

static void test_sha(void)
{
    static uint8_t buf[1000];
    uint32_t h[8];
    sha256((const uint8_t *)"abc", 3, h);
    kprintf("sha256(abc) = %08x%08x...%08x\n", h[0], h[1], h[7]);
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rnd32();
    sha256(buf, sizeof(buf), h);
    kprintf("sha256(1000 bytes) = %08x%08x%08x%08x\n", h[0], h[1], h[2], h[3]);
}

/* ---- sorting (compares, swaps, recursion, signed/unsigned mixes) ---- */

static void quicksort(int32_t *a, int lo, int hi)
{
    while (lo < hi) {
        int32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static void insertion_sort_u64(uint64_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void test_sort(void)
{
    static int32_t a[SORT_N];
    static uint64_t b[SORT_N / 4];
    for (int i = 0; i < SORT_N; i++)
        a[i] = (int32_t)rnd32() >> (i % 24);
    quicksort(a, 0, SORT_N - 1);
    int sorted = 1;
    for (int i = 1; i < SORT_N; i++)
        sorted &= a[i - 1] <= a[i];
    kprintf("quicksort: sorted=%d min=%d median=%d max=%d crc=%08x\n", sorted, a[0],
            a[SORT_N / 2], a[SORT_N - 1], crc32(0, a, sizeof(a)));
    for (int i = 0; i < SORT_N / 4; i++)
        b[i] = (uint64_t)rnd32() << 32 | rnd32();
    insertion_sort_u64(b, SORT_N / 4);
    kprintf("insertion sort u64: first=%08x%08x crc=%08x\n", (uint32_t)(b[0] >> 32),
            (uint32_t)b[0], crc32(0, b, sizeof(b)));
}

/* ---- sieve and division by constants (multiply-high sequences) ---- */

static void test_sieve(void)
{
    static uint8_t composite[SIEVE_N];
    unsigned count = 0, last = 0;
    uint32_t digits = 0;
    for (unsigned i = 2; i < SIEVE_N; i++) {
        if (composite[i])
            continue;
        count++;
        last = i;
        for (unsigned j = i * i; j < SIEVE_N; j += i)
            composite[j] = 1;
        for (unsigned v = i; v; v /= 10)
            digits += v % 10;
        digits += (i / 7) ^ (i % 13) ^ (i / 1000);
    }
    kprintf("sieve: %u primes below %u, last %u, digit mix %u\n", count, SIEVE_N, last, digits);
}

static void test_divide(void)
{
    uint32_t acc = 0;
    int64_t sacc = 0;
    for (int i = 0; i < 2000; i++) {
        uint32_t x = rnd32();
        int32_t s = (int32_t)rnd32();
        int32_t d = (int32_t)(rnd32() % 2000) - 1000;
        acc += x / 3 + x % 7 + x / 1000000007u + (x >> (i & 31));
        sacc += s / 5 + s % 9 + s / -17;
        if (d != 0)
            sacc += s / d + s % d;
    }
    kprintf("divide: acc=%08x sacc=%08x%08x\n", acc, (uint32_t)((uint64_t)sacc >> 32),
            (uint32_t)sacc);
}

/* ---- bignum multiply (carry chains; 32-bit limbs widened to 64) ---- */

static void bignum_mul(const uint32_t *x, const uint32_t *y, uint32_t *out)
{
    for (int i = 0; i < 2 * BIG_LIMBS; i++)
        out[i] = 0;
    for (int i = 0; i < BIG_LIMBS; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < BIG_LIMBS; j++) {
            uint64_t t = (uint64_t)x[i] * y[j] + out[i + j] + carry;
            out[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        out[i + BIG_LIMBS] = (uint32_t)carry;
    }
}

static void test_bignum(void)
{
    uint32_t x[BIG_LIMBS], y[BIG_LIMBS], r[2 * BIG_LIMBS];
    for (int i = 0; i < BIG_LIMBS; i++) {
        x[i] = rnd32();
        y[i] = i % 3 ? rnd32() : 0xFFFFFFFFu;
    }
    for (int round = 0; round < 8; round++) {
        bignum_mul(x, y, r);
        for (int i = 0; i < BIG_LIMBS; i++)
            x[i] = r[i + round];
    }
    kprintf("bignum: top=%08x low=%08x crc=%08x\n", r[2 * BIG_LIMBS - 1], r[0],
            crc32(0, r, sizeof(r)));
}

/* ---- 64-bit arithmetic: in the 32-bit build, ADC/SBB/SHLD/SHRD/MUL chains ---- */

static void test_wide(void)
{
    uint64_t a = 0x0123456789ABCDEFull, acc = 0;
    int64_t s = -0x1234567890ll;
    for (int i = 0; i < 3000; i++) {
        uint64_t r = (uint64_t)rnd32() << 32 | rnd32();
        a = a * 6364136223846793005ull + 1442695040888963407ull;
        acc += (a >> (i % 64)) ^ (r << (i % 61)) ^ (a < r);
        acc -= (int64_t)r >> (i % 63);
        s = (s << 3) - s + (int64_t)(r & 0xFFFF) - (s >> 7);
        acc ^= (uint64_t)(s < 0) << (i & 63);
    }
    kprintf("wide: acc=%08x%08x s=%08x%08x\n", (uint32_t)(acc >> 32), (uint32_t)acc,
            (uint32_t)((uint64_t)s >> 32), (uint32_t)s);
}

/* ---- table-driven code: switch jump tables, function pointers, bytes ---- */

static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t op_rol(uint32_t a, uint32_t b) { return (a << (b & 31)) | (a >> (-b & 31)); }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1); }

static uint32_t bitcount(uint32_t x)
{
    uint32_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static uint32_t interp(const uint8_t *code, unsigned n)
{
    static uint32_t (*const ops[4])(uint32_t, uint32_t) = {op_add, op_xor, op_rol, op_mul};
    uint32_t acc = 1, reg[4] = {3, 5, 7, 11};
    for (unsigned pc = 0; pc < n; pc++) {
        uint8_t c = code[pc];
        switch (c >> 4) {
        case 0: acc += c; break;
        case 1: acc = ops[c & 3](acc, reg[(c >> 2) & 3]); break;
        case 2: reg[c & 3] = acc; break;
        case 3: acc -= reg[c & 3]; break;
        case 4: acc = (uint32_t)(int8_t)c * acc; break;
        case 5: acc = acc >> (c & 15) | acc << (16 - (c & 15)); break;
        case 6: acc = ~acc; break;
        case 7: acc = (acc & 1) ? acc * 3 + 1 : acc / 2; break;
        case 8: acc = bitcount(acc) + (acc << 1); break;
        case 9: acc = acc > reg[c & 3] ? acc - reg[c & 3] : reg[c & 3] - acc; break;
        case 10: acc ^= (uint32_t)c << (c & 24); break;
        case 11: acc = (int32_t)acc < 0 ? -acc : acc + 17; break;
        default: acc += reg[0] * reg[1] - reg[2]; break;
        }
    }
    return acc ^ reg[0] ^ reg[1] ^ reg[2] ^ reg[3];
}

static void test_interp(void)
{
    static uint8_t code[TABLE_N * 8];
    for (unsigned i = 0; i < sizeof(code); i++)
        code[i] = (uint8_t)rnd32();
    kprintf("interpreter: %08x\n", interp(code, sizeof(code)));
}

/* ---- byte and string processing: parsing and formatting numbers ----
 * In machine words: the kernels link without libgcc, whose 64-bit division
 * helpers the 32-bit build would need. */

typedef unsigned long uword;

static unsigned utoa(uword v, unsigned base, char *out)
{
    char tmp[65];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    for (unsigned i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return n;
}

static uword parse(const char *s, unsigned base)
{
    uword v = 0;
    for (; *s; s++)
        v = v * base + (unsigned)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
    return v;
}

static void test_numbers(void)
{
    char buf[70];
    uint32_t crc = 0;
    unsigned ok = 0;
    for (int i = 0; i < 300; i++) {
        uword v = (uword)rnd32() << (i % 33 % (sizeof(uword) * 8)) | rnd32();
        unsigned base = 2 + (unsigned)i % 35;
        unsigned n = utoa(v, base, buf);
        crc = crc32(crc, buf, n);
        ok += parse(buf, base) == v;
    }
    kprintf("numbers: %u/300 round trips, crc=%08x\n", ok, crc);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    test_sha();
    test_sort();
    test_sieve();
    test_divide();
    test_bignum();
    test_wide();
    test_interp();
    test_numbers();
    return 0;
}
