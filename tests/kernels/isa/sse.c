/* SSE and SSE2: the kernel enables them (CR4.OSFXSR, OSXMMEXCPT; CR0.EM
 * clear, MP set) and lets the compiler vectorise integer loops (-O3
 * -msse2), then exercises float and double arithmetic, conversions,
 * compares, MXCSR rounding modes and FXSAVE/FXRSTOR. Results are printed as
 * bit patterns, so no floating-point formatting is involved. */
#include "klib.h"

#define N 1024
#define CR0_EM (1u << 2)
#define CR0_MP (1u << 1)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)

static uint32_t ia[N], ib[N], ic[N];
static uint16_t wa[N], wb[N];
static float fa[N];
static double da[N];
static uint8_t fxarea[512] __attribute__((aligned(16)));

static void enable_sse(void)
{
    WRITE_CR(0, (READ_CR(0) & ~CR0_EM) | CR0_MP);
    WRITE_CR(4, READ_CR(4) | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

static uint32_t bits_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static uint64_t bits_d(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static __attribute__((noinline)) void integer_vectors(void)
{
    for (int i = 0; i < N; i++) {
        ia[i] = (uint32_t)(i * 2654435761u);
        ib[i] = (uint32_t)(i ^ 0x5A5A5A5A) * 7u;
        wa[i] = (uint16_t)(i * 31);
        wb[i] = (uint16_t)(0xFFFF - i * 17);
    }
    for (int i = 0; i < N; i++)
        ic[i] = (ia[i] + ib[i]) ^ (ia[i] >> 3) ^ (ib[i] << 5);
    uint32_t sum = 0, mx = 0;
    for (int i = 0; i < N; i++) {
        sum += ic[i] * 3u;
        mx = ic[i] > mx ? ic[i] : mx;
    }
    uint16_t sat = 0;
    for (int i = 0; i < N; i++) {
        unsigned s = (unsigned)wa[i] + wb[i];
        wa[i] = (uint16_t)(s > 0xFFFF ? 0xFFFF : s);
        sat ^= wa[i];
    }
    kprintf("int: crc=%08x sum=%08x max=%08x sat=%04x\n", crc32(0, ic, sizeof(ic)), sum, mx,
            sat);
}

static __attribute__((noinline)) void floats(void)
{
    float acc = 0.0f;
    for (int i = 0; i < N; i++)
        fa[i] = (float)i * 0.5f + 1.0f / (float)(i + 1);
    for (int i = 0; i < N; i++)
        acc += fa[i] * fa[i];
    double dacc = 0.0;
    for (int i = 0; i < N; i++) {
        da[i] = (double)ia[i] / 3.0 - (double)(int32_t)ib[i];
        dacc += da[i] > 0 ? da[i] : -da[i];
    }
    int64_t conv = 0;
    for (int i = 0; i < 64; i++)
        conv += (int64_t)(da[i] / 1000.0) + (int32_t)(fa[i] * 3.7f);
    float mn = fa[0], mxf = fa[0];
    for (int i = 1; i < N; i++) {
        mn = fa[i] < mn ? fa[i] : mn;
        mxf = fa[i] > mxf ? fa[i] : mxf;
    }
    kprintf("float: acc=%08x min=%08x max=%08x\n", bits_f(acc), bits_f(mn), bits_f(mxf));
    kprintf("double: acc=%016lx conv=%ld crc=%08x\n", (unsigned long)bits_d(dacc), (long)conv,
            crc32(0, da, sizeof(da)));
}

/* CVTSD2SI rounds by MXCSR.RC (what lrint compiles to with -fno-math-errno). */
static long round_current(double d)
{
    long r;
    __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(d));
    return r;
}

static __attribute__((noinline)) void rounding_modes(void)
{
    static const uint32_t modes[4] = {0x1F80, 0x3F80, 0x5F80, 0x7F80};
    volatile double x = 2.5, y = -2.5, third = 1.0 / 3.0;
    for (int m = 0; m < 4; m++) {
        uint32_t csr = modes[m], back;
        __asm__ volatile("ldmxcsr %0" ::"m"(csr));
        long a = round_current(x), b = round_current(y);
        float f = (float)third;
        __asm__ volatile("stmxcsr %0" : "=m"(back));
        kprintf("mode %d: lrint(2.5)=%ld lrint(-2.5)=%ld (float)(1/3)=%08x mxcsr=%08x\n", m, a,
                b, bits_f(f), back);
    }
    uint32_t reset = 0x1F80;
    __asm__ volatile("ldmxcsr %0" ::"m"(reset));
}

static __attribute__((noinline)) void compares_and_state(void)
{
    volatile float nan = __builtin_nanf(""), one = 1.0f, two = 2.0f;
    int lt = one < two, eq = one == nan, un = __builtin_isunordered(one, nan);
    uint32_t flags;
    __asm__ volatile("ucomiss %1, %2\n\tpushfq\n\tpopq %%rax\n\tmovl %%eax, %0"
                     : "=r"(flags) : "x"((float)one), "x"((float)nan) : "rax", "cc");
    kprintf("cmp: lt=%d eq=%d unordered=%d ucomiss-flags=%02x\n", lt, eq, un, flags & 0xD5);
    __asm__ volatile("movq %0, %%xmm5" ::"r"(0x1122334455667788ULL) : "xmm5");
    __asm__ volatile("fxsave %0" : "=m"(fxarea));
    __asm__ volatile("pxor %%xmm5, %%xmm5" ::: "xmm5");
    __asm__ volatile("fxrstor %0" ::"m"(fxarea));
    uint64_t back;
    __asm__ volatile("movq %%xmm5, %0" : "=r"(back));
    uint32_t mxcsr_saved;
    memcpy(&mxcsr_saved, fxarea + 24, 4);
    kprintf("fxsave/fxrstor: xmm5=%016lx mxcsr=%08x\n", (unsigned long)back, mxcsr_saved);
}

/* Faults: each probe is a 4-byte instruction the handler skips. */
static volatile uint64_t fault_vector, fault_error;

static void skip_fault(struct trap_frame *f)
{
    fault_vector = f->vector;
    fault_error = f->error;
    f->rip += 4;
}

static unsigned probe_pxor(void)
{
    fault_vector = 0xFF;
    __asm__ volatile("pxor %%xmm1, %%xmm1" /* 66 0F EF C9: 4 bytes */
                     ::: "xmm1");
    return (unsigned)fault_vector;
}

static __attribute__((noinline)) void faults(void)
{
    static uint8_t buf[32] __attribute__((aligned(16)));
    idt_init();
    trap_handler = skip_fault;
    kprintf("without OSFXSR: pxor -> vector %u\n", probe_pxor());
    enable_sse();
    kprintf("with OSFXSR: pxor -> vector %u\n", probe_pxor());
    WRITE_CR(0, READ_CR(0) | 8); /* CR0.TS */
    kprintf("with CR0.TS: pxor -> vector %u\n", probe_pxor());
    __asm__ volatile("clts");
    fault_vector = 0xFF;
    __asm__ volatile("movaps 1(%0), %%xmm2" ::"r"(buf) : "xmm2"); /* 0F 28 50 01 */
    kprintf("misaligned movaps -> vector %u error %lu\n", (unsigned)fault_vector,
            (unsigned long)fault_error);
    trap_handler = 0;
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    faults();
    integer_vectors();
    floats();
    rounding_modes();
    compares_and_state();
    return 0;
}
