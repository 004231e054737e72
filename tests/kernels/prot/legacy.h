/* A 32-bit protected-mode kernel runtime for the legacy-mode prot kernels:
 * its own GDT (kernel/user flat segments, a 32-bit TSS with an I/O bitmap,
 * and test descriptors), an IDT of 32-bit interrupt gates whose stubs call
 * one C handler, and probes that run a function in ring 0 or ring 3 and
 * come back with the exception frame. */
#ifndef PROT_LEGACY_H
#define PROT_LEGACY_H

#include "klib.h"

#define L_KCODE 0x08
#define L_KDATA 0x10
#define L_UCODE 0x18  /* DPL 3: use with RPL 3 */
#define L_UDATA 0x20
#define L_TSS 0x28
#define L_FREE 6      /* GDT entries 6..23 are for the tests */
#define L_GDT_ENTRIES 24

/* What the stubs save (legacy_asm.S): PUSHA, then vector and error code,
 * then what the CPU pushed. esp/ss are there only for a ring change. */
struct frame32 {
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags, esp, ss;
};

struct lprobe {
    int faulted;
    struct frame32 f;
    uint32_t cr2;
    uint32_t handler_esp; // the frame's address: which stack the handler ran on
};

extern uint64_t lgdt[L_GDT_ENTRIES];
extern uint8_t *const ltss_iomap_ptr; // the TSS I/O permission bitmap (all ones = all denied)

uint64_t lseg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
/* A 32-bit (type 0xC) or 16-bit (0x4) call gate. */
uint64_t lgate(uint16_t sel, uint32_t offset, uint8_t type, unsigned dpl, unsigned params);
/* Loads the GDT, TSS (ESP0 = its own stack) and IDT; paging stays off. */
void legacy_init(void);
/* Points IDT vector v at its stub with gate type and DPL. */
void legacy_idt_set(unsigned v, uint8_t type, unsigned dpl);
/* Marks IDT vector v not present. */
void legacy_idt_clear(unsigned v);
/* Runs fn in ring 0, or ring 3 with eflags (IOPL...); records the first
 * exception and returns to the caller in ring 0. */
void lprobe(void (*fn)(void), int user, uint32_t eflags, struct lprobe *r);
/* One line: vector, error, eip relative to fn, cs, IF, ring-3 ss:esp. */
void lprobe_print(const char *name, void (*fn)(void), const struct lprobe *r);
/* "tss" when the handler ran on the TSS ring-0 stack, "same" otherwise. */
const char *lstack_name(uint32_t esp);

#endif
