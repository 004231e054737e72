/* Calls, returns and jumps: recursion, indirect calls through a table,
 * computed jumps (switch), far jumps/calls/returns between 64-bit code and a
 * compatibility-mode (32-bit) segment, and IRETQ to the same privilege. */
#include "klib.h"

uint64_t far_roundtrip(void);       /* calls_asm.S: 64 -> compat -> 64 */
uint64_t far_call_lret(uint64_t x); /* calls_asm.S: lcall/lretq within 64-bit */
uint64_t iret_same(uint64_t x);     /* calls_asm.S: iretq to ring 0 */
uint64_t enter_leave(uint64_t x);   /* calls_asm.S: enter $32, $3 / leave */

static uint64_t fib(uint64_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t sq(uint64_t x) { return x * x; }
static uint64_t tw(uint64_t x) { return x + x; }
static uint64_t ng(uint64_t x) { return -x; }
static uint64_t (*const volatile table[])(uint64_t) = {sq, tw, ng};

static __attribute__((noinline)) uint64_t dispatch(unsigned k, uint64_t x)
{
    switch (k % 7) {
    case 0: return x ^ 0x55;
    case 1: return x + 17;
    case 2: return x * 3;
    case 3: return x >> 1;
    case 4: return x << 2;
    case 5: return ~x;
    default: return x - 99;
    }
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    kprintf("fib(24)=%lu\n", (unsigned long)fib(24));
    uint64_t v = 1;
    for (unsigned i = 0; i < 3000; i++)
        v = table[i % 3](v + i) ^ dispatch(i, v);
    kprintf("indirect+switch=%016lx\n", (unsigned long)v);
    kprintf("far 64->compat->64: %016lx\n", (unsigned long)far_roundtrip());
    kprintf("lcall/lretq: %016lx\n", (unsigned long)far_call_lret(0x1234));
    kprintf("iretq same ring: %016lx\n", (unsigned long)iret_same(0x77));
    kprintf("enter/leave: %016lx\n", (unsigned long)enter_leave(5));
    return 0;
}
