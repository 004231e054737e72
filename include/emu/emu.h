/**
 * @file emu.h
 * @brief The public machine API: create a machine, load a kernel, run or
 *        step it, read and write its state, destroy it.
 *
 * Every function takes the machine it works on; several machines can live
 * in one process. Functions return an ::emu_status; ::EMU_OK is zero.
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of an API call. Host-side failures only: guest faults are guest state. */
typedef enum emu_status {
    EMU_OK = 0,
    EMU_ERR_NOMEM,        /**< the host is out of memory */
    EMU_ERR_IO,           /**< a file could not be read */
    EMU_ERR_NOT_ELF,      /**< the kernel is not an ELF file (and has no a.out kludge) */
    EMU_ERR_BAD_ELF,      /**< the ELF file is truncated or inconsistent */
    EMU_ERR_NOT_MULTIBOOT, /**< no valid Multiboot header in the first 8 KiB */
    EMU_ERR_BAD_MULTIBOOT, /**< the Multiboot header's fields are inconsistent */
    EMU_ERR_TOO_BIG,      /**< the image or a module does not fit in guest RAM */
    EMU_ERR_ARG,          /**< an argument is out of range */
} emu_status;

/** A short English description of a status ("not an ELF file"). */
const char *emu_status_string(emu_status status);

/** Bytes the guest writes to its serial port go here. */
typedef void (*emu_output_fn)(void *ctx, const uint8_t *buf, size_t len);

/**
 * COM1 input: copies up to len bytes that are available now into buf without
 * blocking. Returns the count (0: nothing yet), or -1 at the end of input.
 */
typedef long (*emu_input_fn)(void *ctx, uint8_t *buf, size_t len);

/** Where guest time comes from (docs/clock.md). */
typedef enum emu_clock {
    EMU_CLOCK_VIRTUAL = 0, /**< retired instructions: deterministic (the default) */
    EMU_CLOCK_HOST,        /**< the host's monotonic clock, for interactive use */
} emu_clock;

/** The board whose memory map and firmware state the machine copies. */
typedef enum emu_board {
    EMU_BOARD_PC = 0, /**< QEMU's default `pc` (i440FX + PIIX3), as `qemu-system-x86_64 -kernel` */
    EMU_BOARD_Q35,    /**< QEMU's `-M q35` (ICH9): PCIe ECAM and RCBA holes, no floppy */
} emu_board;

/** What a triple fault (CPU shutdown) does to the run. */
typedef enum emu_triple_fault_action {
    EMU_TRIPLE_FAULT_STOP,  /**< the run stops: EMU_STOP_TRIPLE_FAULT, status 4 */
    EMU_TRIPLE_FAULT_RESET, /**< the board resets, as a PC does: EMU_STOP_RESET, status 10 */
} emu_triple_fault_action;

/** Machine configuration; zero-initialise and set what you need. */
typedef struct emu_config {
    uint64_t ram_size;         /**< bytes of guest RAM; 0 means 128 MiB */
    emu_output_fn serial_out;  /**< COM1 output; NULL means standard output */
    void *serial_ctx;          /**< passed to serial_out */
    uint64_t max_insns;        /**< stop after this many instructions; 0 = no limit */
    emu_triple_fault_action on_triple_fault; /**< default: stop */
    FILE *explain_faults;      /**< if set, every exception delivered is explained there */
    emu_input_fn serial_in;    /**< COM1 input; NULL: none */
    void *serial_in_ctx;       /**< passed to serial_in */
    int serial_in_fd;          /**< with serial_in: a descriptor poll() reports readable
                                    when input may be there, to sleep on while the guest
                                    idles; -1: none */
    emu_clock clock;           /**< EMU_CLOCK_VIRTUAL unless set */
    int64_t rtc_epoch;         /**< RTC start time, seconds since 1970-01-01 UTC;
                                    0: 2000-01-01T00:00:00Z */
    emu_board board;           /**< EMU_BOARD_PC unless set */
} emu_config;

/** Opaque machine. */
typedef struct machine emu_machine;

/** Creates a machine in its reset state. */
emu_status emu_machine_create(const emu_config *config, emu_machine **out);

/** Destroys a machine (NULL is allowed). */
void emu_machine_destroy(emu_machine *m);

/** A Multiboot module: a file and its command line. */
typedef struct emu_module {
    const char *path;    /**< file to load */
    const char *cmdline; /**< the module's string (NULL: the path) */
} emu_module;

/**
 * Loads a Multiboot-1 kernel (ELF32, ELF64 or a.out kludge) the way
 * `qemu-system-x86_64 -kernel` does and sets the entry state: 32-bit
 * protected mode, flat segments, paging off, EAX=0x2BADB002, EBX=info.
 *
 * @param name     the kernel's name in the Multiboot command line ("name args")
 * @param image    the file's bytes
 * @param cmdline  kernel arguments (NULL: none)
 */
emu_status emu_machine_load_multiboot(emu_machine *m, const char *name, const void *image,
                                      size_t size, const char *cmdline,
                                      const emu_module *modules, size_t nmodules);

/** Why emu_machine_run / emu_machine_step returned. */
typedef enum emu_stop_reason {
    EMU_STOP_DEBUG_EXIT,   /**< the guest wrote to isa-debug-exit (port 0xF4) */
    EMU_STOP_POWEROFF,     /**< ACPI S5 through port 0x604 */
    EMU_STOP_TRIPLE_FAULT, /**< shutdown after a triple fault */
    EMU_STOP_MAX_INSNS,    /**< the instruction limit was reached */
    EMU_STOP_HALTED,       /**< HLT with nothing that could ever wake the CPU */
    EMU_STOP_STEPPED,      /**< emu_machine_step finished its instructions */
    EMU_STOP_RESET,        /**< the guest reset the machine (and reset stops the run) */
    EMU_STOP_QUIT,         /**< emu_machine_quit() (the user typed Ctrl-A X) */
    EMU_STOP_REQUESTED,    /**< emu_machine_request_stop (a hook, a debugger) */
    EMU_STOP_STUCK,        /**< the CPU took exceptions over and over without completing
                                an instruction (a handler that faults at once): exit
                                status 8, like a halt nothing can end */
} emu_stop_reason;

typedef struct emu_run_result {
    emu_stop_reason reason;
    int exit_status;       /**< the process exit status emu run uses (docs/exit-status.md) */
    uint64_t insns;        /**< instructions retired since the machine was created */
    bool triple_fault;     /**< the CPU shut down (whatever on_triple_fault did next) */
} emu_run_result;

/** Runs until the guest stops the machine or a limit is reached. */
emu_status emu_machine_run(emu_machine *m, emu_run_result *result);

/**
 * Asks a running machine to stop (callable from an emu_input_fn or an
 * output callback): emu_machine_run returns with ::EMU_STOP_QUIT and exit
 * status 0.
 */
void emu_machine_quit(emu_machine *m);

/** Executes up to n instructions (events such as interrupts count as one step). */
emu_status emu_machine_step(emu_machine *m, uint64_t n, emu_run_result *result);

/**
 * Runs like emu_machine_run, but stops (::EMU_STOP_MAX_INSNS) as soon as
 * `icount` instructions have retired since the machine was created, at that
 * exact instruction boundary (before any interrupt due there is taken).
 */
emu_status emu_machine_run_until(emu_machine *m, uint64_t icount, emu_run_result *result);

/**
 * Asks the current run or step to stop after the instruction or event in
 * progress (::EMU_STOP_REQUESTED). Callable from a hook callback.
 */
void emu_machine_request_stop(emu_machine *m);

/** General registers in encoding order, RIP, RFLAGS. */
typedef struct emu_regs {
    uint64_t gpr[16];     /**< RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
    uint64_t rip;
    uint64_t rflags;
} emu_regs;

/** System registers (read-only view). */
typedef struct emu_sregs {
    uint64_t cr0, cr2, cr3, cr4, efer;
    uint16_t cs, ss, ds, es, fs, gs, tr, ldtr;
    uint64_t fs_base, gs_base, gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint8_t cpl;
} emu_sregs;

emu_status emu_cpu_get_regs(emu_machine *m, unsigned cpu, emu_regs *out);
emu_status emu_cpu_set_regs(emu_machine *m, unsigned cpu, const emu_regs *in);
emu_status emu_cpu_get_sregs(emu_machine *m, unsigned cpu, emu_sregs *out);

/** Physical memory; bytes outside RAM read as 0xFF and are not written. */
emu_status emu_phys_read(emu_machine *m, uint64_t pa, void *buf, size_t len);
emu_status emu_phys_write(emu_machine *m, uint64_t pa, const void *buf, size_t len);

/**
 * Linear memory through the CPU's current paging structures, without side
 * effects. Returns EMU_ERR_ARG if a page is not mapped; *done tells how far
 * it got (may be NULL).
 */
emu_status emu_virt_read(emu_machine *m, unsigned cpu, uint64_t lin, void *buf, size_t len,
                         size_t *done);

/** @name TLB model (docs/mmu.md)
 * Each CPU has an instruction TLB and a data TLB (or one unified TLB), each
 * with a set-associative array per page-size class. Statistics count what the
 * modelled hardware did: every linear-address access made with paging on is
 * one lookup (instruction fetches: one per translated block entered and per
 * page a block crosses).
 * @{ */

/** Which TLB. With a unified TLB both name the same one. */
typedef enum emu_tlb_id {
    EMU_TLB_INSTRUCTION = 0,
    EMU_TLB_DATA = 1,
} emu_tlb_id;

/** Why entries were invalidated (SDM Vol. 3 §4.10.4). */
typedef enum emu_tlb_flush_cause {
    EMU_TLB_FLUSH_MOV_CR3,            /**< MOV to CR3: non-global entries of the new PCID */
    EMU_TLB_FLUSH_MOV_CR3_NOFLUSH,    /**< MOV to CR3 with bit 63 set (CR4.PCIDE=1): none */
    EMU_TLB_FLUSH_CR4_PGE,            /**< MOV to CR4 changing PGE: all entries */
    EMU_TLB_FLUSH_CR4_PCIDE,          /**< MOV to CR4 clearing PCIDE: all entries */
    EMU_TLB_FLUSH_CR4_PAE_SMEP,       /**< MOV to CR4 changing PAE or setting SMEP: current PCID */
    EMU_TLB_FLUSH_CR0_PG,             /**< MOV to CR0 clearing PG: all entries */
    EMU_TLB_FLUSH_INVLPG,             /**< INVLPG: one page, current PCID and global */
    EMU_TLB_FLUSH_INVPCID_ADDRESS,    /**< INVPCID type 0: one page of one PCID, not global */
    EMU_TLB_FLUSH_INVPCID_CONTEXT,    /**< INVPCID type 1: one PCID, not global */
    EMU_TLB_FLUSH_INVPCID_ALL_GLOBAL, /**< INVPCID type 2: all entries */
    EMU_TLB_FLUSH_INVPCID_ALL,        /**< INVPCID type 3: all non-global entries */
    EMU_TLB_FLUSH_PAGE_FAULT,         /**< a page fault drops the entries for its address */
    EMU_TLB_FLUSH_CAUSES
} emu_tlb_flush_cause;

/** Counters since the CPU's last reset. lookups = hits + misses. */
typedef struct emu_tlb_stats {
    uint64_t lookups;
    uint64_t hits;        /**< lookups a cached entry satisfied */
    uint64_t misses;      /**< lookups that needed a page walk */
    uint64_t fills;       /**< entries written after a successful walk */
    uint64_t evictions;   /**< valid entries replaced to make room */
    uint64_t invalidated; /**< entries dropped by flushes and invalidations */
    uint64_t flushes[EMU_TLB_FLUSH_CAUSES]; /**< flush operations, by cause */
} emu_tlb_stats;

/** Replacement policy within a set. */
typedef enum emu_tlb_policy {
    EMU_TLB_POLICY_CLOCK,  /**< second chance: skips a way used since the hand last passed */
    EMU_TLB_POLICY_FIFO,   /**< oldest fill first */
    EMU_TLB_POLICY_RANDOM, /**< pseudo-random way (deterministic sequence per CPU) */
} emu_tlb_policy;

/** Page-size classes, each with its own array. */
typedef enum emu_tlb_page_class {
    EMU_TLB_PAGE_4K,    /**< 4 KiB pages */
    EMU_TLB_PAGE_LARGE, /**< 2 MiB pages (4 MiB under 32-bit paging) */
    EMU_TLB_PAGE_1G,    /**< 1 GiB pages */
    EMU_TLB_PAGE_CLASSES
} emu_tlb_page_class;

/** One array: sets (a power of two, 1..4096) times ways (0..64; 0 = not cached). */
typedef struct emu_tlb_geometry {
    uint16_t sets;
    uint16_t ways;
} emu_tlb_geometry;

typedef struct emu_tlb_config {
    emu_tlb_geometry itlb[EMU_TLB_PAGE_CLASSES];
    emu_tlb_geometry dtlb[EMU_TLB_PAGE_CLASSES];
    emu_tlb_policy policy;
    int unified; /**< nonzero: one TLB with the dtlb geometry serves fetches and data */
} emu_tlb_config;

/** Reads one TLB's statistics. */
emu_status emu_cpu_get_tlb_stats(emu_machine *m, unsigned cpu, emu_tlb_id tlb,
                                 emu_tlb_stats *out);

/** The current TLB configuration (the default until set). */
emu_status emu_cpu_get_tlb_config(emu_machine *m, unsigned cpu, emu_tlb_config *out);

/** Replaces the TLB geometry and policy; empties the TLBs and zeroes their
 *  statistics. EMU_ERR_ARG if the configuration is invalid. */
emu_status emu_cpu_set_tlb_config(emu_machine *m, unsigned cpu, const emu_tlb_config *in);

/** A short name for a flush cause ("mov-cr3", "invlpg"), or NULL. */
const char *emu_tlb_flush_cause_name(emu_tlb_flush_cause cause);

/** @} */

/** Prints the exception chain and registers (after a triple fault, say). */
/**
 * Prints the forensics report: the exception chain in plain words with the
 * descriptors, gates and page walks involved, the last instructions
 * executed, and the registers (after a triple fault, say; docs/faults.md).
 */
void emu_machine_report(emu_machine *m, FILE *out);

/**
 * Names code addresses in the fault report (emu_machine_report and
 * EMU config explain_faults): fn writes a name such as "kmain+0x12
 * (main.c:42)" for addr into buf and returns true, or returns false.
 */
typedef bool (*emu_symbolize_fn)(void *ctx, uint64_t addr, char *buf, size_t n);
void emu_machine_set_symbolizer(emu_machine *m, emu_symbolize_fn fn, void *ctx);

/** The library version string ("0.1.0"). */
const char *emu_version(void);

#ifdef __cplusplus
}
#endif

#endif
