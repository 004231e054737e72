/* klib: the small freestanding library the QEMU-vs-emu test kernels share.
 * boot.S enters long mode (first 4 GiB identity-mapped with 2 MiB pages,
 * EFER.NXE set, CR0.WP set) and calls kmain(mbi, magic); its return value is
 * the isa-debug-exit code. Output goes to COM1. Nothing here may depend on
 * timing: the same kernel must print the same bytes on QEMU and emu. */
#ifndef KLIB_H
#define KLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* GDT selectors (Linux's layout, so STAR works: user32 0x23, udata 0x2b, user64 0x33). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE32 0x18
#define SEL_UCODE32 0x20
#define SEL_UDATA 0x28
#define SEL_UCODE 0x30
#define SEL_TSS 0x38
#define GDT_FREE_FIRST 10 /* entries 10..15 are free for tests */
#define GDT_ENTRIES 16

#define DEBUG_EXIT_PORT 0xF4
#define COM1 0x3F8

int kmain(uint32_t mbi, uint32_t magic);

/* ---- ports, registers -------------------------------------------------- */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define READ_CR(n) ({ unsigned long _v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(_v)); _v; })
#define WRITE_CR(n, v) __asm__ volatile("mov %0, %%cr" #n ::"r"((unsigned long)(v)) : "memory")

static inline void invlpg(const volatile void *p) { __asm__ volatile("invlpg (%0)" ::"r"(p) : "memory"); }
static inline void cli(void) { __asm__ volatile("cli"); }
static inline void sti(void) { __asm__ volatile("sti"); }
static inline void hlt(void) { __asm__ volatile("hlt"); }

/* ---- output and exit --------------------------------------------------- */
void kputc(char c);
void kputs(const char *s);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Ends the run through isa-debug-exit: process status (code << 1) | 1. */
__attribute__((noreturn)) void exit(int code);
/* ACPI S5 through port 0x604 (QEMU q35 and emu): process status 0. */
__attribute__((noreturn)) void poweroff(void);

/* ---- memory and strings --------------------------------------------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
uint32_t crc32(uint32_t crc, const void *data, size_t n);

/* ---- descriptor tables ------------------------------------------------------- */
extern uint64_t gdt[GDT_ENTRIES];
void gdt_set(unsigned index, uint64_t descriptor);
/* A code/data descriptor: base, limit (20 bits), access byte, flags nibble. */
uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
extern struct tss64 tss;
/* Installs the TSS in the GDT at SEL_TSS and loads TR. */
void tss_load(void);

/* The frame every trap stub builds (traps.S). */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;       // error is 0 for vectors that push none
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Called for every vector whose gate points at lib's stub. */
typedef void (*trap_fn)(struct trap_frame *f);
extern trap_fn trap_handler;
/* Gate types */
#define GATE_INT 0xE
#define GATE_TRAP 0xF
/* Points vector v at lib's stub for it (or at `handler` if non-NULL). */
void idt_set(unsigned v, void *handler, unsigned type, unsigned dpl, unsigned ist);
/* Installs stubs for all 256 vectors (interrupt gates, DPL 0) and loads IDTR. */
void idt_init(void);
extern uint64_t idt[512];

/* Default trap handler: prints the frame and exits with code 0x7f. */
void trap_default(struct trap_frame *f);

#endif
