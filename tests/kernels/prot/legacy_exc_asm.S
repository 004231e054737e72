/* Probes for legacy_exc.c (32-bit protected mode). Ring-3 probes end in a
 * hlt, whose #GP(0) brings the CPU back: its EIP shows how far they got. */
#define SEL_EXECONLY  0x48
#define SEL_NOTPRES   0x50
#define SEL_CALLGATE  0x60
#define SEL_CONFORM   0x68
#define SEL_BASED     0x70
#define UNMAPPED      0x1000000
#define SUPERVISOR    0x1400000

        .code32
        .text
.macro PROBE name
        .globl \name
        .balign 16
\name:
.endm

PROBE k_de
        xorl %ecx, %ecx
        movl $1, %eax
        xorl %edx, %edx
        divl %ecx
        ret
PROBE k_ud
        ud2
PROBE k_bp
        int3
        ud2
PROBE k_execonly_ds
        movw $SEL_EXECONLY, %ax
        movw %ax, %ds
        ret
PROBE k_np
        movw $SEL_NOTPRES, %ax
        movw %ax, %ds
        ret
PROBE k_ss_np
        movw $SEL_NOTPRES, %ax
        movw %ax, %ss
        ret
PROBE k_ss_rpl3
        movw $0x23, %ax
        movw %ax, %ss
        ret
PROBE k_gp_beyond
        movw $0xfff8, %ax
        movw %ax, %ds
        ret
PROBE k_based
        movw $SEL_BASED, %ax
        movw %ax, %fs
        movl %fs:4, %eax
        movl %eax, based_seen
        ud2
PROBE k_pf_read
        movl UNMAPPED + 0x123, %eax
        ret
PROBE k_pf_write
        movl %eax, UNMAPPED + 0x456
        ret
PROBE k_gp13_missing
        movw $0xfff8, %ax
        movw %ax, %ds
        ret

/* ring 3 */
PROBE u_hlt
        hlt
PROBE u_cli
        cli
        hlt
PROBE u_out80
        outb %al, $0x80
        hlt
PROBE u_out81
        outb %al, $0x81
        hlt
PROBE u_outw7f
        outw %ax, $0x7f
        hlt
PROBE u_int80
        movl $0x1234, %eax
        int $0x80
        hlt
PROBE u_int3
        int3
        hlt
PROBE u_pf_supervisor
        movl SUPERVISOR, %eax
        hlt
PROBE u_callgate
        pushl $0x22222222
        pushl $0x11111111
        lcall $(SEL_CALLGATE | 3), $0
        movl %esp, after_gate_esp
        hlt
PROBE u_conforming
        lcall $SEL_CONFORM, $conform_target
        hlt

/* SYSENTER from ring 3 (ECX = ESP, EDX = EIP to come back to, as Linux's
 * vDSO does); the kernel side returns with SYSEXIT. */
PROBE u_sysenter
        movl %esp, %ecx
        movl $1f, %edx
        movl $0x5e, %eax
        sysenter
1:      movl %esp, se_after_esp
        movl %eax, se_after_eax
        hlt
PROBE u_sysexit
        sysexit
        hlt
PROBE k_sysexit
        sysexit
        ret

        .globl sysenter_entry
sysenter_entry:
        movl %esp, se_esp
        movw %cs, se_cs
        movw %ss, se_ss
        movw %ds, se_ds
        pushfl
        popl se_eflags
        movl %eax, se_eax
        movl $0x600d, %eax
        sysexit

/* the call gate's target: ring 0 on the TSS stack */
        .globl gate_target
gate_target:
        pushl %esp
        call print_gate_frame
        addl $4, %esp
        lret $8

/* conforming code: runs at the caller's CPL */
conform_target:
        movw %cs, %ax
        movw %ax, conform_cs
        lret

        .data
        .balign 4
        .globl based_seen, after_gate_esp, conform_cs
based_seen:     .long 0
after_gate_esp: .long 0
conform_cs:     .word 0
        .balign 4
        .globl se_esp, se_cs, se_ss, se_ds, se_eflags, se_eax, se_after_esp, se_after_eax
se_esp:         .long 0
se_eflags:      .long 0
se_eax:         .long 0
se_after_esp:   .long 0
se_after_eax:   .long 0
se_cs:          .word 0
se_ss:          .word 0
se_ds:          .word 0
        .section .note.GNU-stack,"",@progbits
