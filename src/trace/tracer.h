/* emu trace's engine (docs/trace.md): subscribes to the hook API
 * (include/emu/hooks.h) for what the options ask, names processes from the
 * guest note, filters, and writes text, JSON lines or a Perfetto trace.
 * It uses the public API only, like any other hook client. */
#ifndef EMU_TRACE_TRACER_H
#define EMU_TRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../include/emu/hooks.h"
#include "sysent.h"

/* What to trace (trace_opts.what). */
enum {
    TR_SYSCALLS = 1u << 0,
    TR_INTERRUPTS = 1u << 1,
    TR_EXCEPTIONS = 1u << 2,
    TR_PAGE_FAULTS = 1u << 3,
    TR_CTXSW = 1u << 4,
    TR_TLB = 1u << 5,
    TR_MSR = 1u << 6,
    TR_CR = 1u << 7,
    TR_IO = 1u << 8,
    TR_INSNS = 1u << 9,
    TR_IRQ_RAISE = 1u << 10,
};

enum trace_format { TRACE_TEXT, TRACE_JSONL, TRACE_PERFETTO };

enum trace_summary {
    TRACE_SUMMARY_NONE,
    TRACE_SUMMARY_ONLY, // -c: the table instead of the calls
    TRACE_SUMMARY_ALSO, // -C: the calls and the table
};

#define TRACE_MAX_PIDS   64
#define TRACE_MAX_RANGES 16
#define TRACE_VECTORS    256

struct trace_range {
    uint64_t lo, hi; // inclusive
};

struct trace_opts {
    unsigned what; // TR_* bits
    enum trace_format format;
    enum trace_summary summary;
    bool syscall_times;           // -T: time spent in each call
    bool timestamps;              // -t: virtual time at the start of each line
    unsigned strsize;             // -s: string bytes shown (0: 32)
    int32_t pids[TRACE_MAX_PIDS]; // --pid
    unsigned npids;
    bool syscall_set[SYSENT_MAX]; // --syscall
    bool syscall_filter;
    bool vector_set[TRACE_VECTORS]; // --vector
    bool vector_filter;
    unsigned cpl_mask;                           // --cpl: bit n = CPL n (0: every CPL)
    struct trace_range ranges[TRACE_MAX_RANGES]; // --range
    unsigned nranges;
    uint64_t after; // --after: events from this instruction count on
    uint64_t until; // --until: events before this count (0: no limit)
};

struct tracer;

/* Subscribes to machine m as o asks. kernel/size is the booted ELF (for the
 * guest note and symbols; NULL if none). Output goes to out, which the
 * tracer does not close. Returns NULL with a message in err on failure. */
struct tracer *tracer_attach(emu_machine *m, const struct trace_opts *o, const void *kernel,
                             size_t size, FILE *out, char *err, size_t errlen);

/* Ends the trace: unfinished calls, the -c table, TLB statistics, the
 * closing of a Perfetto file. Call once, after the run. */
void tracer_finish(struct tracer *t);

/* Unsubscribes and frees (NULL is allowed). */
void tracer_free(struct tracer *t);

/* Parsers for option values; each returns false with a message in err. */
bool trace_parse_syscalls(struct trace_opts *o, const char *list, char *err, size_t errlen);
bool trace_parse_vectors(struct trace_opts *o, const char *list, char *err, size_t errlen);
bool trace_parse_pids(struct trace_opts *o, const char *list, char *err, size_t errlen);
bool trace_parse_cpls(struct trace_opts *o, const char *list, char *err, size_t errlen);
bool trace_parse_range(struct trace_opts *o, const char *spec, char *err, size_t errlen);
bool trace_parse_format(struct trace_opts *o, const char *name, char *err, size_t errlen);

#endif
