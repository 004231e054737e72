#include "mmulib.h"

#define POOL_PAGES   64
#define VEC_DONE     0x81
#define VEC_PF       14
#define RFLAGS_FIXED 2

extern char mp_stubs[], mp_stub_read[], mp_stub_write[], mp_stub_exec[], mp_stub_read_ac[],
    mp_stub_write_ac[];
extern char mp_return[];
extern uint64_t mp_saved_rsp;
extern uint64_t boot_pml4[512];
void mp_enter(void *stub, uint64_t arg, int user, uint64_t user_rsp);

__attribute__((aligned(4096))) uint64_t mp_pml4[512];
static __attribute__((aligned(4096))) uint64_t pool[POOL_PAGES][512];
static unsigned pool_used;
static __attribute__((aligned(4096))) uint8_t user_stack[4096];
static __attribute__((aligned(16))) uint8_t kstack[16384];
static struct mp_result *current;

uint64_t *mp_table(void)
{
    if (pool_used == POOL_PAGES) {
        kputs("mmulib: out of table pages\n");
        exit(0x7e);
    }
    uint64_t *t = pool[pool_used++];
    memset(t, 0, 4096);
    return t;
}

uint64_t *mp_entry(uint64_t *pml4, uint64_t lin, int level)
{
    uint64_t *table = pml4;
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[(lin >> (12 + 9 * (l - 1))) & 511];
        if ((*e & PTE_P) && (*e & PTE_PS) && l < 4) return 0;
        if (!(*e & PTE_P)) *e = (uint64_t)(uintptr_t)mp_table() | PTE_P | PTE_W | PTE_U;
        table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
    }
    return &table[(lin >> (12 + 9 * (level - 1))) & 511];
}

uint64_t *mp_map(uint64_t *pml4, uint64_t lin, uint64_t pa, int level, uint64_t flags)
{
    uint64_t *e = mp_entry(pml4, lin, level);
    *e = pa | flags | PTE_P | (level > 1 ? PTE_PS : 0);
    return e;
}

static void on_trap(struct trap_frame *f)
{
    if (!current) trap_default(f);
    if (f->vector == VEC_DONE) {
        current->vector = -1;
        current->value = f->rax;
    } else {
        current->vector = (int)f->vector;
        current->error = f->error;
        current->cr2 = f->vector == VEC_PF ? READ_CR(2) : 0;
    }
    f->rip = (uint64_t)(uintptr_t)mp_return;
    f->cs = SEL_KCODE;
    f->ss = SEL_KDATA;
    f->rsp = mp_saved_rsp;
    f->rflags = RFLAGS_FIXED;
}

void mp_init(void)
{
    mp_pml4[0] = boot_pml4[0];
    for (uint64_t off = 0; off < 4096; off += 4096)
        mp_map(mp_pml4, USER_ALIAS + off, (uint64_t)(uintptr_t)mp_stubs + off, 1, PTE_U);
    mp_map(mp_pml4, USER_ALIAS + 0x10000, (uint64_t)(uintptr_t)user_stack, 1,
           PTE_U | PTE_W | PTE_NX);
    WRITE_CR(3, (uint64_t)(uintptr_t)mp_pml4);
    tss.rsp[0] = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
    tss_load();
    idt_init();
    idt_set(VEC_DONE, 0, GATE_INT, 3, 0);
    trap_handler = on_trap;
}

static char *stub_of(enum mp_kind kind)
{
    switch (kind) {
    case MP_READ: return mp_stub_read;
    case MP_WRITE: return mp_stub_write;
    case MP_EXEC: return mp_stub_exec;
    case MP_READ_AC: return mp_stub_read_ac;
    default: return mp_stub_write_ac;
    }
}

void mp_probe(enum mp_kind kind, uint64_t lin, int user, struct mp_result *r)
{
    char *stub = stub_of(kind);
    uint64_t at = (uint64_t)(uintptr_t)stub;
    if (user) at = USER_ALIAS + (at - (uint64_t)(uintptr_t)mp_stubs);
    memset(r, 0, sizeof(*r));
    current = r;
    mp_enter((void *)(uintptr_t)at, lin, user, USER_ALIAS + 0x10000 + 4096);
    current = 0;
}

void mp_plant(uint64_t pa)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)pa;
    p[0] = 0xCD; /* int $0x81 */
    p[1] = VEC_DONE;
}

void mp_describe(const struct mp_result *r, uint64_t lin, char *buf, size_t n)
{
    if (r->vector < 0)
        ksnprintf(buf, n, "ok");
    else if (r->vector == VEC_PF)
        ksnprintf(buf, n, "#PF err=%02lx cr2=addr+%lx", r->error, r->cr2 - lin);
    else
        ksnprintf(buf, n, "#%d err=%lx", r->vector, r->error);
}
