/* The GDT (Linux's selector layout), the 64-bit TSS and the IDT. */
#include "klib.h"

#define GDT_CODE64_K 0x00AF9A000000FFFFULL
#define GDT_DATA_K 0x00CF92000000FFFFULL
#define GDT_CODE32_K 0x00CF9A000000FFFFULL
#define GDT_CODE32_U 0x00CFFA000000FFFFULL
#define GDT_DATA_U 0x00CFF2000000FFFFULL
#define GDT_CODE64_U 0x00AFFA000000FFFFULL
#define TSS_TYPE_AVAIL 0x89

__attribute__((aligned(16))) uint64_t gdt[GDT_ENTRIES] = {
    0, GDT_CODE64_K, GDT_DATA_K, GDT_CODE32_K, GDT_CODE32_U, GDT_DATA_U, GDT_CODE64_U,
};

struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
} gdt_desc = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};

__attribute__((aligned(16))) struct tss64 tss;
__attribute__((aligned(16))) uint64_t idt[512];
trap_fn trap_handler;
extern const uint64_t trap_stubs[256];

uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

void gdt_set(unsigned index, uint64_t descriptor)
{
    gdt[index] = descriptor;
}

void tss_load(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    tss.iomap_base = sizeof(tss);
    gdt[SEL_TSS / 8] = gdt_entry((uint32_t)base, sizeof(tss) - 1, TSS_TYPE_AVAIL, 0);
    gdt[SEL_TSS / 8 + 1] = base >> 32;
    __asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
}

void idt_set(unsigned v, void *handler, unsigned type, unsigned dpl, unsigned ist)
{
    uint64_t h = handler ? (uint64_t)(uintptr_t)handler : trap_stubs[v];
    idt[2 * v] = (h & 0xFFFF) | ((uint64_t)SEL_KCODE << 16) | ((uint64_t)(ist & 7) << 32) |
                 ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | (1ULL << 47) |
                 ((h >> 16) << 48);
    idt[2 * v + 1] = h >> 32;
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, NULL, GATE_INT, 0, 0);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } d = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(d));
}

void trap_default(struct trap_frame *f)
{
    kprintf("unexpected trap: vector %lu error 0x%lx rip 0x%lx cs 0x%lx rflags 0x%lx\n", f->vector,
            f->error, f->rip, f->cs, f->rflags);
    exit(0x7f);
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
    if (trap_handler)
        trap_handler(f);
    else
        trap_default(f);
}
