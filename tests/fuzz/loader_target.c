/* Fuzz target: the Multiboot loader (emu_machine_load_multiboot) on ELF32,
 * ELF64 and a.out-kludge images, with malformed modules.
 *
 * Input: a frame byte F, then (F & 3) modules, each a little-endian 16-bit
 * word W (bits 0-13: length L, bits 14-15: what the module is: 0 its L bytes
 * that follow, 1 a missing file, 2 a directory, 3 /dev/null), then the
 * kernel image (the rest). Bit 2 of F adds a command line. A kernel that
 * loads runs for a few thousand instructions.
 *
 * Invariants (a broken one prints what and aborts, as libFuzzer expects):
 * a refused image gets a known status with a one-line description; a loaded
 * one has the Multiboot entry state (EAX=0x2BADB002, EBX=the info in RAM,
 * protected mode, paging off); the run ends for a documented reason within
 * its budget. Returns 0 if the image loaded, -1 if it was refused. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/emu.h"
#include "fuzz_target.h"

#define MAX_MODULES   3
#define RAM           (16u << 20)
#define RUN_INSNS     5000
#define LEN_MASK      0x3FFFu
#define KIND_SHIFT    14
#define FRAME_CMDLINE 4u
#define MB_EAX        0x2BADB002u
#define CR0_PE_BIT    1u
#define CR0_PG_BIT    (1u << 31)
#define RAX_INDEX     0
#define RBX_INDEX     3

enum module_kind { MOD_BYTES, MOD_MISSING, MOD_DIRECTORY, MOD_DEVNULL };

struct modules {
    emu_module mod[MAX_MODULES];
    char path[MAX_MODULES][32];
    int fd[MAX_MODULES];
    size_t n;
};

static void discard(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
}

/* Parses the modules off the front of the input; returns the bytes used. */
static size_t take_modules(const uint8_t *d, size_t size, unsigned count, struct modules *ms)
{
    size_t at = 0;
    for (ms->n = 0; ms->n < count && at + 2 <= size; ms->n++) {
        unsigned w = d[at] | (unsigned)d[at + 1] << 8, kind = w >> KIND_SHIFT;
        size_t len = w & LEN_MASK;
        at += 2;
        if (len > size - at) len = size - at;
        char *p = ms->path[ms->n];
        ms->fd[ms->n] = -1;
        if (kind == MOD_BYTES) {
            int fd = memfd_create("module", MFD_CLOEXEC);
            if (fd >= 0 && write(fd, d + at, len) != (ssize_t)len) {
                close(fd);
                fd = -1;
            }
            ms->fd[ms->n] = fd;
            snprintf(p, sizeof(ms->path[0]), "/proc/self/fd/%d", fd);
            at += len;
        } else {
            snprintf(p, sizeof(ms->path[0]), "%s",
                     kind == MOD_MISSING     ? "/nonexistent/module"
                     : kind == MOD_DIRECTORY ? "/"
                                             : "/dev/null");
        }
        ms->mod[ms->n] = (emu_module){p, ms->n == 1 ? NULL : "mod args"};
    }
    return at;
}

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "loader_target: broken invariant: %s\n", what);
        abort();
    }
}

static void check_refusal(emu_status st)
{
    const char *msg = emu_status_string(st);
    check(st > EMU_OK && st <= EMU_ERR_ARG, "an unknown status");
    check(msg && *msg && !strchr(msg, '\n'), "a status without a one-line description");
}

/* The Multiboot entry state, then a run that ends for a documented reason. */
static void check_loaded(emu_machine *m)
{
    emu_regs r;
    emu_sregs s;
    emu_cpu_get_regs(m, 0, &r);
    emu_cpu_get_sregs(m, 0, &s);
    check(r.gpr[RAX_INDEX] == MB_EAX, "EAX is not 0x2BADB002 at entry");
    check(r.gpr[RBX_INDEX] < RAM, "EBX (the Multiboot info) is not in RAM");
    check((s.cr0 & CR0_PE_BIT) && !(s.cr0 & CR0_PG_BIT), "not protected mode without paging");
    emu_run_result res;
    emu_machine_run(m, &res);
    check(res.reason == EMU_STOP_DEBUG_EXIT || res.reason == EMU_STOP_POWEROFF ||
              res.reason == EMU_STOP_TRIPLE_FAULT || res.reason == EMU_STOP_MAX_INSNS ||
              res.reason == EMU_STOP_HALTED || res.reason == EMU_STOP_RESET ||
              res.reason == EMU_STOP_STUCK,
          "the run ended for an undocumented reason");
    check(res.insns <= RUN_INSNS, "the run went past its instruction budget");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return -1;
    struct modules ms;
    size_t at = 1 + take_modules(data + 1, size - 1, data[0] & MAX_MODULES, &ms);
    emu_config cfg = {.ram_size = RAM, .max_insns = RUN_INSNS, .serial_out = discard};
    emu_machine *m;
    emu_status st = emu_machine_create(&cfg, &m);
    check(st == EMU_OK, "no machine");
    const char *cmdline = (data[0] & FRAME_CMDLINE) ? "console=ttyS0 a=b" : NULL;
    st = emu_machine_load_multiboot(m, "kernel", data + at, size - at, cmdline, ms.mod, ms.n);
    if (st == EMU_OK)
        check_loaded(m);
    else
        check_refusal(st);
    emu_machine_destroy(m);
    for (size_t i = 0; i < ms.n; i++)
        if (ms.fd[i] >= 0) close(ms.fd[i]);
    return st == EMU_OK ? 0 : -1;
}
