/* Task entry points and the switches for tasks.c. */
#define SEL_TASK_A 0x30
#define SEL_TASK_B 0x38
#define L_TSS 0x28
        .code32
        .text
        .globl call_task_a, after_call, task_a_entry
call_task_a:
        lcall $SEL_TASK_A, $0
after_call:
        ret
task_a_entry:
        call task_a_body
        iretl                   /* NT = 1: back to the caller's task */
        jmp task_a_entry        /* a later CALL would resume here */

        .globl jmp_task_b, task_b_entry
jmp_task_b:
        ljmp $SEL_TASK_B, $0
        ret
task_b_entry:
        call task_b_body
        ljmp $L_TSS, $0         /* JMP back: the main task is free again */
        jmp task_b_entry

        .globl cause_double_fault, fault_here, task_df_entry
cause_double_fault:
        movw $0xfff8, %ax
fault_here:
        movw %ax, %ds           /* #GP, whose gate is missing: #NP, then #DF */
        ret
task_df_entry:
        /* the error code of #DF was pushed on this task's stack */
        call task_df_body       /* its argument is that error code */
1:      hlt
        jmp 1b
        .section .note.GNU-stack,"",@progbits
