/* hello.S: the smallest complete Multiboot kernel. It enters long mode the
 * way every 64-bit kernel does (PAE page tables, EFER.LME, CR0.PG, a far jump
 * to a 64-bit code segment), prints a line on COM1 and powers the machine off
 * through the ACPI PM1a control port (exit status 0 on emu and QEMU q35).
 *
 *   emu run build/examples/hello-kernel/hello.elf
 *   qemu-system-x86_64 -M q35 -kernel hello.elf -serial stdio -display none
 */
#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00000003          /* page-align modules, memory info */
#define COM1         0x3F8
#define COM1_LSR     (COM1 + 5)
#define LSR_THRE     0x20
#define ACPI_PM1A    0x604
#define ACPI_S5      0x2000
#define CR4_PAE      (1 << 5)
#define EFER_MSR     0xC0000080
#define EFER_LME     (1 << 8)
#define CR0_PG       (1 << 31)
#define PTE_P_W      0x3
#define PTE_PS       0x80

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .text
        .code32
        .globl _start
_start:
        movl $stack_top, %esp
        /* PML4[0] -> PDPT, PDPT[0] -> PD, PD maps 0..1 GiB with 2 MiB pages. */
        movl $pdpt, %eax
        orl $PTE_P_W, %eax
        movl %eax, pml4
        movl $pd, %eax
        orl $PTE_P_W, %eax
        movl %eax, pdpt
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $21, %eax
        orl $(PTE_P_W | PTE_PS), %eax
        movl %eax, pd(, %ecx, 8)
        incl %ecx
        cmpl $512, %ecx
        jne 1b

        movl $pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $EFER_MSR, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        lgdt gdt_desc
        ljmp $0x08, $long_mode

        .code64
long_mode:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        leaq message(%rip), %rsi
2:      lodsb
        testb %al, %al
        jz 4f
        movb %al, %bl
        movw $COM1_LSR, %dx
3:      inb %dx, %al
        testb $LSR_THRE, %al
        jz 3b
        movw $COM1, %dx
        movb %bl, %al
        outb %al, %dx
        jmp 2b
4:      movw $ACPI_PM1A, %dx
        movw $ACPI_S5, %ax
        outw %ax, %dx
        hlt
        jmp 4b

        .section .rodata
message:
        .asciz "Hello from 64-bit long mode on emu!\n"
        .balign 8
gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code */
        .quad 0x00CF92000000FFFF        /* 0x10: data */
gdt_desc:
        .word gdt_desc - gdt - 1
        .long gdt

        .section .bss
        .balign 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4096
        .skip 4096
stack_top:
        .section .note.GNU-stack,"",@progbits
