#include "user.h"

extern uint64_t boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];

void user_pages(void)
{
    boot_pml4[0] |= PTE_U;
    boot_pdpt[0] |= PTE_U;
    for (int i = 0; i < 8; i++)
        boot_pd[i] |= PTE_U;
    WRITE_CR(3, READ_CR(3));
}

void sysenter_gdt(void)
{
    gdt_set(SEL_SE_KCODE / 8, gdt_entry(0, 0xfffff, 0x9a, 0xa));
    gdt_set(SEL_SE_KDATA / 8, gdt_entry(0, 0xfffff, 0x92, 0xc));
    gdt_set(SEL_SE_UCODE32 / 8, gdt_entry(0, 0xfffff, 0xfa, 0xc));
    gdt_set(SEL_SE_UDATA32 / 8, gdt_entry(0, 0xfffff, 0xf2, 0xc));
    gdt_set(SEL_SE_UCODE64 / 8, gdt_entry(0, 0xfffff, 0xfa, 0xa));
    gdt_set(SEL_SE_UDATA64 / 8, gdt_entry(0, 0xfffff, 0xf2, 0xc));
}
