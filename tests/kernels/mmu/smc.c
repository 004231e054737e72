/* mmu-smc: self-modifying code, on QEMU and emu. A code page is mapped
 * twice: X (execute, read-only) and W (write, XD). Functions are written
 * through W by MOV, REP MOVSB and REP STOSB and called through X; a loop
 * patches its own next iteration through the identity mapping. Each write
 * is followed by a jump (a call) before the code runs, as the SDM asks
 * (Vol. 3 §8.1.3). */
#include "mmulib.h"

#define X (TEST_FREE + 0x20000)
#define W (TEST_FREE + 0x21000)

static __attribute__((aligned(4096))) uint8_t code[4096];

typedef uint32_t (*fn_t)(void);

static uint32_t call_at(uint64_t off)
{
    return ((fn_t)(uintptr_t)(X + off))();
}

/* mov eax, imm32; ret */
static void emit_mov_ret(volatile uint8_t *p, uint32_t imm)
{
    p[0] = 0xB8;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(imm >> (8 * i));
    p[5] = 0xC3;
}

static void rep_movsb(void *dst, const void *src, uint64_t n)
{
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n)::"memory");
}

static void rep_stosb(void *dst, uint8_t v, uint64_t n)
{
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

/* A loop that rewrites the immediate of its own first instruction, through
 * the identity mapping of the page it runs from, on each iteration:
 *   l: mov ecx, imm32 ; add edx, ecx ; inc byte [l+2] ; dec eax ; jnz l ; mov eax, edx ; ret
 * (l+2 is the immediate's second byte: each iteration adds 0x100 to it). */
static const uint8_t self_patch[] = {
    0x31, 0xD2,                         /* xor edx, edx */
    0xB8, 0x05, 0x00, 0x00, 0x00,       /* mov eax, 5 */
    0xB9, 0x10, 0x00, 0x00, 0x00,       /* l: mov ecx, 0x10 */
    0x01, 0xCA,                         /* add edx, ecx */
    0xFE, 0x05, 0xF5, 0xFF, 0xFF, 0xFF, /* inc byte [rip - 11] */
    0xFF, 0xC8,                         /* dec eax */
    0x75, 0xEF,                         /* jnz l */
    0x89, 0xD0,                         /* mov eax, edx */
    0xC3,                               /* ret */
};

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    mp_init();
    uint64_t pa = (uint64_t)(uintptr_t)code;
    mp_map(mp_pml4, X, pa, 1, 0);
    mp_map(mp_pml4, W, pa, 1, PTE_W | PTE_NX);
    mp_flush_all();
    volatile uint8_t *w = (volatile uint8_t *)(uintptr_t)W;

    emit_mov_ret(w, 0x1111);
    kprintf("first: %x\n", call_at(0));
    emit_mov_ret(w, 0x2222);
    kprintf("patched through W: %x\n", call_at(0));
    w[1] = 0x33;
    kprintf("one byte through W: %x\n", call_at(0));

    uint8_t body[6];
    emit_mov_ret(body, 0x44444444);
    rep_movsb((void *)(uintptr_t)W, body, sizeof(body));
    kprintf("rep movsb through W: %x\n", call_at(0));
    emit_mov_ret(w + 0x100, 0x5555);
    kprintf("second function: %x\n", call_at(0x100));
    rep_stosb((void *)(uintptr_t)(W + 0x0FB), 0x90, 5); /* NOPs before it */
    kprintf("nops in front: %x\n", call_at(0x0FB));
    rep_stosb((void *)(uintptr_t)(W + 0x101), 0x77, 4);
    kprintf("rep stosb over the immediate: %x\n", call_at(0x100));

    uint32_t sum = 0;
    for (uint32_t i = 0; i < 200; i++) {
        emit_mov_ret(w + 0x200 + (i % 7) * 8, i * 2654435761u);
        sum += call_at(0x200 + (i % 7) * 8);
    }
    kprintf("200 rewrites: sum %x\n", sum);

    /* The loop runs from the identity mapping of code[] and patches itself. */
    memcpy(code + 0x400, self_patch, sizeof(self_patch));
    uint32_t r = ((fn_t)(uintptr_t)(pa + 0x400))();
    kprintf("self-patching loop: %x (immediate now %x)\n", r, *(uint32_t *)(code + 0x408));
    r = ((fn_t)(uintptr_t)(pa + 0x400))();
    kprintf("again: %x\n", r);
    return 0;
}
