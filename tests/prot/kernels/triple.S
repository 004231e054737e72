/* triple.S: a kernel that triple-faults the way hobby kernels often do, for
 * the golden test of the forensics report (tests/prot/golden/triple.txt).
 * It enters long mode with page 0 left unmapped, loads an IDT whose #PF
 * and #DF gates are not present, and writes through a null pointer:
 *   #PF (write to not-present page 0x0) -> #NP while delivering it -> #DF
 *   -> #NP while delivering #DF -> shutdown.
 * Standalone (no klib) so that every address in the report is fixed here. */
#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00000003
#define CR4_PAE      (1 << 5)
#define MSR_EFER     0xC0000080
#define EFER_LME     (1 << 8)
#define CR0_PG       (1 << 31)
#define PTE_P_W      0x3
#define GATE_INT_P   0x8E00
#define GATE_INT_NP  0x0E00
#define KERNEL_CS    0x08
#define KERNEL_DS    0x10

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .text
        .code32
        .globl _start
_start:
        movl $stack_top, %esp
        /* PML4[0] -> PDPT[0] -> PD[0] -> PT: 4 KiB pages 1..511 of the first
         * 2 MiB; page 0 stays unmapped so that a null pointer faults. */
        movl $pdpt + PTE_P_W, pml4
        movl $pd + PTE_P_W, pdpt
        movl $pt + PTE_P_W, pd
        movl $1, %ecx
1:      movl %ecx, %eax
        shll $12, %eax
        orl $PTE_P_W, %eax
        movl %eax, pt(, %ecx, 8)
        incl %ecx
        cmpl $512, %ecx
        jne 1b
        movl $pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        lgdt gdt_desc
        ljmp $KERNEL_CS, $long_mode

        .code64
        .globl long_mode, kmain, handler /* named in the report */
long_mode:
        movw $KERNEL_DS, %ax
        movw %ax, %ds
        movw %ax, %ss
        /* Every vector's gate points at `handler`; #DF (8) and #PF (14) are
         * marked not present, the mistake this kernel demonstrates. */
        leaq handler(%rip), %rdx
        xorl %ecx, %ecx
2:      movq %rcx, %rbx
        shlq $4, %rbx
        movw %dx, idt(%rbx)
        movw $KERNEL_CS, idt+2(%rbx)
        movw $GATE_INT_P, idt+4(%rbx)
        movl %edx, %esi
        shrl $16, %esi
        movw %si, idt+6(%rbx)
        incl %ecx
        cmpl $32, %ecx
        jne 2b
        movw $GATE_INT_NP, idt + 8 * 16 + 4
        movw $GATE_INT_NP, idt + 14 * 16 + 4
        lidt idt_desc
kmain:
        /* The bug: a write through a null pointer. */
        xorl %eax, %eax
        movq $0x2a, %rbx
        movq %rbx, (%rax)
        hlt

handler:
        hlt
        jmp handler

        .section .data
        .balign 8
gdt:    .quad 0
        .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
        .quad 0x00cf92000000ffff        /* 0x10: data */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt
        .balign 8
idt_desc:
        .word 32 * 16 - 1
        .quad idt

        .section .bss
        .balign 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4096
pt:     .skip 4096
idt:    .skip 32 * 16
        .balign 16
        .skip 4096
stack_top:
        .section .note.GNU-stack,"",@progbits
