/* Call-heavy benchmark: recursion and memory traffic on the stack
 * (push/pop/call/ret, loads and stores through the data TLB fast path). */
#include "klib.h"

#define ROUNDS 40

static __attribute__((noinline)) uint64_t fib(uint64_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t table[16384];

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    uint64_t sum = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        sum += fib(22 + (r & 1));
        for (unsigned i = 0; i < 16384; i++)
            table[i] = table[(i * 7) & 16383] + i + r;
    }
    kprintf("callloop sum=%lu t=%08x\n", (unsigned long)sum, crc32(0, table, sizeof(table)));
    return 0;
}
