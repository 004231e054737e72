/* Integer-loop benchmark: a long arithmetic loop (add, xor, shifts, rotate,
 * multiply, compare-and-branch) and a final checksum, so both machines can be
 * checked to have done the same work. ITERATIONS is chosen so emu needs a
 * few seconds. */
#include "klib.h"

#define ITERATIONS 50000000ULL

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    uint64_t x = 0x243F6A8885A308D3ULL, y = 0x13198A2E03707344ULL, z = 0;
    for (uint64_t i = 0; i < ITERATIONS; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        y ^= x >> 29;
        y = (y << 7) | (y >> 57);
        z += (x & 0xFF) < 0x80 ? y : ~y;
    }
    kprintf("intloop x=%016lx y=%016lx z=%016lx\n", (unsigned long)x, (unsigned long)y,
            (unsigned long)z);
    return 0;
}
