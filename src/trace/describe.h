/* Words for architectural numbers, shared by the trace formats: vector
 * mnemonics (SDM Vol. 3A, Table 6-1), error codes, interrupt sources,
 * control-register bits. */
#ifndef EMU_TRACE_DESCRIBE_H
#define EMU_TRACE_DESCRIBE_H

#include <stdint.h>

#include "../../include/emu/hooks.h"
#include "sbuf.h"

#define VEC_PF 14

/* "#PF" for 14, NULL for vectors that are not exceptions. */
const char *vector_mnemonic(unsigned v);
/* "page fault" for 14, NULL for the rest. */
const char *vector_name(unsigned v);
/* Whether the exception's error code is a selector error code (SDM 6.13). */
int vector_has_selector_error(unsigned v);

/* "not-present write user": the bits of a #PF error code in words. */
void describe_pf_error(struct sbuf *b, uint32_t err);
/* "GDT selector 0x28", "IDT vector 0x80, external", "null": a selector error code. */
void describe_selector_error(struct sbuf *b, uint32_t err);
/* "PIC IRQ 4", "LAPIC timer", ... (where an external interrupt came from). */
void describe_irq_source(struct sbuf *b, emu_irq_source src, int pin);
/* A short machine-readable name of the source: "pic", "ioapic", "lapic-timer"... */
const char *irq_source_name(emu_irq_source src);
/* The bits that changed between two values of CR0/CR4/EFER: "+PG -WP";
 * empty for other registers or when no named bit changed. */
void describe_reg_change(struct sbuf *b, emu_event_kind kind, uint32_t reg, uint64_t old_value,
                         uint64_t new_value);
/* "mov-cr3", "invlpg", ... for a TLB flush cause. */
const char *tlb_cause_name(emu_tlb_cause c);
/* "hit", "miss", "fill", "evict", "flush". */
const char *tlb_op_name(emu_tlb_op op);

#endif
