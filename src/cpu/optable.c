/* Which translate function handles each Zydis mnemonic. A mnemonic missing
 * here raises #UD (docs/cpu.md lists what is implemented). */
#include "ops.h"
#include "simd.h"

#define CC(m, cc) [ZYDIS_MNEMONIC_##m] = {xl_jcc, cc, INSN_END}
#define CMOV(m, cc) [ZYDIS_MNEMONIC_##m] = {xl_cmov, cc, 0}
#define SET(m, cc) [ZYDIS_MNEMONIC_##m] = {xl_setcc, cc, 0}
#define E(m, fn, op, fl) [ZYDIS_MNEMONIC_##m] = {fn, op, fl}

static const struct xlate_entry optable[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    E(ADD, xl_alu, ALU_ADD, 0), E(OR, xl_alu, ALU_OR, 0), E(ADC, xl_alu, ALU_ADC, 0),
    E(SBB, xl_alu, ALU_SBB, 0), E(AND, xl_alu, ALU_AND, 0), E(SUB, xl_alu, ALU_SUB, 0),
    E(XOR, xl_alu, ALU_XOR, 0), E(CMP, xl_alu, ALU_CMP, 0), E(TEST, xl_alu, ALU_TEST, 0),
    E(INC, xl_unary, UN_INC, 0), E(DEC, xl_unary, UN_DEC, 0), E(NEG, xl_unary, UN_NEG, 0),
    E(NOT, xl_unary, UN_NOT, 0),
    E(ROL, xl_shift, SH_ROL, 0), E(ROR, xl_shift, SH_ROR, 0), E(RCL, xl_shift, SH_RCL, 0),
    E(RCR, xl_shift, SH_RCR, 0), E(SHL, xl_shift, SH_SHL, 0), E(SHR, xl_shift, SH_SHR, 0),
    E(SAR, xl_shift, SH_SAR, 0), E(SHLD, xl_shxd, 0, 0), E(SHRD, xl_shxd, 0, 0),

    E(MOV, xl_mov, 0, 0), E(MOVZX, xl_movx, 0, 0), E(MOVSX, xl_movx, 0, 0),
    E(MOVSXD, xl_movx, 0, 0), E(LEA, xl_lea, 0, 0), E(XCHG, xl_xchg, 0, 0),
    E(BSWAP, xl_bswap, 0, 0), E(CBW, xl_convert, 0, 0), E(CWDE, xl_convert, 0, 0),
    E(CDQE, xl_convert, 0, 0), E(CWD, xl_convert, 0, 0), E(CDQ, xl_convert, 0, 0),
    E(CQO, xl_convert, 0, 0), E(NOP, xl_nop, 0, 0), E(PAUSE, xl_nop, 0, 0),
    E(LFENCE, xl_nop, 0, 0), E(SFENCE, xl_nop, 0, 0), E(MFENCE, xl_nop, 0, 0),
    E(CLFLUSH, xl_nop, 0, 0), E(PREFETCHNTA, xl_nop, 0, 0), E(PREFETCHT0, xl_nop, 0, 0),
    E(PREFETCHT1, xl_nop, 0, 0), E(PREFETCHT2, xl_nop, 0, 0), E(ENDBR64, xl_nop, 0, 0), E(ENDBR32, xl_nop, 0, 0),
    E(CLC, xl_flagop, 0, 0), E(STC, xl_flagop, 0, 0), E(CMC, xl_flagop, 0, 0),
    E(CLD, xl_flagop, 0, 0), E(STD, xl_flagop, 0, 0), E(LAHF, xl_flagop, 0, 0),
    E(SAHF, xl_flagop, 0, 0), E(XLAT, xl_xlat, 0, 0),

    E(MUL, xl_muldiv, MD_MUL, 0), E(IMUL, xl_muldiv, MD_IMUL, 0), E(DIV, xl_muldiv, MD_DIV, 0),
    E(IDIV, xl_muldiv, MD_IDIV, 0),
    E(BT, xl_bt, BT_BT, 0), E(BTS, xl_bt, BT_BTS, 0), E(BTR, xl_bt, BT_BTR, 0),
    E(BTC, xl_bt, BT_BTC, 0), E(BSF, xl_bitcount, BIT_BSF, 0), E(BSR, xl_bitcount, BIT_BSR, 0),
    E(LZCNT, xl_bitcount, BIT_LZCNT, 0), E(TZCNT, xl_bitcount, BIT_TZCNT, 0),
    E(POPCNT, xl_bitcount, BIT_POPCNT, 0),
    E(XADD, xl_xadd, 0, 0), E(CMPXCHG, xl_cmpxchg, 0, 0),
    E(CMPXCHG8B, xl_cmpxchg_double, 0, 0), E(CMPXCHG16B, xl_cmpxchg_double, 0, 0),
    E(ANDN, xl_bmi, BMI_ANDN, 0), E(BEXTR, xl_bmi, BMI_BEXTR, 0), E(BLSI, xl_bmi, BMI_BLSI, 0),
    E(BLSMSK, xl_bmi, BMI_BLSMSK, 0), E(BLSR, xl_bmi, BMI_BLSR, 0),
    E(AAA, xl_bcd, BCD_AAA, 0), E(AAS, xl_bcd, BCD_AAS, 0), E(DAA, xl_bcd, BCD_DAA, 0),
    E(DAS, xl_bcd, BCD_DAS, 0), E(AAM, xl_bcd, BCD_AAM, 0), E(AAD, xl_bcd, BCD_AAD, 0),
    E(BOUND, xl_bound, 0, 0),

    CC(JO, 0), CC(JNO, 1), CC(JB, 2), CC(JNB, 3), CC(JZ, 4), CC(JNZ, 5), CC(JBE, 6),
    CC(JNBE, 7), CC(JS, 8), CC(JNS, 9), CC(JP, 10), CC(JNP, 11), CC(JL, 12), CC(JNL, 13),
    CC(JLE, 14), CC(JNLE, 15),
    CMOV(CMOVO, 0), CMOV(CMOVNO, 1), CMOV(CMOVB, 2), CMOV(CMOVNB, 3), CMOV(CMOVZ, 4),
    CMOV(CMOVNZ, 5), CMOV(CMOVBE, 6), CMOV(CMOVNBE, 7), CMOV(CMOVS, 8), CMOV(CMOVNS, 9),
    CMOV(CMOVP, 10), CMOV(CMOVNP, 11), CMOV(CMOVL, 12), CMOV(CMOVNL, 13), CMOV(CMOVLE, 14),
    CMOV(CMOVNLE, 15),
    SET(SETO, 0), SET(SETNO, 1), SET(SETB, 2), SET(SETNB, 3), SET(SETZ, 4), SET(SETNZ, 5),
    SET(SETBE, 6), SET(SETNBE, 7), SET(SETS, 8), SET(SETNS, 9), SET(SETP, 10), SET(SETNP, 11),
    SET(SETL, 12), SET(SETNL, 13), SET(SETLE, 14), SET(SETNLE, 15),

    E(JMP, xl_jmp, 0, INSN_END), E(CALL, xl_call, 0, INSN_END), E(RET, xl_ret, 0, INSN_END),
    E(LOOP, xl_loop, 0, INSN_END), E(LOOPE, xl_loop, 0, INSN_END),
    E(LOOPNE, xl_loop, 0, INSN_END), E(JCXZ, xl_jrcxz, 0, INSN_END),
    E(JECXZ, xl_jrcxz, 0, INSN_END), E(JRCXZ, xl_jrcxz, 0, INSN_END),
    E(IRET, xl_iret, 0, INSN_END), E(IRETD, xl_iret, 0, INSN_END),
    E(IRETQ, xl_iret, 0, INSN_END),

    E(PUSH, xl_push, 0, 0), E(POP, xl_pop, 0, 0), E(PUSHF, xl_pushf, 0, 0),
    E(PUSHFD, xl_pushf, 0, 0), E(PUSHFQ, xl_pushf, 0, 0), E(POPF, xl_popf, 0, 0),
    E(POPFD, xl_popf, 0, 0), E(POPFQ, xl_popf, 0, 0), E(PUSHA, xl_pusha, 0, 0),
    E(PUSHAD, xl_pusha, 0, 0), E(POPA, xl_popa, 0, 0), E(POPAD, xl_popa, 0, 0),
    E(ENTER, xl_enter, 0, 0), E(LEAVE, xl_leave, 0, 0),

    E(MOVSB, xl_string, STR_MOVS, 0), E(MOVSW, xl_string, STR_MOVS, 0),
    E(MOVSD, xl_string, STR_MOVS, 0), E(MOVSQ, xl_string, STR_MOVS, 0),
    E(STOSB, xl_string, STR_STOS, 0), E(STOSW, xl_string, STR_STOS, 0),
    E(STOSD, xl_string, STR_STOS, 0), E(STOSQ, xl_string, STR_STOS, 0),
    E(LODSB, xl_string, STR_LODS, 0), E(LODSW, xl_string, STR_LODS, 0),
    E(LODSD, xl_string, STR_LODS, 0), E(LODSQ, xl_string, STR_LODS, 0),
    E(CMPSB, xl_string, STR_CMPS, 0), E(CMPSW, xl_string, STR_CMPS, 0),
    E(CMPSD, xl_string, STR_CMPS, 0), E(CMPSQ, xl_string, STR_CMPS, 0),
    E(SCASB, xl_string, STR_SCAS, 0), E(SCASW, xl_string, STR_SCAS, 0),
    E(SCASD, xl_string, STR_SCAS, 0), E(SCASQ, xl_string, STR_SCAS, 0),
    E(INSB, xl_string, STR_INS, 0), E(INSW, xl_string, STR_INS, 0),
    E(INSD, xl_string, STR_INS, 0), E(OUTSB, xl_string, STR_OUTS, 0),
    E(OUTSW, xl_string, STR_OUTS, 0), E(OUTSD, xl_string, STR_OUTS, 0),
    E(IN, xl_in, 0, 0), E(OUT, xl_out, 0, 0),

    E(CLI, xl_system, 0, 0), E(STI, xl_system, 0, 0), E(HLT, xl_system, 0, 0),
    E(CPUID, xl_system, 0, 0), E(RDTSC, xl_system, 0, 0), E(RDTSCP, xl_system, 0, 0),
    E(RDMSR, xl_system, 0, 0), E(WRMSR, xl_system, 0, 0), E(INVLPG, xl_system, 0, 0),
    E(CLTS, xl_system, 0, 0), E(LMSW, xl_system, 0, 0), E(SMSW, xl_system, 0, 0),
    E(WBINVD, xl_system, 0, 0), E(INVD, xl_system, 0, 0), E(UD0, xl_system, 0, 0),
    E(UD1, xl_system, 0, 0), E(UD2, xl_system, 0, 0), E(SWAPGS, xl_system, 0, 0),
    E(RDFSBASE, xl_system, 0, 0), E(RDGSBASE, xl_system, 0, 0),
    E(WRFSBASE, xl_system, 0, 0), E(WRGSBASE, xl_system, 0, 0),
    E(LGDT, xl_dtable, 0, 0), E(LIDT, xl_dtable, 0, 0), E(SGDT, xl_dtable, 0, 0),
    E(SIDT, xl_dtable, 0, 0), E(INT, xl_int, 0, 0), E(INT3, xl_int, 0, 0),
    E(INTO, xl_int, 0, 0), E(INT1, xl_int, 0, 0),
    E(LDS, xl_lxs, 0, 0), E(LES, xl_lxs, 0, 0), E(LFS, xl_lxs, 0, 0), E(LGS, xl_lxs, 0, 0),
    E(LSS, xl_lxs, 0, 0), E(LTR, xl_segsys, 0, 0), E(LLDT, xl_segsys, 0, 0),
    E(STR, xl_segsys, 0, 0), E(SLDT, xl_segsys, 0, 0),
    E(VERR, xl_segsys, 0, 0), E(VERW, xl_segsys, 0, 0), E(LAR, xl_segsys, 0, 0),
    E(LSL, xl_segsys, 0, 0), E(ARPL, xl_segsys, 0, 0),
    E(SYSCALL, xl_syscall, 0, 0), E(SYSRET, xl_syscall, 0, 0),
    E(SYSENTER, xl_syscall, 0, 0), E(SYSEXIT, xl_syscall, 0, 0),
    E(STAC, xl_paging, 0, 0), E(CLAC, xl_paging, 0, 0), E(INVPCID, xl_paging, 0, 0),
};

const struct xlate_entry *optable_lookup(ZydisMnemonic m)
{
    if ((unsigned)m > ZYDIS_MNEMONIC_MAX_VALUE)
        return NULL;
    if (optable[m].fn)
        return &optable[m];
    return simd_lookup(m); /* SSE, SSE2, MMX: simd_table.c */
}
