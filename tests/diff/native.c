/* The host side: the sequence runs on the real CPU at DIFF_SEQ, entered and
 * left through native.S. A fault (#DE, #GP, #UD, ...) arrives as a signal;
 * the handler (on its own stack, so the sequence's stack is untouched)
 * records the registers, RFLAGS, RIP and trap number the kernel saved, and
 * jumps back. The signal plumbing needs process-wide state: the jump
 * buffer below is the only static data of the test, by necessity. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "diff.h"

struct native_ctx {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t host_rsp;
    uint64_t entry;
    uint64_t exit;
    uint32_t far_offset; // m16:32 far pointer to a compatibility-mode sequence
    uint16_t far_sel;
    uint16_t pad;
    uint64_t fault_rip;
    int64_t trapno;
};

/* Linux x86-64 user code selectors (arch/x86/include/asm/segment.h). */
#define USER32_CS 0x23
#define USER_CS   0x33
/* Stubs in the code page: a 64-bit jump to diff_native_exit, and a far
 * jump into compatibility mode. */
#define EXIT64_STUB  (DIFF_CODE + 0x100)
#define ENTER32_STUB (DIFF_CODE + 0x200)

_Static_assert(offsetof(struct native_ctx, rflags) == 0x80, "native.S layout");
_Static_assert(offsetof(struct native_ctx, exit) == 0x98, "native.S layout");
_Static_assert(offsetof(struct native_ctx, far_offset) == 0xa0, "far pointer layout");

void diff_native_enter(void);
void diff_native_exit(void);

static sigjmp_buf fault_jump;

static struct native_ctx *ctx(void)
{
    return (struct native_ctx *)(uintptr_t)DIFF_CTX;
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                  REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                  REG_R12, REG_R13, REG_R14, REG_R15};
    const greg_t *gr = ((const ucontext_t *)ucv)->uc_mcontext.gregs;
    for (int i = 0; i < 16; i++)
        ctx()->gpr[i] = (uint64_t)gr[order[i]];
    ctx()->rflags = (uint64_t)gr[REG_EFL];
    ctx()->fault_rip = (uint64_t)gr[REG_RIP];
    ctx()->trapno = (int64_t)gr[REG_TRAPNO];
    siglongjmp(fault_jump, 1);
}

static bool map_fixed(uint64_t addr, uint64_t len, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, len, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || p != (void *)(uintptr_t)addr) {
        fprintf(stderr, "diff: cannot map %#llx (+%#llx) in the test process\n",
                (unsigned long long)addr, (unsigned long long)len);
        return false;
    }
    return true;
}

/* jmp qword ptr [slot] (modrm_reg 4), jmp far dword ptr [slot] (5) */
static void write_indirect_jump(uint64_t at, unsigned modrm_reg, uint64_t slot)
{
    uint8_t *p = (uint8_t *)(uintptr_t)at;
    uint32_t s32 = (uint32_t)slot;
    p[0] = 0xff;
    p[1] = (uint8_t)(0x04 | modrm_reg << 3);
    p[2] = 0x25;
    memcpy(p + 3, &s32, 4);
}

/* jmp far USER_CS:EXIT64_STUB, from compatibility mode */
static void write_far_exit(uint64_t at)
{
    uint8_t *p = (uint8_t *)(uintptr_t)at;
    uint32_t off = (uint32_t)EXIT64_STUB;
    uint16_t sel = USER_CS;
    p[0] = 0xea;
    memcpy(p + 1, &off, 4);
    memcpy(p + 5, &sel, 2);
}

bool native_init(void)
{
    if (!map_fixed(DIFF_CODE, DIFF_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC) ||
        !map_fixed(DIFF_SCRATCH, DIFF_SCRATCH_SIZE, PROT_READ | PROT_WRITE) ||
        !map_fixed(DIFF_CTX, 0x1000, PROT_READ | PROT_WRITE))
        return false;
    stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
    if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) {
        fprintf(stderr, "diff: cannot set up the signal stack\n");
        return false;
    }
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    write_indirect_jump(EXIT64_STUB, 4, DIFF_CTX + offsetof(struct native_ctx, exit));
    write_indirect_jump(ENTER32_STUB, 5, DIFF_CTX + offsetof(struct native_ctx, far_offset));
    return true;
}

void native_fini(void)
{
    stack_t ss = {.ss_flags = SS_DISABLE}, old;
    if (sigaltstack(&ss, &old) == 0 && old.ss_sp) free(old.ss_sp);
}

void native_run(const struct gen *g, const struct regs *in, const uint8_t *scratch,
                struct outcome *out)
{
    for (unsigned i = 0; i < g->n; i++)
        memcpy((void *)(uintptr_t)g->items[i].addr, g->items[i].bytes, g->items[i].len);
    if (g->compat)
        write_far_exit(g->code_end);
    else
        write_indirect_jump(g->code_end, 4, DIFF_CTX + offsetof(struct native_ctx, exit));
    memcpy(ctx()->gpr, in->gpr, sizeof(in->gpr));
    ctx()->rflags = in->rflags;
    ctx()->entry = g->compat ? ENTER32_STUB : DIFF_SEQ;
    ctx()->far_offset = (uint32_t)DIFF_SEQ;
    ctx()->far_sel = USER32_CS;
    ctx()->exit = (uint64_t)(uintptr_t)diff_native_exit;
    memcpy((void *)(uintptr_t)DIFF_SCRATCH, scratch, DIFF_SCRATCH_SIZE);
    if (sigsetjmp(fault_jump, 1) == 0) {
        diff_native_enter();
        out->vector = -1;
        out->rip = g->code_end;
    } else {
        out->vector = (int)ctx()->trapno;
        out->rip = ctx()->fault_rip;
    }
    memcpy(out->r.gpr, ctx()->gpr, sizeof(out->r.gpr));
    out->r.rflags = ctx()->rflags;
    out->icount = 0;
    memcpy(out->scratch, (void *)(uintptr_t)DIFF_SCRATCH, DIFF_SCRATCH_SIZE);
}
