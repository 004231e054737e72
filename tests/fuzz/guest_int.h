/* Between guest.c and guest_tables.c. */
#ifndef EMU_TESTS_FUZZ_GUEST_INT_H
#define EMU_TESTS_FUZZ_GUEST_INT_H

#include "cpu/internal.h"
#include "guest.h"

/* An 8-byte segment descriptor. */
uint64_t fz_descriptor(uint64_t base, uint32_t limit, uint32_t attr);
void fz_write_gdt(struct machine *m, const struct fz_config *c, struct rng *r);
/* The IDT (IVT in real mode), its handler stubs and the SYSCALL/SYSENTER stubs. */
void fz_write_idt(struct machine *m, const struct fz_config *c, struct rng *r);
void fz_write_tss(struct machine *m, const struct fz_config *c, struct rng *r);
/* Page tables for c (nx: some pages get XD); returns CR3 (0 without paging). */
uint64_t fz_write_tables(struct machine *m, const struct fz_config *c, struct rng *r, bool nx);

#endif
