/* The probes of debug.c: single-stepping, debug-register breakpoints, and
 * the RFLAGS rules of POPF and IRET by CPL and IOPL. */
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define TF 0x100

        .text
        .code64
.macro PROBE name
        .globl \name
        .balign 16
\name:
.endm
.macro TF_ON
        pushfq
        orq $TF, (%rsp)
        popfq
.endm
.macro TF_OFF
        pushfq
        andq $~TF, (%rsp)
        popfq
.endm

/* ---- single-step ---- */
PROBE k_step                    /* a #DB after each instruction once TF is on */
        TF_ON
        nop
        movl $1, %eax
        addl $2, %eax
        jmp 1f
        ud2
1:      TF_OFF
        nop
        ret
PROBE k_step_movss              /* MOV SS defers the step past the next instruction */
        TF_ON
        nop
        movw %ss, %ax
        movw %ax, %ss
        nop
        nop
        TF_OFF
        ret
PROBE k_step_call               /* CALL and RET are stepped like the rest */
        TF_ON
        call 1f
        TF_OFF
        ret
1:      nop
        ret

/* ---- debug registers ---- */
        .globl bp_exec, watch_w, watch_rw
PROBE k_exec_bp                 /* DR0 at bp_exec: a fault before it runs */
        nop
bp_exec:
        movl $7, %eax
        nop
        ret
PROBE k_write_bp                /* DR1 watches writes to watch_w (4 bytes) */
        movl watch_w(%rip), %eax        /* a read: no #DB */
        movl $5, watch_w(%rip)          /* a trap after the write */
        movb $6, watch_w+3(%rip)        /* inside the range */
        movb $7, watch_w+4(%rip)        /* past it */
        ret
PROBE k_rw_bp                   /* DR2 watches reads and writes of watch_rw (8 bytes) */
        movq watch_rw(%rip), %rax
        movl watch_rw-2(%rip), %eax     /* overlaps the first two bytes */
        movq watch_rw+8(%rip), %rax     /* past it */
        ret
PROBE k_io_bp                   /* DR3: I/O breakpoint on port 0x80 (CR4.DE) */
        movb $0, %al
        outb %al, $0x80
        outb %al, $0x84
        ret

/* ---- RFLAGS ---- */
/* POPF trying to set IOPL 3, IF, NT, AC and ID; records RFLAGS before and after. */
PROBE u_popf
        pushfq
        popq %rax
        movq %rax, fl_before(%rip)
        orq $0x247200, %rax
        pushq %rax
        popfq
        pushfq
        popq %rax
        movq %rax, fl_after(%rip)
        hlt
/* POPF trying to clear IOPL and IF. */
PROBE u_popf_clear
        pushfq
        popq %rax
        movq %rax, fl_before(%rip)
        andq $~0x3200, %rax
        pushq %rax
        popfq
        pushfq
        popq %rax
        movq %rax, fl_after(%rip)
        hlt
/* IRETQ to the same privilege, asking for IOPL 3, IF, NT, AC and ID. */
PROBE u_iret_same
        pushfq
        popq %rax
        movq %rax, fl_before(%rip)
        orq $0x247200, %rax
        movq %rsp, %rcx
        pushq $SEL_UDATA
        pushq %rcx
        pushq %rax
        pushq $SEL_UCODE
        leaq 1f(%rip), %rax
        pushq %rax
        iretq
1:      pushfq
        popq %rax
        movq %rax, fl_after(%rip)
        hlt
/* Ring 0: POPF sets IOPL and clears it again. */
PROBE k_popf
        pushfq
        popq %rax
        movq %rax, fl_before(%rip)
        orq $0x243000, %rax
        pushq %rax
        popfq
        pushfq
        popq %rax
        movq %rax, fl_after(%rip)
        andq $~0x243000, %rax
        pushq %rax
        popfq
        ret

        .data
        .balign 8
        .globl watch_w, watch_rw, fl_before, fl_after
watch_w:        .quad 0
        .quad 0
watch_rw:       .quad 0x1122334455667788
        .quad 0
fl_before:      .quad 0
fl_after:       .quad 0
        .section .note.GNU-stack,"",@progbits
