/* The final GDT and the TSS (SDM Vol. 3A, 3.4.5 and 8.2.3). In 64-bit mode
 * segmentation is mostly off; the GDT still says which code segments are
 * ring 0 or ring 3 and 64-bit, and holds the TSS descriptor. */
#include "cpu.h"

#include "str.h"
#include "x86.h"

#define DESC_P         (1ULL << 47)   /* present */
#define DESC_DPL3      (3ULL << 45)   /* descriptor privilege level 3 */
#define DESC_S         (1ULL << 44)   /* code or data (not system) */
#define DESC_CODE      (0xAULL << 40) /* execute/read */
#define DESC_DATA      (0x2ULL << 40) /* read/write */
#define DESC_L         (1ULL << 53)   /* 64-bit code */
#define DESC_TSS_AVAIL (0x9ULL << 40) /* 64-bit TSS (available) */

struct cpu cpu0; // the only CPU (note.c tells emu where its `current` is)
static u8 df_stack[4096] __attribute__((aligned(16)));
static u8 nmi_stack[4096] __attribute__((aligned(16)));

_Static_assert(offsetof(struct cpu, self) == CPU_SELF, "CPU_SELF");
_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "CPU_USER_RSP");
_Static_assert(offsetof(struct cpu, current) == CPU_CURRENT, "CPU_CURRENT");
_Static_assert(offsetof(struct cpu, tss) == CPU_TSS, "CPU_TSS");
_Static_assert(offsetof(struct tss, rsp0) == TSS_RSP0, "TSS_RSP0");
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

/* The two descriptor slots of a 64-bit TSS descriptor. */
static void set_tss_desc(u64 *slot, const struct tss *tss)
{
    u64 base = (u64)tss, limit = sizeof(*tss) - 1;
    slot[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | DESC_TSS_AVAIL | DESC_P |
              ((base >> 24 & 0xFF) << 56);
    slot[1] = base >> 32;
}

/* Loads GDTR, then CS (by a far return), the data segments and TR. */
static void load_gdt(const u64 *gdt)
{
    struct {
        u16 limit;
        u64 base;
    } PACKED gdtr = {NSEGS * 8 - 1, (u64)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
                     : "rax", "memory");
}

void gdt_init(void)
{
    struct cpu *c = &cpu0;
    memset(c, 0, sizeof(*c));
    c->self = c;
    c->gdt[SEG_KCODE] = DESC_P | DESC_S | DESC_CODE | DESC_L;
    c->gdt[SEG_KDATA] = DESC_P | DESC_S | DESC_DATA;
    c->gdt[SEG_UDATA] = DESC_P | DESC_S | DESC_DATA | DESC_DPL3;
    c->gdt[SEG_UCODE] = DESC_P | DESC_S | DESC_CODE | DESC_L | DESC_DPL3;
    set_tss_desc(&c->gdt[SEG_TSS], &c->tss);
    c->tss.ist[IST_DF - 1] = (u64)(df_stack + sizeof(df_stack));
    c->tss.ist[IST_NMI - 1] = (u64)(nmi_stack + sizeof(nmi_stack));
    c->tss.iomap_base = sizeof(struct tss);
    load_gdt(c->gdt);
    wrmsr(MSR_GS_BASE, (u64)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0); /* what user mode starts with after SWAPGS */
}

void tss_set_rsp0(u64 rsp0)
{
    this_cpu()->tss.rsp0 = rsp0;
}
