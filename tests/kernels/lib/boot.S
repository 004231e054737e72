/* boot.S: Multiboot entry for the test kernels. Enters long mode with the
 * first 4 GiB identity-mapped by 2 MiB pages (writable, supervisor), loads
 * lib's GDT, and calls kmain(mbi, magic); kmain's return value is the exit
 * code (written to isa-debug-exit). */
#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00000003
#define CR4_PAE      (1 << 5)
#define MSR_EFER     0xC0000080
#define EFER_LME     (1 << 8)
#define EFER_NXE     (1 << 11)
#define CR0_WP       (1 << 16)
#define CR0_PG       (1 << 31)
#define PTE_P_W      0x3
#define PTE_PS       0x80
#define KERNEL_CS    0x08
#define KERNEL_DS    0x10

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        movl $boot_stack_top, %esp
        movl %eax, boot_magic
        movl %ebx, boot_info
        /* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
        movl $boot_pdpt + PTE_P_W, boot_pml4
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $12, %eax
        addl $boot_pd + PTE_P_W, %eax
        movl %eax, boot_pdpt(, %ecx, 8)
        incl %ecx
        cmpl $4, %ecx
        jne 1b
        /* 2048 PDEs of 2 MiB: 0 .. 4 GiB. */
        xorl %ecx, %ecx
2:      movl %ecx, %eax
        shll $21, %eax
        orl $(PTE_P_W | PTE_PS), %eax
        movl %eax, boot_pd(, %ecx, 8)
        movl %ecx, %eax
        shrl $11, %eax
        movl %eax, boot_pd + 4(, %ecx, 8)
        incl %ecx
        cmpl $2048, %ecx
        jne 2b

        movl $boot_pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $MSR_EFER, %ecx
        rdmsr
        orl $(EFER_LME | EFER_NXE), %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP), %eax
        movl %eax, %cr0
        lgdt gdt_desc
        ljmp $KERNEL_CS, $long_entry

        .code64
long_entry:
        movw $KERNEL_DS, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movq $boot_stack_top, %rsp
        xorl %ebp, %ebp
        movl boot_info, %edi
        movl boot_magic, %esi
        call kmain
        movl %eax, %edi
        call exit
3:      hlt
        jmp 3b

        .section .data
        .balign 4
        .globl boot_magic, boot_info
boot_magic:     .long 0
boot_info:      .long 0

        .section .bss
        .balign 4096
        .globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096
        .balign 16
boot_stack:     .skip 65536
        .globl boot_stack_top
boot_stack_top:
        .section .note.GNU-stack,"",@progbits
