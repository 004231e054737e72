#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#define ATTR_CODE   (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A)
#define ATTR_DATA   (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_USER   (3u << SEG_ATTR_DPL_SHIFT)
#define FLAT_LIMIT  0xffffffffu
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)
#define PTE_ADDR    0x000ffffffffff000ULL

/* A descriptor (SDM Vol. 3 §3.4.5) from base 0, limit 4 GiB and cache attrs. */
static uint64_t descriptor(uint32_t attr)
{
    uint64_t d = 0xffffULL | (0xfULL << 48);
    d |= (uint64_t)(attr & 0xff) << 40;
    d |= (uint64_t)((attr >> 12) & 0xf) << 52;
    return d;
}

static void write_gdt(struct isa *m)
{
    uint64_t gdt[] = {
        0,
        descriptor(ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G),
        descriptor(ATTR_DATA),
        descriptor(ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G),
        descriptor(ATTR_DATA | ATTR_USER),
        descriptor(ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G | ATTR_USER),
        descriptor(ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G | ATTR_USER),
    };
    isa_write(m, ISA_GDT, gdt, sizeof(gdt));
    m->cpu->gdtr = (struct dtable){ISA_GDT, sizeof(gdt) - 1};
    m->cpu->idtr = (struct dtable){0, 0};
}

static uint64_t new_table(struct isa *m)
{
    if (m->next_table >= ISA_TABLES_END) {
        fprintf(stderr, "harness: out of page-table pages\n");
        abort();
    }
    uint64_t pa = m->next_table;
    m->next_table += PAGE_SIZE;
    uint8_t zero[PAGE_SIZE] = {0};
    isa_write(m, pa, zero, sizeof(zero));
    return pa;
}

/* The physical address of the entry for `lin` at `level` (4 = PML4 .. 1 = PT),
 * creating the tables above it. */
static uint64_t entry_addr(struct isa *m, uint64_t lin, int level, int create)
{
    uint64_t table = ISA_PML4;
    for (int l = 4; l > level; l--) {
        uint64_t e_pa = table + ((lin >> (12 + 9 * (l - 1))) & 511) * 8;
        uint64_t e = isa_peek(m, e_pa, 8);
        if (!(e & PTE_P)) {
            if (!create) return 0;
            e = new_table(m) | TABLE_FLAGS;
            isa_poke(m, e_pa, e, 8);
        }
        table = e & PTE_ADDR;
    }
    return table + ((lin >> (12 + 9 * (level - 1))) & 511) * 8;
}

void isa_map(struct isa *m, uint64_t lin, uint64_t pa, uint64_t len, uint64_t flags)
{
    for (uint64_t off = 0; off < len; off += PAGE_SIZE)
        isa_poke(m, entry_addr(m, lin + off, 1, 1), ((pa + off) & PTE_ADDR) | flags | PTE_P, 8);
    mmu_flush_all(&m->cpu->mmu);
}

uint64_t *isa_pte(struct isa *m, uint64_t lin)
{
    uint64_t pa = entry_addr(m, lin, 1, 0);
    return pa ? (uint64_t *)(void *)phys_page_ptr(&m->pm, pa) + (pa & PAGE_OFFSET_MASK) / 8 : NULL;
}

static void load_flat(struct isa *m, uint16_t code_sel, uint32_t code_attr, uint16_t data_sel,
                      uint32_t data_attr)
{
    for (int s = 0; s < SEG_COUNT; s++)
        if (s != SEG_CS) cpu_load_seg_raw(m->cpu, s, data_sel, 0, FLAT_LIMIT, data_attr);
    cpu_load_seg_raw(m->cpu, SEG_CS, code_sel, 0, FLAT_LIMIT, code_attr);
}

static void enter_mode(struct isa *m, unsigned mode)
{
    struct cpu *cpu = m->cpu;
    if (mode == MODE_PROT32) {
        cpu_set_cr(cpu, 0, CR0_PE | CR0_ET | CR0_NE);
        load_flat(m, ISA_SEL_CODE32, ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G, ISA_SEL_DATA, ATTR_DATA);
        return;
    }
    isa_map(m, 0, 0, ISA_IDENTITY, PTE_W);
    cpu_set_cr(cpu, 4, CR4_PAE);
    cpu_set_efer(cpu, EFER_LME | EFER_NXE);
    cpu_set_cr(cpu, 3, ISA_PML4);
    cpu_set_cr(cpu, 0, CR0_PE | CR0_ET | CR0_NE | CR0_PG | CR0_WP);
    uint32_t code = mode == MODE_LONG64 ? (ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G)
                                        : (ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G);
    load_flat(m, mode == MODE_LONG64 ? ISA_SEL_CODE64 : ISA_SEL_CODE32, code, ISA_SEL_DATA,
              ATTR_DATA);
}

struct isa *isa_new(unsigned mode)
{
    struct isa *m = calloc(1, sizeof(*m));
    if (!m || phys_init(&m->pm, ISA_RAM) != 0) {
        fprintf(stderr, "harness: cannot allocate guest RAM\n");
        abort();
    }
    struct cpu_env env = {0};
    m->cpu = cpu_new(&m->pm, &env, 0);
    if (!m->cpu) {
        fprintf(stderr, "harness: cannot create the CPU\n");
        abort();
    }
    m->next_table = ISA_TABLES;
    uint8_t zero[PAGE_SIZE] = {0};
    isa_write(m, ISA_PML4, zero, sizeof(zero));
    write_gdt(m);
    enter_mode(m, mode);
    memset(m->cpu->gpr, 0, sizeof(m->cpu->gpr));
    m->cpu->gpr[RSP] = ISA_STACK_TOP;
    cpu_set_rflags(m->cpu, RFLAGS_FIXED1);
    m->vector = -1;
    m->error = EXC_NO_ERROR;
    return m;
}

void isa_free(struct isa *m)
{
    if (!m) return;
    cpu_free(m->cpu);
    phys_destroy(&m->pm);
    free(m);
}

void isa_enter_user(struct isa *m)
{
    load_flat(m, ISA_SEL_UCODE64, ATTR_CODE | SEG_ATTR_L | SEG_ATTR_G | ATTR_USER, ISA_SEL_UDATA,
              ATTR_DATA | ATTR_USER);
}

void isa_enter_user32(struct isa *m)
{
    load_flat(m, ISA_SEL_UCODE32, ATTR_CODE | SEG_ATTR_DB | SEG_ATTR_G | ATTR_USER, ISA_SEL_UDATA,
              ATTR_DATA | ATTR_USER);
}

void isa_poke(struct isa *m, uint64_t pa, uint64_t v, unsigned size)
{
    isa_write(m, pa, &v, size);
}

uint64_t isa_peek(struct isa *m, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    isa_read(m, pa, &v, size);
    return v;
}

void isa_write(struct isa *m, uint64_t pa, const void *buf, size_t len)
{
    phys_copy_to(&m->pm, pa, buf, len);
}

void isa_read(struct isa *m, uint64_t pa, void *buf, size_t len)
{
    phys_copy_from(&m->pm, pa, buf, len);
}

int isa_continue(struct isa *m, uint64_t max_insns)
{
    struct cpu *cpu = m->cpu;
    cpu->chain_len = 0;
    enum cpu_exit e = cpu_exec(cpu, cpu->icount + max_insns);
    m->vector = -1;
    m->error = EXC_NO_ERROR;
    if (e == CPU_EXIT_SHUTDOWN && cpu->chain_len > 0) {
        m->vector = cpu->chain[0].vector;
        m->error = cpu->chain[0].has_error ? cpu->chain[0].error : EXC_NO_ERROR;
        cpu->shutdown = false;
        cpu->halted = false;
    } else if (e != CPU_EXIT_HALT) {
        fprintf(stderr, "harness: run ended without HLT (exit %d)\n", (int)e);
        abort();
    }
    cpu->halted = false;
    return m->vector;
}

int isa_run_bytes(struct isa *m, const uint8_t *code, size_t len)
{
    static const uint8_t hlt = 0xf4;
    isa_write(m, ISA_CODE, code, len);
    isa_write(m, ISA_CODE + len, &hlt, 1);
    m->cpu->rip = ISA_CODE;
    return isa_continue(m, ISA_MAX_INSNS);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int isa_run(struct isa *m, const char *hex)
{
    uint8_t code[4096];
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        int hi = hex_digit(p[0]), lo = p[1] ? hex_digit(p[1]) : -1;
        if (hi < 0 || lo < 0 || n == sizeof(code)) {
            fprintf(stderr, "harness: bad hex code \"%s\"\n", hex);
            abort();
        }
        code[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    return isa_run_bytes(m, code, n);
}

uint64_t isa_flags(struct isa *m)
{
    return cpu_get_rflags(m->cpu);
}

void isa_set_flags(struct isa *m, uint64_t rflags)
{
    cpu_set_rflags(m->cpu, rflags);
}
