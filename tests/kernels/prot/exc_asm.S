/* The probes of exc.c: each faults at (or right after) its first
 * instruction where it can. Ring-3 probes end with a hlt that must not be
 * reached (it would raise #GP(0) at its own address). */
#define SEL_BEYOND   0xfff8     /* beyond the 16-entry GDT */
#define SEL_NP_DATA  0x50       /* GDT entry 10: data, not present */
#define SEL_NP_STACK 0x58       /* GDT entry 11: DPL 0 data, not present */
#define SEL_UDATA    0x2b
#define UNMAPPED     0x100000000 /* boot.S maps 4 GiB */
#define SUPERVISOR   0x2000000   /* user.c makes only the first 16 MiB user */

        .text
        .code64
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
        ret
PROBE k_bp
        int3
        ud2
PROBE k_gp_noncanonical
        movabsq $0x0000800000000000, %rax
        movq (%rax), %rax
        ret
PROBE k_gp_selector
        movw $SEL_BEYOND, %ax
        movw %ax, %ds
        ret
PROBE k_gp_ss_dpl
        movw $SEL_UDATA, %ax
        movw %ax, %ss
        ret
PROBE k_np
        movw $SEL_NP_DATA, %ax
        movw %ax, %ds
        ret
PROBE k_ss
        movw $SEL_NP_STACK, %ax
        movw %ax, %ss
        ret
PROBE k_pf_read
        movabsq $UNMAPPED + 0x1234, %rax
        movq (%rax), %rax
        ret
PROBE k_pf_write
        movabsq $UNMAPPED + 0x5678, %rax
        movq %rax, (%rax)
        ret
PROBE k_pf_fetch
        movabsq $UNMAPPED + 0x9abc, %rax
        jmp *%rax
PROBE k_bp_ist2
        int3
        ud2
/* A kernel stack overflow: the #PF cannot be delivered on an unmapped
 * stack, so the CPU raises #DF (delivered on IST1). */
PROBE k_df_stack
        movabsq $UNMAPPED + 0x10000, %rsp
        movq (%rsp), %rax
        ret

/* ring 3 */
PROBE u_hlt
        hlt
PROBE u_cli
        cli
        hlt
PROBE u_sti
        sti
        hlt
PROBE u_mov_cr3
        movq %cr3, %rax
        hlt
PROBE u_wrmsr
        xorl %ecx, %ecx
        wrmsr
        hlt
PROBE u_rdmsr
        movl $0xc0000080, %ecx
        rdmsr
        hlt
PROBE u_lgdt
        lgdt (%rsp)
        hlt
PROBE u_lidt
        lidt (%rsp)
        hlt
PROBE u_ltr
        movw $0x38, %ax
        ltr %ax
        hlt
PROBE u_invlpg
        invlpg (%rsp)
        hlt
PROBE u_mov_dr7
        movq %dr7, %rax
        hlt
PROBE u_in
        inb $0x80, %al
        hlt
PROBE u_out
        outb %al, $0x80
        hlt
PROBE u_clts
        clts
        hlt
PROBE u_swapgs
        swapgs
        hlt
PROBE u_sysret
        sysretq
        hlt
PROBE u_wbinvd
        wbinvd
        hlt
PROBE u_pf_read_supervisor
        movl $SUPERVISOR, %eax
        movq (%rax), %rax
        hlt
PROBE u_pf_write_supervisor
        movl $SUPERVISOR, %eax
        movq %rax, (%rax)
        hlt
PROBE u_bp
        int3
        hlt
        .section .note.GNU-stack,"",@progbits
