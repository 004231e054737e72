/* 32-bit protected mode, never leaving it: 32- and 16-bit operand sizes,
 * high-byte registers, segment bases and overrides, far jumps/calls/returns
 * between GDT code segments, a 16-bit code segment, PUSHA/POPA, ENTER/LEAVE,
 * XLAT, CMPXCHG8B. Results are checksummed and printed per group. */
#include "klib.h"

#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_DATA_BASED 0x18 /* base = based_area, limit 64 KiB - 1 */
#define SEL_CODE16 0x20     /* 16-bit code, base = code16 */
#define SEL_CODE32_ALT 0x28 /* a second 32-bit code segment */

uint32_t code16_entry(void);  /* prot32_asm.S */
uint32_t far_call_test(uint32_t x);
uint32_t jump_through_alt(uint32_t x);

static uint64_t gdt32[8] __attribute__((aligned(8)));
static uint8_t based_area[65536] __attribute__((aligned(16)));
static uint32_t crc;

static void mix(uint32_t v)
{
    crc = crc32(crc, &v, sizeof(v));
}

static void report(const char *name)
{
    kprintf("%-24s crc=%08x\n", name, crc);
    crc = 0;
}

static uint64_t seg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

static void load_gdt(void)
{
    extern char code16_start[];
    gdt32[1] = seg(0, 0xFFFFF, 0x9A, 0xC);
    gdt32[2] = seg(0, 0xFFFFF, 0x92, 0xC);
    gdt32[3] = seg((uint32_t)(uintptr_t)based_area, 0xFFFF, 0x92, 0x4);
    gdt32[4] = seg((uint32_t)(uintptr_t)code16_start, 0xFFFF, 0x9A, 0x0);
    gdt32[5] = seg(0, 0xFFFFF, 0x9A, 0xC);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } d = {sizeof(gdt32) - 1, (uint32_t)(uintptr_t)gdt32};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss"
                     :: "m"(d), "i"(SEL_CODE32), "r"(SEL_DATA32) : "memory");
}

static void sixteen_bit_ops(void)
{
    uint32_t seed = 0x12345678;
    for (int i = 0; i < 500; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t a = seed, b = seed >> 7, f;
        __asm__ volatile("addw %w2, %w0\n\tpushfl\n\tpopl %1" : "+r"(a), "=r"(f) : "r"(b) : "cc");
        mix(a);
        mix(f & 0x8D5);
        __asm__ volatile("rolw $3, %w0\n\tshrw %%cl, %w0\n\tnotw %w0" : "+r"(a) : "c"(b & 15) : "cc");
        mix(a);
        uint32_t lo = seed & 0xFFFF, hi = 0;
        __asm__ volatile("imulw %w2" : "+a"(lo), "+d"(hi) : "r"(b | 1) : "cc");
        mix(lo);
        mix(hi);
        uint32_t q = seed & 0xFFFF, r = (seed >> 16) % ((b & 0xFFFF) | 1);
        __asm__ volatile("divw %w2" : "+a"(q), "+d"(r) : "r"((b & 0xFFFF) | 1) : "cc");
        mix(q);
        mix(r);
        uint32_t s = seed, z = 0, x = 0;
        __asm__ volatile("movswl %w2, %0\n\tmovzbl %h3, %1" : "=r"(z), "=r"(x) : "r"(s), "Q"(s));
        mix(z);
        mix(x);
        uint32_t ab = seed;
        __asm__ volatile("xchgb %%ah, %%al\n\taddb %%ah, %%al\n\tcbtw\n\tcwtl" : "+a"(ab) :: "cc");
        mix(ab);
    }
    report("16-bit operands, AH..BH");
}

static void segment_bases(void)
{
    for (int i = 0; i < 256; i++)
        based_area[i] = (uint8_t)(i * 7);
    uint32_t v = 0, w = 0;
    /* ES has base based_area: ES:0x10 is based_area + 0x10. */
    __asm__ volatile("movw %w2, %%es\n\t"
                     "movl %%es:0x10, %0\n\t"
                     "movl $0xCAFEBABE, %%es:0x20\n\t"
                     "movw %w3, %%es"
                     : "=r"(v), "=m"(based_area[0x20]) : "r"(SEL_DATA_BASED), "r"(SEL_DATA32));
    memcpy(&w, based_area + 0x20, 4);
    mix(v);
    mix(w);
    /* rep movsl from DS:ESI into ES:EDI with a based ES. */
    static uint32_t src[64];
    for (int i = 0; i < 64; i++)
        src[i] = 0x01010101u * (uint32_t)i;
    uint32_t s = (uint32_t)(uintptr_t)src, d = 0x100, c = 64;
    __asm__ volatile("movw %w3, %%es\n\tcld\n\trep movsl\n\tmovw %w4, %%es"
                     : "+S"(s), "+D"(d), "+c"(c) : "r"(SEL_DATA_BASED), "r"(SEL_DATA32)
                     : "memory");
    mix(d);
    crc = crc32(crc, based_area + 0x100, 256);
    /* An FS override in a load. */
    uint32_t fsv;
    __asm__ volatile("movw %w1, %%fs\n\tmovl %%fs:0x104, %0" : "=r"(fsv) : "r"(SEL_DATA_BASED));
    mix(fsv);
    uint16_t sel;
    __asm__ volatile("movw %%fs, %0" : "=r"(sel));
    mix(sel);
    report("segment bases/overrides");
}

static void far_transfers(void)
{
    mix(far_call_test(0x100));
    mix(jump_through_alt(7));
    mix(code16_entry());
    uint32_t cs;
    __asm__ volatile("movl %%cs, %0" : "=r"(cs));
    mix(cs);
    report("far jmp/call/ret, code16");
}

static void misc(void)
{
    static const uint8_t table[256] = {[0x10] = 0x99, [0x42] = 0x24};
    uint32_t a = 0x42;
    __asm__ volatile("xlat" : "+a"(a) : "b"(table));
    mix(a);
    uint32_t regs[8];
    __asm__ volatile("movl $1, %%eax\n\tmovl $2, %%ecx\n\tmovl $3, %%edx\n\tpushal\n\t"
                     "xorl %%eax, %%eax\n\tpopal\n\t"
                     "movl %%eax, 0(%0)\n\tmovl %%ecx, 4(%0)\n\tmovl %%edx, 8(%0)"
                     :: "D"(regs) : "eax", "ecx", "edx", "memory");
    mix(regs[0] + regs[1] * 3 + regs[2] * 5);
    uint32_t ebp_diff;
    __asm__ volatile("pushl %%ebp\n\tmovl %%esp, %%ebp\n\tenter $16, $2\n\t"
                     "movl %%ebp, %0\n\tsubl %%esp, %0\n\tleave\n\tpopl %%ebp"
                     : "=r"(ebp_diff) :: "memory");
    mix(ebp_diff);
    uint64_t m = 0x1111111122222222ULL;
    uint32_t lo = 0x22222222, hi = 0x11111111;
    __asm__ volatile("lock cmpxchg8b %0" : "+m"(m), "+a"(lo), "+d"(hi)
                     : "b"(0x33333333), "c"(0x44444444) : "cc");
    mix((uint32_t)m);
    mix((uint32_t)(m >> 32));
    uint32_t n = 10, acc = 0;
    __asm__ volatile("1: addl %%ecx, %0\n\tloop 1b" : "+r"(acc), "+c"(n) :: "cc");
    mix(acc);
    report("xlat/pusha/enter/cmpxchg8b");
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    kprintf("magic=%08x cs=%04x\n", magic, (unsigned)({
                uint32_t c;
                __asm__ volatile("movl %%cs, %0" : "=r"(c));
                c;
            }));
    load_gdt();
    sixteen_bit_ops();
    segment_bases();
    far_transfers();
    misc();
    return 0;
}
