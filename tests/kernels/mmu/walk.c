/* mmu-walk: page-level protection and A/D bits, on QEMU and emu.
 *
 * For 4 KiB, 2 MiB and 1 GiB pages, every combination of U/S, R/W and XD
 * (placed at one level, which level varying from case to case) x CR0.WP x
 * (ring 0, ring 3) x (read, write, execute): the exception (vector, error
 * code, CR2) and the accessed/dirty flags of each entry afterwards.
 *
 * Left out, because QEMU 7.2's TCG departs from the SDM there (DESIGN.md §1;
 * tests/mmu/test_walk.c checks them against the SDM instead): reserved-bit
 * faults (QEMU reports them without the P bit). The accessed flag of the
 * leaf after a fault is one the SDM leaves open (§4.8); emu does as QEMU:
 * set in a 1 GiB PDPTE, not in a 2 MiB PDE or a PTE. */
#include "mmulib.h"

#define OFF4K       0x123ULL
#define OFF2M       0x12345ULL
#define OFF1G       0x1234567ULL
#define PA_4K_ALIGN 4096
#define PA_2M       0x1000000ULL  /* 16 MiB: free RAM, 2 MiB aligned */
#define PA_1G       0x40000000ULL /* 1 GiB: RAM with -m 2G */

static __attribute__((aligned(4096))) uint8_t page4k[4096];

struct size {
    const char *name;
    int leaf_level; // 1, 2 or 3
    uint64_t lin;   // address probed
    uint64_t pa;    // physical address it maps to
};

/* The entries on the way to s->lin below PML4[1] (PDPTE first). */
static int chain(const struct size *s, uint64_t *e[3])
{
    int n = 0;
    for (int level = 3; level >= s->leaf_level; level--)
        e[n++] = mp_entry(mp_pml4, s->lin, level);
    return n;
}

static void setup(const struct size *s, int at, uint64_t restrict_u, uint64_t restrict_w,
                  uint64_t set_nx)
{
    uint64_t *e[3];
    int n = chain(s, e);
    for (int i = 0; i < n; i++) {
        uint64_t v = *e[i] & ~(PTE_U | PTE_W | PTE_A | PTE_D | PTE_NX);
        v |= PTE_U | PTE_W;
        if (i == at) v = (v & ~(restrict_u | restrict_w)) | set_nx;
        *e[i] = v;
    }
    mp_flush_all();
}

static void ad_bits(const struct size *s, char *buf)
{
    uint64_t *e[3];
    int n = chain(s, e);
    int k = 0;
    buf[k++] = 'A';
    for (int i = 0; i < n; i++)
        buf[k++] = (*e[i] & PTE_A) ? '1' : '0';
    buf[k++] = ' ';
    buf[k++] = 'D';
    for (int i = 0; i < n; i++)
        buf[k++] = (*e[i] & PTE_D) ? '1' : '0';
    buf[k] = 0;
}

static void run_size(const struct size *s, unsigned *counter)
{
    static const char *kinds[] = {"rd", "wr", "ex"};
    int levels = 4 - s->leaf_level;
    for (unsigned bits = 0; bits < 8; bits++) {
        for (int wp = 0; wp < 2; wp++) {
            unsigned long cr0 = READ_CR(0);
            WRITE_CR(0, wp ? (cr0 | CR0_WP) : (cr0 & ~CR0_WP));
            for (int user = 0; user < 2; user++) {
                for (int kind = 0; kind < 3; kind++, (*counter)++) {
                    int at = (int)((bits + (unsigned)(wp + user + kind)) % (unsigned)levels);
                    setup(s, at, (bits & 1) ? PTE_U : 0, (bits & 2) ? PTE_W : 0,
                          (bits & 4) ? PTE_NX : 0);
                    struct mp_result r;
                    mp_plant(s->pa); /* a write probe overwrites it */
                    mp_probe((enum mp_kind)kind, s->lin, user, &r);
                    char what[48], ad[16];
                    mp_describe(&r, s->lin, what, sizeof(what));
                    ad_bits(s, ad);
                    kprintf("%s L%d %s%s%s wp%d %s-%s: %s %s\n", s->name, 3 - at,
                            (bits & 1) ? "S" : "U", (bits & 2) ? "R" : "W", (bits & 4) ? "X" : "-",
                            wp, user ? "usr" : "sup", kinds[kind], what, ad);
                }
            }
            WRITE_CR(0, READ_CR(0) | CR0_WP);
        }
    }
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    mp_init();
    struct size sizes[] = {
        {"4K", 1, TEST_BASE + 0x3000 + OFF4K, (uint64_t)(uintptr_t)page4k + OFF4K},
        {"2M", 2, TEST_BASE + 0x200000 + OFF2M, PA_2M + OFF2M},
        {"1G", 3, TEST_1G + OFF1G, PA_1G + OFF1G},
    };
    mp_map(mp_pml4, sizes[0].lin, (uint64_t)(uintptr_t)page4k, 1, PTE_W | PTE_U);
    mp_map(mp_pml4, sizes[1].lin, PA_2M, 2, PTE_W | PTE_U);
    mp_map(mp_pml4, sizes[2].lin, PA_1G, 3, PTE_W | PTE_U);
    unsigned counter = 0;
    for (unsigned i = 0; i < 3; i++)
        run_size(&sizes[i], &counter);
    kprintf("mmu-walk: %u cases\n", counter);
    return 0;
}
