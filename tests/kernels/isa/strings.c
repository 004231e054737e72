/* String instructions with REP/REPE/REPNE in both directions, all element
 * sizes, overlapping moves, and the register state they leave behind. */
#include "klib.h"

#define BUF 4096

static uint8_t src[BUF], dst[BUF];
static uint32_t crc;

static void mixv(uint64_t v)
{
    crc = crc32(crc, &v, sizeof(v));
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void report(const char *what)
{
    kprintf("%-28s crc=%08x\n", what, crc);
    crc = 0;
}

static void rep_movs(void)
{
    for (unsigned n = 0; n < 300; n += 7) {
        fill(src, BUF, n);
        memset(dst, 0, BUF);
        uint64_t s = (uint64_t)(uintptr_t)(src + n % 13), d = (uint64_t)(uintptr_t)(dst + n % 5);
        uint64_t c = n;
        __asm__ volatile("cld; rep movsb" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
        mixv(s - (uintptr_t)src);
        mixv(d - (uintptr_t)dst);
        mixv(c);
        c = n / 8;
        __asm__ volatile("rep movsq" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
        c = n / 4;
        __asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
        c = n / 2;
        __asm__ volatile("rep movsw" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
        crc = crc32(crc, dst, BUF);
    }
    report("rep movs{b,w,l,q} forward");
}

static void backward_overlap(void)
{
    fill(dst, BUF, 99);
    for (unsigned n = 1; n < 200; n += 11) {
        /* memmove(dst + 3, dst, n) done backwards, as memmove does for overlap. */
        uint64_t s = (uint64_t)(uintptr_t)(dst + n - 1), d = (uint64_t)(uintptr_t)(dst + n + 2);
        uint64_t c = n;
        __asm__ volatile("std; rep movsb; cld" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
        mixv(s - (uintptr_t)dst);
        mixv(d - (uintptr_t)dst);
    }
    crc = crc32(crc, dst, BUF);
    report("std; rep movsb (overlap)");
}

static void stos_lods(void)
{
    for (unsigned n = 0; n < 256; n += 5) {
        uint64_t d = (uint64_t)(uintptr_t)dst, c = n, a = 0x1122334455667788ULL * (n + 1);
        __asm__ volatile("cld; rep stosq" : "+D"(d), "+c"(c) : "a"(a) : "memory");
        c = n;
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(a >> 8) : "memory");
        uint64_t s = (uint64_t)(uintptr_t)dst, v = 0;
        c = n / 2 + 1;
        a = 0;
        __asm__ volatile("1: lodsw; addq %%rax, %%rdx; loop 1b"
                         : "+S"(s), "+c"(c), "+a"(a), "+d"(v) :: "memory");
        mixv(v);
        mixv(d - (uintptr_t)dst);
    }
    crc = crc32(crc, dst, BUF);
    report("rep stos, lods + loop");
}

static void cmps_scas(void)
{
    fill(src, BUF, 7);
    memcpy(dst, src, BUF);
    for (unsigned n = 1; n < 400; n += 9) {
        dst[n / 2] ^= (uint8_t)n;
        uint64_t s = (uint64_t)(uintptr_t)src, d = (uint64_t)(uintptr_t)dst, c = n, f;
        __asm__ volatile("cld; repe cmpsb; pushfq; popq %3"
                         : "+S"(s), "+D"(d), "+c"(c), "=r"(f) :: "memory", "cc");
        mixv(s - (uintptr_t)src);
        mixv(c);
        mixv(f & 0x8D5);
        dst[n / 2] ^= (uint8_t)n;
        d = (uint64_t)(uintptr_t)dst;
        c = BUF;
        __asm__ volatile("repne scasb; pushfq; popq %2"
                         : "+D"(d), "+c"(c), "=r"(f) : "a"(src[n]) : "memory", "cc");
        mixv(d - (uintptr_t)dst);
        mixv(c);
        mixv(f & 0x8D5);
        d = (uint64_t)(uintptr_t)(dst + BUF - 4);
        c = 100;
        __asm__ volatile("std; repne scasl; cld; pushfq; popq %2"
                         : "+D"(d), "+c"(c), "=r"(f) : "a"(0x12345678u) : "memory", "cc");
        mixv(d - (uintptr_t)dst);
        mixv(c);
    }
    report("repe cmpsb, repne scas");
}

static void addr32_string(void)
{
    /* 32-bit address size in 64-bit mode: ESI/EDI/ECX, upper halves cleared. */
    uint64_t s = (uint64_t)(uintptr_t)src | 0xAB00000000ULL;
    uint64_t d = (uint64_t)(uintptr_t)dst | 0xCD00000000ULL;
    uint64_t c = 0xEF00000000ULL | 64;
    fill(src, 64, 3);
    __asm__ volatile("cld; addr32 rep movsb" : "+S"(s), "+D"(d), "+c"(c) :: "memory");
    mixv(s);
    mixv(d);
    mixv(c);
    crc = crc32(crc, dst, 64);
    report("addr32 rep movsb");
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    rep_movs();
    backward_overlap();
    stos_lods();
    cmps_scas();
    addr32_string();
    return 0;
}
