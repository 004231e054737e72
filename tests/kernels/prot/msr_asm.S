/* RDMSR/WRMSR probes for msr.c: the MSR index and value pass through memory. */
        .text
        .code64
        .globl k_rdmsr, k_wrmsr, msr_index, msr_value
        .balign 16
k_rdmsr:
        movl msr_index(%rip), %ecx
        rdmsr
        movl %eax, msr_value(%rip)
        movl %edx, msr_value+4(%rip)
        ret
        .balign 16
k_wrmsr:
        movl msr_index(%rip), %ecx
        movl msr_value(%rip), %eax
        movl msr_value+4(%rip), %edx
        wrmsr
        ret
/* ring 3: RDMSR of msr_index (must raise #GP(0)) */
        .globl u_rdmsr_index
        .balign 16
u_rdmsr_index:
        movl msr_index(%rip), %ecx
        rdmsr
        hlt
        .data
        .balign 8
msr_index:      .long 0
        .balign 8
msr_value:      .quad 0
        .section .note.GNU-stack,"",@progbits
