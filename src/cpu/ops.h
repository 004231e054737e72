/* Translate functions of the instruction families, referenced by optable.c.
 * Each fills struct insn for one mnemonic family (see decode.h). */
#ifndef EMU_CPU_OPS_H
#define EMU_CPU_OPS_H

#include "decode.h"

/* insn.op values for the ALU family, in opcode order (ADD=0 ... CMP=7). */
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST };
enum unary_op { UN_INC, UN_DEC, UN_NEG, UN_NOT };
enum shift_op { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };
enum string_op { STR_MOVS, STR_STOS, STR_LODS, STR_CMPS, STR_SCAS, STR_INS, STR_OUTS };
enum muldiv_op { MD_MUL, MD_IMUL, MD_DIV, MD_IDIV };
enum bt_op { BT_BT, BT_BTS, BT_BTR, BT_BTC };
enum bitcount_op { BIT_BSF, BIT_BSR, BIT_LZCNT, BIT_TZCNT, BIT_POPCNT };
enum bmi_op { BMI_ANDN, BMI_BEXTR, BMI_BLSI, BMI_BLSMSK, BMI_BLSR };
enum bcd_op { BCD_AAA, BCD_AAS, BCD_DAA, BCD_DAS, BCD_AAM, BCD_AAD };

/* alu.c */
bool xl_alu(const struct xlate *x, struct insn *in);
bool xl_unary(const struct xlate *x, struct insn *in);
/* shift.c */
bool xl_shift(const struct xlate *x, struct insn *in);
bool xl_shxd(const struct xlate *x, struct insn *in);
/* mov.c */
bool xl_mov(const struct xlate *x, struct insn *in);
bool xl_movx(const struct xlate *x, struct insn *in);
bool xl_lea(const struct xlate *x, struct insn *in);
bool xl_xchg(const struct xlate *x, struct insn *in);
bool xl_cmov(const struct xlate *x, struct insn *in);
bool xl_setcc(const struct xlate *x, struct insn *in);
bool xl_convert(const struct xlate *x, struct insn *in);
bool xl_nop(const struct xlate *x, struct insn *in);
bool xl_flagop(const struct xlate *x, struct insn *in);
bool xl_bswap(const struct xlate *x, struct insn *in);
bool xl_xlat(const struct xlate *x, struct insn *in);
/* muldiv.c */
bool xl_muldiv(const struct xlate *x, struct insn *in);
/* bit.c */
bool xl_bt(const struct xlate *x, struct insn *in);
bool xl_bitcount(const struct xlate *x, struct insn *in);
/* atomic.c */
bool xl_xadd(const struct xlate *x, struct insn *in);
bool xl_cmpxchg(const struct xlate *x, struct insn *in);
bool xl_cmpxchg_double(const struct xlate *x, struct insn *in);
/* bmi.c */
bool xl_bmi(const struct xlate *x, struct insn *in);
/* legacy.c */
bool xl_bcd(const struct xlate *x, struct insn *in);
bool xl_bound(const struct xlate *x, struct insn *in);
/* control.c */
bool xl_jmp(const struct xlate *x, struct insn *in);
bool xl_jcc(const struct xlate *x, struct insn *in);
bool xl_call(const struct xlate *x, struct insn *in);
bool xl_ret(const struct xlate *x, struct insn *in);
bool xl_loop(const struct xlate *x, struct insn *in);
bool xl_jrcxz(const struct xlate *x, struct insn *in);
/* stack.c */
bool xl_push(const struct xlate *x, struct insn *in);
bool xl_pop(const struct xlate *x, struct insn *in);
bool xl_pushf(const struct xlate *x, struct insn *in);
bool xl_popf(const struct xlate *x, struct insn *in);
bool xl_pusha(const struct xlate *x, struct insn *in);
bool xl_popa(const struct xlate *x, struct insn *in);
bool xl_enter(const struct xlate *x, struct insn *in);
bool xl_leave(const struct xlate *x, struct insn *in);
/* string.c */
bool xl_string(const struct xlate *x, struct insn *in);
/* io.c */
bool xl_in(const struct xlate *x, struct insn *in);
bool xl_out(const struct xlate *x, struct insn *in);
/* system.c */
bool xl_system(const struct xlate *x, struct insn *in);
bool xl_mov_cr(const struct xlate *x, struct insn *in);
bool xl_mov_dr(const struct xlate *x, struct insn *in);
bool xl_dtable(const struct xlate *x, struct insn *in);
bool xl_int(const struct xlate *x, struct insn *in);
/* seg.c */
bool xl_mov_sreg(const struct xlate *x, struct insn *in);
bool xl_far(const struct xlate *x, struct insn *in);
bool xl_iret(const struct xlate *x, struct insn *in);
bool xl_lxs(const struct xlate *x, struct insn *in);
bool xl_segsys(const struct xlate *x, struct insn *in);
/* syscall.c */
bool xl_syscall(const struct xlate *x, struct insn *in);
/* paging.c */
bool xl_paging(const struct xlate *x, struct insn *in);
/* MOV to CR3 after its operand checks: #GP if PAE paging would load a bad
 * PDPTE, then the TLB invalidation (none when `noflush`). */
void paging_mov_cr3(struct cpu *cpu, uint64_t cr3, bool noflush);
/* #GP(0) if the registers would give PAE paging with a reserved bit set in a
 * present PDPTE at cr3 (MOV to CR0/CR3/CR4 loads the PDPTE registers). */
void paging_check_pdptes(struct cpu *cpu, uint64_t cr0, uint64_t cr3, uint64_t cr4);

#endif
