#include "legacy.h"

struct __attribute__((packed)) tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

/* The TSS and its I/O bitmap are contiguous: the limit covers both plus the
 * final all-ones byte the SDM asks for. */
static struct __attribute__((packed)) {
    struct tss32 tss;
    uint8_t iomap[8192 + 1];
} ltss_block __attribute__((aligned(16)));

uint64_t lgdt[L_GDT_ENTRIES] __attribute__((aligned(8)));
static uint64_t lidt[129] __attribute__((aligned(8)));
extern const uint32_t lstubs[49];
extern uint32_t lprobe_esp, lprobe_user_top;
extern char lprobe_return[];
int lprobe_enter(void (*fn)(void), int user, uint32_t eflags);
void legacy_trap(struct frame32 *f);

static uint8_t kstack[16384] __attribute__((aligned(16)));
static uint8_t ustack[8192] __attribute__((aligned(16)));
static struct lprobe *current;

uint64_t lseg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

uint64_t lgate(uint16_t sel, uint32_t offset, uint8_t type, unsigned dpl, unsigned params)
{
    return (offset & 0xFFFF) | ((uint64_t)sel << 16) | ((uint64_t)(params & 31) << 32) |
           ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | (1ULL << 47) |
           ((uint64_t)(offset >> 16) << 48);
}

void legacy_idt_set(unsigned v, uint8_t type, unsigned dpl)
{
    unsigned slot = v == 128 ? 48 : v;
    lidt[v] = lgate(L_KCODE, lstubs[slot], type, dpl, 0);
}

void legacy_init(void)
{
    lgdt[1] = lseg(0, 0xFFFFF, 0x9A, 0xC);
    lgdt[2] = lseg(0, 0xFFFFF, 0x92, 0xC);
    lgdt[3] = lseg(0, 0xFFFFF, 0xFA, 0xC);
    lgdt[4] = lseg(0, 0xFFFFF, 0xF2, 0xC);
    ltss_block.tss.esp0 = (uint32_t)(uintptr_t)(kstack + sizeof(kstack));
    ltss_block.tss.ss0 = L_KDATA;
    ltss_block.tss.iomap_base = sizeof(struct tss32);
    memset(ltss_block.iomap, 0xFF, sizeof(ltss_block.iomap));
    lgdt[L_TSS / 8] = lseg((uint32_t)(uintptr_t)&ltss_block, sizeof(ltss_block) - 1, 0x89, 0);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } g = {sizeof(lgdt) - 1, (uint32_t)(uintptr_t)lgdt},
      i = {sizeof(lidt) - 1, (uint32_t)(uintptr_t)lidt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss\n\t"
                     "movw %w2, %%fs\n\tmovw %w2, %%gs\n\t"
                     "ltr %w3\n\t"
                     "lidt %4"
                     :: "m"(g), "i"(L_KCODE), "r"(L_KDATA), "r"(L_TSS), "m"(i) : "memory");
    for (unsigned v = 0; v < 48; v++)
        legacy_idt_set(v, 0xE, 0);
    legacy_idt_set(128, 0xE, 3);
    lprobe_user_top = (uint32_t)(uintptr_t)(ustack + sizeof(ustack));
}

uint8_t *const ltss_iomap_ptr = ltss_block.iomap;

const char *lstack_name(uint32_t esp)
{
    uint32_t lo = (uint32_t)(uintptr_t)kstack, hi = lo + sizeof(kstack);
    return esp > lo && esp <= hi ? "tss" : "same";
}

void legacy_trap(struct frame32 *f)
{
    if (!current) {
        kprintf("unexpected trap: vector %u error 0x%x eip 0x%x cs 0x%x\n", f->vector, f->error,
                f->eip, f->cs);
        exit(0x7f);
    }
    current->faulted = 1;
    current->f = *f;
    if (!(f->cs & 3))
        current->f.esp = current->f.ss = 0;
    current->cr2 = f->vector == 14 ? (uint32_t)READ_CR(2) : 0;
    current->handler_esp = (uint32_t)(uintptr_t)f;
    current = NULL;
    f->eip = (uint32_t)(uintptr_t)lprobe_return;
    f->cs = L_KCODE;
    f->eflags = 2;
}

void lprobe(void (*fn)(void), int user, uint32_t eflags, struct lprobe *r)
{
    memset(r, 0, sizeof(*r));
    current = r;
    lprobe_enter(fn, user, eflags);
    current = NULL;
}

void lprobe_print(const char *name, void (*fn)(void), const struct lprobe *r)
{
    if (!r->faulted) {
        kprintf("%s: no exception\n", name);
        return;
    }
    const struct frame32 *f = &r->f;
    uint32_t off = f->eip - (uint32_t)(uintptr_t)fn;
    kprintf("%s: vector %u error 0x%x ", name, f->vector, f->error);
    if (off < 256)
        kprintf("eip fn+%u", off);
    else
        kprintf("eip 0x%x", f->eip);
    kprintf(" cs 0x%x IF %u stack %s", f->cs, (f->eflags >> 9) & 1, lstack_name(r->handler_esp));
    if (f->cs & 3)
        kprintf(" ss 0x%x esp top-%u", f->ss, lprobe_user_top - f->esp);
    if (f->vector == 14)
        kprintf(" cr2 0x%x", r->cr2);
    kputc('\n');
}

void legacy_idt_clear(unsigned v)
{
    lidt[v] &= ~(1ULL << 47);
}

void legacy_idt_task_gate(unsigned v, uint16_t tss)
{
    lidt[v] = ((uint64_t)tss << 16) | (0x85ULL << 40);
}

struct tss32 *main_tss(void);
struct tss32 *main_tss(void)
{
    return &ltss_block.tss;
}
