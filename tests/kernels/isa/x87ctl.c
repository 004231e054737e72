/* The x87 control instructions boot code uses to initialise and probe the
 * FPU: FNINIT, FNSTSW (AX and memory), FNSTCW, FLDCW, FNCLEX, FWAIT, and
 * the #NM they raise with CR0.TS or CR0.EM set. */
#include "klib.h"

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)

static volatile uint64_t last_vector;

static void record(struct trap_frame *f)
{
    last_vector = f->vector;
    f->rip += 2; /* every probe below is a 2-byte instruction */
}

static unsigned probe_fninit(void)
{
    last_vector = 0xFF;
    __asm__ volatile("fninit"); /* DB E3 */
    return (unsigned)last_vector;
}

static unsigned probe_fwait(void)
{
    last_vector = 0xFF;
    __asm__ volatile(".byte 0x9b, 0x90"); /* FWAIT; NOP (the handler skips 2 bytes) */
    return (unsigned)last_vector;
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    uint16_t sw = 0xFFFF, cw = 0, cw2 = 0, sw_mem = 0xFFFF, sw_clex;
    WRITE_CR(0, READ_CR(0) & ~(unsigned long)(CR0_EM | CR0_TS));
    __asm__ volatile("fninit\n\tfnstsw %%ax" : "=a"(sw));
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    uint16_t newcw = (uint16_t)((cw & ~0x0300) | 0x0200); /* precision: double */
    __asm__ volatile("fldcw %0" ::"m"(newcw));
    __asm__ volatile("fnstcw %0\n\tfnstsw %1\n\tfnclex\n\tfwait" : "=m"(cw2), "=m"(sw_mem));
    __asm__ volatile("fnstsw %%ax" : "=a"(sw_clex));
    kprintf("after fninit: fsw=%04x fcw=%04x; fldcw -> fcw=%04x fsw=%04x, after fnclex %04x\n",
            sw, cw, cw2, sw_mem, sw_clex);
    idt_init();
    trap_handler = record;
    WRITE_CR(0, READ_CR(0) | CR0_TS);
    kprintf("CR0.TS: fninit -> %u, fwait -> %u\n", probe_fninit(), probe_fwait());
    WRITE_CR(0, READ_CR(0) | CR0_MP);
    kprintf("CR0.TS+MP: fwait -> %u\n", probe_fwait());
    WRITE_CR(0, (READ_CR(0) & ~(unsigned long)(CR0_TS | CR0_MP)) | CR0_EM);
    kprintf("CR0.EM: fninit -> %u, fwait -> %u\n", probe_fninit(), probe_fwait());
    return 0;
}
