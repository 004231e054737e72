/* Far transfers for prot32.c (32-bit protected mode). */
#define SEL_CODE32 0x08
#define SEL_CODE16 0x20
#define SEL_CODE32_ALT 0x28

        .text
        .code32
/* uint32_t far_call_test(uint32_t x): lcall to a 32-bit segment, lret $4. */
        .globl far_call_test
far_call_test:
        movl 4(%esp), %eax
        pushl $0x55
        lcall $SEL_CODE32_ALT, $far_callee
        ret
far_callee:
        addl 8(%esp), %eax      /* the pushed 0x55 above CS:EIP */
        imull $3, %eax
        lret $4

/* uint32_t jump_through_alt(uint32_t x): ljmp through memory to another
 * code segment and back. */
        .globl jump_through_alt
jump_through_alt:
        movl 4(%esp), %eax
        ljmp *alt_ptr
alt_target:
        shll $4, %eax
        ljmp $SEL_CODE32, $back_from_alt
back_from_alt:
        movl %cs, %ecx
        addl %ecx, %eax
        ret

/* uint32_t code16_entry(void): far call into a 16-bit code segment. */
        .globl code16_entry
code16_entry:
        pushl %ebx
        lcall $SEL_CODE16, $0
        popl %ebx
        ret

        .code16
        .balign 16
        .globl code16_start
code16_start:
        movw $0x1234, %ax       /* 16-bit operand size by default */
        movw $0x0F0F, %bx
        addw %bx, %ax
        shlw $2, %ax
        movl $0xABCD0000, %ebx  /* 66 prefix: 32-bit operand */
        orl %ebx, %eax
        xchgb %al, %ah
        data32 lret             /* pop a 32-bit EIP and CS */

        .code32
        .section .data
        .balign 4
alt_ptr:
        .long alt_target
        .word SEL_CODE32_ALT
        .section .note.GNU-stack,"",@progbits
