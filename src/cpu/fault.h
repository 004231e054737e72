/* Why a fault was raised: recorded with each exception so that the
 * forensics report (src/debug/explain.c) can say in plain words which
 * descriptor, gate, table or rule failed. Recording happens on the fault
 * path only and costs nothing otherwise. */
#ifndef EMU_CPU_FAULT_H
#define EMU_CPU_FAULT_H

#include <stdint.h>

enum cpu_fault_cause {
    FC_NONE,              // no detail recorded (the instruction's own rule)
    /* selectors and descriptors; aux = selector, desc = the descriptor */
    FC_SEL_OUTSIDE_TABLE, // index beyond the GDT/LDT limit (or no LDT loaded)
    FC_NULL_SELECTOR,     // a null selector where a segment is required
    FC_NULL_SS,           // null SS outside 64-bit mode, or with RPL != CPL
    FC_NOT_DATA,          // DS/ES/FS/GS: not data or readable code
    FC_DATA_PRIVILEGE,    // DS/ES/FS/GS: DPL < max(CPL, RPL)
    FC_SS_NOT_WRITABLE,   // SS: not a writable data segment
    FC_SS_PRIVILEGE,      // SS: RPL or DPL != CPL
    FC_NOT_PRESENT,       // P = 0 in a segment descriptor
    FC_NOT_CODE,          // a code segment was required
    FC_CODE_PRIVILEGE,    // code segment DPL/RPL rules of a transfer
    FC_CODE_NOT_64,       // IA-32e gate target: not L=1, D=0
    FC_CODE_L_AND_D,      // L = 1 and D = 1 (reserved) in IA-32e mode
    FC_BAD_SYSTEM_TYPE,   // LTR/LLDT/far transfer: wrong system descriptor type
    FC_TSS_BUSY,          // LTR: the TSS is already busy
    FC_NONCANONICAL_BASE, // 16-byte descriptor with a non-canonical base
    FC_UPPER_TYPE,        // 16-byte descriptor: type field of the upper half not 0
    FC_SEL_IN_LDT,        // LTR/LLDT selector with TI = 1
    FC_CALL_GATE_PRIVILEGE, // call gate DPL < CPL or < RPL
    FC_CALL_GATE_NOT_PRESENT,
    /* IDT; aux = vector, desc = the gate */
    FC_IDT_LIMIT,         // vector beyond the IDT limit
    FC_IDT_BAD_TYPE,      // not an interrupt/trap gate valid in this mode
    FC_IDT_DPL,           // INT n / INT3 / INTO: gate DPL < CPL
    FC_IDT_NOT_PRESENT,   // gate P = 0
    FC_IDT_TARGET_NONCANONICAL,
    FC_GATE_CS_NULL,      // the gate names the null selector
    /* stacks and the TSS; aux = offset or address */
    FC_TSS_LIMIT,         // the TSS is too short for the stack pointer needed
    FC_NO_TSS,            // TR holds no usable TSS
    FC_STACK_NONCANONICAL,// the new RSP (TSS, IST, frame) is not canonical
    FC_STACK_LIMIT,       // the push/pop is outside the stack segment
    FC_TSS_SS,            // SS from the TSS failed its checks (aux = selector)
    /* instructions */
    FC_PRIVILEGED,        // privileged instruction at CPL > 0
    FC_IOPL,              // CLI/STI/IN/OUT... with CPL > IOPL and no I/O permission
    FC_IO_BITMAP,         // the TSS I/O bitmap denies the port (aux = port)
    FC_SEG_LIMIT,         // offset outside the segment limit (aux = offset)
    FC_SEG_TYPE,          // write to a code/read-only segment, read of execute-only code
    FC_SEG_UNUSABLE,      // access through a null segment register
    FC_NONCANONICAL,      // non-canonical linear address (aux = address)
    FC_BAD_MSR,           // RDMSR/WRMSR of an unimplemented MSR (aux = ECX)
    FC_MSR_VALUE,         // WRMSR value with reserved bits or non-canonical (aux = ECX)
    FC_BAD_CR,            // MOV CR: reserved bits or an invalid combination
    FC_INVALID_OPCODE,    // an opcode emu does not implement or that is invalid here
    FC_FEATURE_OFF,       // the instruction is disabled (EFER.SCE, CR4.FSGSBASE, ...)
    FC_ALIGNMENT,         // #AC: a misaligned access at CPL 3 (aux = address)
    FC_COUNT,
};

#endif
