/* Architectural constants of the local APIC and the I/O APIC (Intel SDM
 * vol. 3A ch. 11 "Advanced Programmable Interrupt Controller"; 82093AA I/O
 * APIC datasheet), and the message that travels on the APIC bus. */
#ifndef EMU_APIC_APIC_DEFS_H
#define EMU_APIC_APIC_DEFS_H

#include <stdbool.h>
#include <stdint.h>

/* IA32_APIC_BASE (MSR 0x1B). */
#define APIC_BASE_BSP       (1ULL << 8)
#define APIC_BASE_EXTD      (1ULL << 10) /* x2APIC mode */
#define APIC_BASE_EN        (1ULL << 11) /* global enable */
#define APIC_MAXPHYADDR     40 /* CPUID.80000008H:EAX[7:0]; board.c checks it against the MMU */
#define APIC_BASE_ADDR_MASK (((1ULL << APIC_MAXPHYADDR) - 1) & ~0xFFFULL)
#define APIC_DEFAULT_BASE   0xFEE00000ULL
#define APIC_MMIO_SIZE      0x1000

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16). */
enum {
    APIC_ID = 0x020,
    APIC_VERSION = 0x030,
    APIC_TPR = 0x080,
    APIC_APR = 0x090,
    APIC_PPR = 0x0A0,
    APIC_EOI = 0x0B0,
    APIC_RRD = 0x0C0,
    APIC_LDR = 0x0D0,
    APIC_DFR = 0x0E0,
    APIC_SVR = 0x0F0,
    APIC_ISR0 = 0x100,
    APIC_TMR0 = 0x180,
    APIC_IRR0 = 0x200,
    APIC_ESR = 0x280,
    APIC_ICR_LO = 0x300,
    APIC_ICR_HI = 0x310,
    APIC_LVT_TIMER = 0x320,
    APIC_LVT_THERMAL = 0x330,
    APIC_LVT_PERF = 0x340,
    APIC_LVT_LINT0 = 0x350,
    APIC_LVT_LINT1 = 0x360,
    APIC_LVT_ERROR = 0x370,
    APIC_TIMER_ICR = 0x380, /* initial count */
    APIC_TIMER_CCR = 0x390, /* current count */
    APIC_TIMER_DCR = 0x3E0, /* divide configuration */
    APIC_SELF_IPI = 0x3F0,  /* x2APIC only */
};

/* Index of each LVT entry in struct lapic's lvt[] (register order). */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

/* Version register: version 0x14 (integrated APIC), LVT_COUNT entries; no
 * EOI-broadcast suppression (what QEMU's APIC reports). */
#define APIC_VERSION_VALUE (0x14u | ((LVT_COUNT - 1u) << 16))

/* Spurious-interrupt vector register. */
#define SVR_VECTOR   0xFFu
#define SVR_ENABLE   (1u << 8)
#define SVR_WRITABLE 0x1FFu

/* LVT and ICR fields. */
#define LVT_VECTOR           0xFFu
#define LVT_DM_SHIFT         8
#define LVT_DM_MASK          (7u << LVT_DM_SHIFT)
#define LVT_PENDING          (1u << 12) /* delivery status */
#define LVT_POLARITY         (1u << 13) /* LINT: active low */
#define LVT_REMOTE_IRR       (1u << 14)
#define LVT_LEVEL            (1u << 15) /* LINT: level triggered */
#define LVT_MASKED           (1u << 16)
#define LVT_TIMER_MODE_SHIFT 17
#define LVT_TIMER_MODE_MASK  (3u << LVT_TIMER_MODE_SHIFT)

enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

/* Delivery modes (LVT, ICR, I/O APIC redirection entries, MSI). */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWPRI = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_SIPI = 6, /* "start-up" */
    APIC_DM_EXTINT = 7,
};

#define ICR_DEST_LOGICAL      (1u << 11)
#define ICR_PENDING           (1u << 12)
#define ICR_LEVEL_ASSERT      (1u << 14)
#define ICR_TRIGGER_LEVEL     (1u << 15)
#define ICR_SHORTHAND_SHIFT   18
#define ICR_XAPIC_LO_WRITABLE 0x000CCFFFu /* vector..trigger, shorthand */
#define ICR_XAPIC_DEST_SHIFT  24

enum { SH_NONE = 0, SH_SELF = 1, SH_ALL = 2, SH_ALL_BUT_SELF = 3 };

/* Error status register bits. */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER    (1u << 7)

/* Divide configuration: bits 0, 1 and 3. */
#define DCR_WRITABLE 0xBu

/* Destination format register: flat model (0xF) or cluster (0x0) in 31:28. */
#define DFR_MODEL_SHIFT   28
#define DFR_FLAT          0xFu
#define DFR_RESERVED_ONES 0x0FFFFFFFu

#define APIC_BROADCAST_XAPIC  0xFFu
#define APIC_BROADCAST_X2APIC 0xFFFFFFFFu

/* Vectors 0-15 are reserved: fixed interrupts carrying them are illegal. */
#define APIC_FIRST_LEGAL_VECTOR 16

/* The APIC bus runs at 1 GHz, as QEMU's: one timer tick per virtual ns before
 * the divider. */
#define APIC_BUS_NS_PER_TICK 1

/* Where an interrupt in a local APIC came from (for traces). */
enum apic_source {
    APIC_SRC_UNKNOWN,
    APIC_SRC_EXTINT, // the 8259 through LINT0 or an ExtINT message
    APIC_SRC_IOAPIC, // pin = the I/O APIC input
    APIC_SRC_TIMER,
    APIC_SRC_LINT, // pin = 0 or 1
    APIC_SRC_ERROR,
    APIC_SRC_IPI,
    APIC_SRC_OTHER_LVT, // thermal, performance counters
};

/* An interrupt message on the APIC bus (from an I/O APIC redirection entry,
 * an ICR write, later an MSI). */
struct apic_msg {
    uint8_t vector;
    uint8_t delivery;  // APIC_DM_*
    uint8_t shorthand; // SH_*; SH_NONE for I/O APIC messages
    bool logical;      // destination mode
    bool level;        // trigger mode: level (sets TMR; EOI is broadcast)
    bool assert;       // ICR level bit (INIT de-assert is a no-op)
    uint32_t dest;     // APIC ID (physical) or message destination address (logical)
    uint8_t src;       // enum apic_source of the sender
    int8_t src_pin;    // I/O APIC pin, or -1
};

#endif
