/* The probes of far.c: far CALL, JMP and RET in IA-32e mode through
 * code-segment descriptors and 64-bit call gates. Targets record what they
 * see (CS, SS, RSP and the frame the CPU pushed) in `rec`; far.c prints it. */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_KCODE32 0x18
#define SEL_UDATA   0x2b
#define SEL_UCODE   0x33
#define SEL_GATE3   0x50        /* GDT 10-11: 64-bit call gate, DPL 3 */
#define SEL_GATE0   0x60        /* GDT 12-13: 64-bit call gate, DPL 0 (varied) */
#define SEL_CONF    0x70        /* GDT 14: conforming 64-bit code, DPL 0 */

        .text
        .code64
.macro PROBE name
        .globl \name
        .balign 16
\name:
.endm

/* Records the stack pointer, CS, SS, DS, ES and the four quadwords on the
 * stack into rec (the caller-side RSP is in rec_before). */
.macro RECORD
        movq %rsp, rec_rsp(%rip)
        movq %rax, rec_rax(%rip)
        movq 0(%rsp), %rax
        movq %rax, rec_f0(%rip)
        movq 8(%rsp), %rax
        movq %rax, rec_f1(%rip)
        movq 16(%rsp), %rax
        movq %rax, rec_f2(%rip)
        movq 24(%rsp), %rax
        movq %rax, rec_f3(%rip)
        xorl %eax, %eax
        movw %cs, %ax
        movq %rax, rec_cs(%rip)
        movw %ss, %ax
        movq %rax, rec_ss(%rip)
        movq rec_rax(%rip), %rax
        incq rec_hits(%rip)
.endm

/* Reached through the gates and by direct far calls to SEL_KCODE. */
        .globl gate_target, conf_target, jmp_target
        .balign 16
gate_target:
        RECORD
        movw $SEL_KDATA, %ax    /* DPL 0: nulled on a return to ring 3 */
        movw %ax, %ds
        movw $SEL_UDATA, %ax    /* DPL 3: kept */
        movw %ax, %es
        lretq
/* The same with a 32-bit far return (after a far call with operand size 32). */
        .globl target_ret32
        .balign 16
target_ret32:
        RECORD
        lretl
/* Conforming code keeps the caller's CPL. */
        .balign 16
conf_target:
        RECORD
        lretq
/* Entered by far JMP: nothing was pushed, so `ret` returns from the probe. */
        .balign 16
jmp_target:
        RECORD
        ret

/* Compatibility-mode code reached by a far call from 64-bit mode. */
        .globl compat_target
        .balign 16
        .code32
compat_target:
        movl %esp, rec_rsp
        movl 0(%esp), %eax
        movl %eax, rec_f0
        movl 4(%esp), %eax
        movl %eax, rec_f0 + 4
        xorl %eax, %eax
        movw %cs, %ax
        movl %eax, rec_cs
        incl rec_hits
        lret
        .code64

/* ---- ring 0 ---- */
#define BEFORE movq %rsp, rec_before(%rip)

PROBE k_lcall64                 /* m16:64 to a 64-bit code segment */
        BEFORE
        rex64 lcall *fp64_kcode(%rip)
        ret
PROBE k_lcall32                 /* m16:32: operand size 32 pushes 4-byte CS and EIP */
        BEFORE
        lcall *fp32_kcode_ret32(%rip)
        ret
PROBE k_gate0                   /* 64-bit call gate, same privilege */
        BEFORE
        lcall *fp32_gate0(%rip)
        ret
PROBE k_gate0_rex               /* the same with REX.W: the gate decides the size */
        BEFORE
        rex64 lcall *fp64_gate0(%rip)
        ret
PROBE k_gate0_rpl3              /* RPL 3 > gate DPL 0 */
        BEFORE
        lcall *fp32_gate0_rpl3(%rip)
        ret
PROBE k_ljmp_gate0              /* far JMP through a call gate */
        BEFORE
        ljmp *fp32_gate0(%rip)
PROBE k_ljmp64                  /* far JMP m16:64 */
        BEFORE
        rex64 ljmp *fp64_jmp(%rip)
PROBE k_compat                  /* to compatibility mode and back */
        BEFORE
        lcall *fp32_compat(%rip)
        ret
PROBE k_lret_imm                /* same privilege, RET imm16 */
        BEFORE
        pushq $0x1111
        pushq $0x2222
        pushq $SEL_KCODE
        leaq 1f(%rip), %rax
        pushq %rax
        lretq $16
1:      movq %rsp, rec_rsp(%rip)
        ret
PROBE k_lret_null_cs
        pushq $0
        leaq 1f(%rip), %rax
        pushq %rax
        lretq
1:      ud2
PROBE k_lret_data_cs
        pushq $SEL_KDATA
        leaq 1f(%rip), %rax
        pushq %rax
        lretq
1:      ud2
PROBE k_lret_rpl0_ucode         /* user code with RPL 0: DPL 3 != RPL */
        pushq $(SEL_UCODE & ~3)
        leaq 1f(%rip), %rax
        pushq %rax
        lretq
1:      ud2
/* To ring 3 with RET imm16 (skips 16 bytes on both stacks); DS is nulled
 * (DPL 0), ES (DPL 3) kept. */
PROBE k_lret_outer
        movw $SEL_KDATA, %ax
        movw %ax, %ds
        movw $SEL_UDATA, %ax
        movw %ax, %es
        movq probe_user_stack_top(%rip), %rax
        subq $64, %rax
        pushq $SEL_UDATA
        pushq %rax
        pushq $0x3333
        pushq $0x4444
        pushq $SEL_UCODE
        leaq u_after_lret(%rip), %rax
        pushq %rax
        lretq $16
PROBE k_lret_outer_bad_ss       /* SS DPL 0 for a ring-3 return */
        movq probe_user_stack_top(%rip), %rax
        pushq $SEL_KDATA
        pushq %rax
        pushq $SEL_UCODE
        leaq u_after_lret(%rip), %rax
        pushq %rax
        lretq

/* ---- ring 3: each ends with hlt, whose #GP(0) shows where it got to ---- */
PROBE u_after_lret
        movq %rsp, rec_rsp(%rip)
        xorl %eax, %eax
        movw %ds, %ax
        movq %rax, rec_f2(%rip)
        movw %es, %ax
        movq %rax, rec_f3(%rip)
        hlt
PROBE u_gate3                   /* to ring 0 through a DPL 3 gate and back */
        movq %rsp, rec_before(%rip)
        lcall *fp32_gate3(%rip)
        movq %rsp, rec_after(%rip)
        xorl %eax, %eax
        movw %ds, %ax
        movq %rax, rec_ds(%rip)
        movw %es, %ax
        movq %rax, rec_es(%rip)
        hlt
PROBE u_gate0                   /* gate DPL 0 < CPL 3 */
        lcall *fp32_gate0(%rip)
        hlt
PROBE u_kcode                   /* non-conforming DPL 0 code directly */
        rex64 lcall *fp64_kcode(%rip)
        hlt
PROBE u_conforming              /* conforming DPL 0 code: CPL stays 3 */
        movq %rsp, rec_before(%rip)
        rex64 lcall *fp64_conf(%rip)
        movq %rsp, rec_after(%rip)
        hlt
PROBE u_jmp_gate3               /* JMP through a gate to more privileged code */
        ljmp *fp32_gate3(%rip)
        hlt
PROBE u_jmp_conforming          /* JMP to conforming code: allowed */
        rex64 ljmp *fp64_conf_jmp(%rip)
        hlt

        .data
        .balign 8
        .globl rec_before, rec_after, rec_rsp, rec_cs, rec_ss, rec_ds, rec_es
        .globl rec_f0, rec_f1, rec_f2, rec_f3, rec_hits
rec_before:     .quad 0
rec_after:      .quad 0
rec_rsp:        .quad 0
rec_rax:        .quad 0
rec_cs:         .quad 0
rec_ss:         .quad 0
rec_ds:         .quad 0
rec_es:         .quad 0
rec_f0:         .quad 0
rec_f1:         .quad 0
rec_f2:         .quad 0
rec_f3:         .quad 0
rec_hits:       .quad 0

/* Far pointers: m16:64 (offset, selector) and m16:32. A gate's offset is
 * ignored. */
fp64_kcode:     .quad gate_target
                .word SEL_KCODE
fp64_gate0:     .quad 0
                .word SEL_GATE0
fp64_conf:      .quad conf_target
                .word SEL_CONF | 3
fp64_conf_jmp:  .quad u_after_lret
                .word SEL_CONF
fp64_jmp:       .quad jmp_target
                .word SEL_KCODE
fp32_kcode_ret32: .long target_ret32
                .word SEL_KCODE
fp32_gate0:     .long 0
                .word SEL_GATE0
fp32_gate0_rpl3: .long 0
                .word SEL_GATE0 | 3
fp32_gate3:     .long 0
                .word SEL_GATE3 | 3
fp32_compat:    .long compat_target
                .word SEL_KCODE32
        .section .note.GNU-stack,"",@progbits
