/* entry.S: from the Multiboot loader to kmain().
 *
 * The loader (QEMU's -kernel, emu run) leaves us in 32-bit protected mode with
 * paging off, EAX = 0x2BADB002 and EBX = the physical address of the Multiboot
 * information. To reach 64-bit code at our link address in the higher half:
 *
 *   1. build boot page tables (2 MiB pages) mapping the first GiB three times:
 *      at 0 (identity, for the instructions that turn paging on), at DIRECT_MAP
 *      and at KERNBASE (where the kernel is linked);
 *   2. CR4.PAE, CR3 = the PML4, EFER.LME (WRMSR), CR0.PG: the CPU is now in
 *      long mode's compatibility submode;
 *   3. load a GDT with a 64-bit code segment and far-jump to it: 64-bit mode;
 *   4. jump to the higher half, switch to the boot stack, call kmain().
 *
 * The symbols are linked at KERNBASE + x while we run at x: 32-bit code refers
 * to them as (symbol - KERNBASE). */
#include "memlayout.h"
#include "mmu.h"

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_PAGE_ALIGN (1 << 0)   /* modules on page boundaries */
#define MB_MEMORY_INFO (1 << 1)  /* we want the memory map */
#define MB_AOUT_KLUDGE (1 << 16) /* load addresses are in this header */
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)
#define PHYS(sym) ((sym) - KERNBASE)
#define BOOT_STACK_SIZE 16384

/* The Multiboot header. With the a.out-kludge flag the loader takes the load
 * addresses from here instead of from the ELF headers: QEMU refuses ELF64
 * files otherwise, and we want ELF64 for the symbols and our note. */
        .section .multiboot, "a"
        .balign 4
mb_header:
        .long MB_HEADER_MAGIC
        .long MB_FLAGS
        .long -(MB_HEADER_MAGIC + MB_FLAGS)
        .long PHYS(mb_header)           /* header_addr */
        .long PHYS(_kernel_start)       /* load_addr: file bytes from .text on */
        .long PHYS(_edata)              /* load_end_addr */
        .long PHYS(_end)                /* bss_end_addr: the loader zeroes up to here */
        .long PHYS(_start)              /* entry_addr */

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        cli
        movl %eax, %ebp                 /* Multiboot magic; EBX holds the info address */

        /* Zero .bss ourselves rather than trust every loader (the boot
         * stack is in .bss too: nothing may be pushed before this). */
        movl $PHYS(_edata), %edi
        movl $PHYS(_end), %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        rep stosl
        movl $PHYS(boot_stack_top), %esp

        /* boot_pd maps 0..1 GiB with 512 2-MiB pages. */
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $21, %eax
        orl $(PTE_P | PTE_W | PTE_PS), %eax
        movl %eax, PHYS(boot_pd)(, %ecx, 8)
        incl %ecx
        cmpl $PT_ENTRIES, %ecx
        jne 1b

        /* PML4[0] and PML4[256] -> boot_pdpt_low[0] -> boot_pd  (0 and DIRECT_MAP)
         * PML4[511] -> boot_pdpt_high[510] -> boot_pd          (KERNBASE) */
        movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4)
        movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4) + 256 * 8
        movl $(PHYS(boot_pdpt_high) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8
        movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_low)
        movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_high) + 510 * 8

        movl %cr4, %eax                 /* physical-address extension: 64-bit entries */
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $PHYS(boot_pml4), %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx            /* long mode enable */
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax                 /* paging on (+ write protect): long mode is active */
        orl $(CR0_PG | CR0_WP), %eax
        movl %eax, %cr0

        lgdt PHYS(boot_gdt_desc)
        ljmp $KERNEL_CS, $PHYS(start64)

        .code64
start64:                                /* 64-bit mode, still at the low address */
        movabsq $higher_half, %rax
        jmp *%rax
higher_half:
        movw $KERNEL_DS, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movabsq $boot_stack_top, %rsp
        movl %ebp, %edi                 /* kmain(magic, info): zero-extended */
        movl %ebx, %esi
        xorl %ebp, %ebp                 /* the end of every backtrace */
        call kmain                      /* never returns */
2:      hlt
        jmp 2b

/* The boot GDT: enough for the far jump (gdt.c installs the final one). It is
 * read through its physical address, so it must be replaced before the
 * identity mapping goes away. */
        .section .rodata
        .balign 16
boot_gdt:
        .quad 0
        .quad 0x00209A0000000000        /* KERNEL_CS: present, DPL 0, code, L=1 */
        .quad 0x0000920000000000        /* KERNEL_DS: present, DPL 0, data, writable */
boot_gdt_end:
boot_gdt_desc:
        .word boot_gdt_end - boot_gdt - 1
        .long PHYS(boot_gdt)

        .section .bss
        .balign 4096
        .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
        .globl boot_stack, boot_stack_top
boot_stack:     .skip BOOT_STACK_SIZE   /* becomes the idle task's kernel stack */
boot_stack_top:
