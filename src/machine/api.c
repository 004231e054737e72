/* The rest of the public API: loading, state access, status strings. */
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "multiboot.h"

#define FLAT_LIMIT 0xFFFFFFFFu
#define ATTR_CODE32 (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_A | \
                     SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA32 (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_A | SEG_ATTR_DB | SEG_ATTR_G)

const char *emu_version(void)
{
    return EMU_VERSION_STRING;
}

const char *emu_status_string(emu_status status)
{
    switch (status) {
    case EMU_OK: return "success";
    case EMU_ERR_NOMEM: return "out of memory";
    case EMU_ERR_IO: return "cannot read the file";
    case EMU_ERR_NOT_ELF: return "not an ELF file and no Multiboot header";
    case EMU_ERR_BAD_ELF: return "malformed or truncated ELF file";
    case EMU_ERR_NOT_MULTIBOOT: return "no Multiboot header in the first 8 KiB";
    case EMU_ERR_BAD_MULTIBOOT: return "inconsistent Multiboot header";
    case EMU_ERR_TOO_BIG: return "does not fit in guest RAM";
    case EMU_ERR_ARG: return "argument out of range";
    }
    return "unknown error";
}

/* The entry state of the Multiboot specification, as QEMU gives it. */
static void set_entry_state(struct machine *m, const struct mb_entry *e)
{
    struct cpu *cpu = m->cpu;
    cpu_reset(cpu);
    multiboot_write_gdt(&m->pm);
    cpu->gdtr = (struct dtable){e->gdt_base, MB_GDT_LIMIT};
    cpu->idtr = (struct dtable){0, 0x3FF};
    cpu_set_cr(cpu, 0, CR0_PE | CR0_ET);
    cpu_load_seg_raw(cpu, SEG_CS, MB_CODE_SEL, 0, FLAT_LIMIT, ATTR_CODE32);
    static const int data[] = {SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
        cpu_load_seg_raw(cpu, data[i], MB_DATA_SEL, 0, FLAT_LIMIT, ATTR_DATA32);
    cpu_update_mode(cpu);
    cpu_set_rflags(cpu, RFLAGS_FIXED1);
    memset(cpu->gpr, 0, sizeof(cpu->gpr));
    cpu->gpr[RAX] = e->eax;
    cpu->gpr[RBX] = e->ebx;
    cpu->rip = e->eip;
}

emu_status emu_machine_load_multiboot(emu_machine *m, const char *name, const void *image,
                                      size_t size, const char *cmdline,
                                      const emu_module *modules, size_t nmodules)
{
    struct mb_load req = {name ? name : "kernel", image, size, cmdline, modules, nmodules,
                          board_layout(m->cfg.board)};
    struct mb_entry e;
    emu_status st = multiboot_load(&m->pm, &req, &e);
    if (st == EMU_OK)
        set_entry_state(m, &e);
    return st;
}

emu_status emu_cpu_get_regs(emu_machine *m, unsigned cpu, emu_regs *out)
{
    if (cpu != 0)
        return EMU_ERR_ARG;
    memcpy(out->gpr, m->cpu->gpr, sizeof(out->gpr));
    out->rip = m->cpu->rip;
    out->rflags = cpu_get_rflags(m->cpu);
    return EMU_OK;
}

emu_status emu_cpu_set_regs(emu_machine *m, unsigned cpu, const emu_regs *in)
{
    if (cpu != 0)
        return EMU_ERR_ARG;
    memcpy(m->cpu->gpr, in->gpr, sizeof(in->gpr));
    m->cpu->rip = in->rip;
    cpu_set_rflags(m->cpu, in->rflags);
    return EMU_OK;
}

emu_status emu_cpu_get_sregs(emu_machine *m, unsigned cpu, emu_sregs *out)
{
    if (cpu != 0)
        return EMU_ERR_ARG;
    const struct cpu *c = m->cpu;
    *out = (emu_sregs){
        .cr0 = c->cr0, .cr2 = c->cr2, .cr3 = c->cr3, .cr4 = c->cr4, .efer = c->efer,
        .cs = c->seg[SEG_CS].sel, .ss = c->seg[SEG_SS].sel, .ds = c->seg[SEG_DS].sel,
        .es = c->seg[SEG_ES].sel, .fs = c->seg[SEG_FS].sel, .gs = c->seg[SEG_GS].sel,
        .tr = c->tr.sel, .ldtr = c->ldtr.sel, .fs_base = c->seg[SEG_FS].base,
        .gs_base = c->seg[SEG_GS].base, .gdt_base = c->gdtr.base, .idt_base = c->idtr.base,
        .gdt_limit = c->gdtr.limit, .idt_limit = c->idtr.limit, .cpl = c->cpl,
    };
    return EMU_OK;
}

emu_status emu_phys_read(emu_machine *m, uint64_t pa, void *buf, size_t len)
{
    phys_copy_from(&m->pm, pa, buf, len);
    return EMU_OK;
}

emu_status emu_phys_write(emu_machine *m, uint64_t pa, const void *buf, size_t len)
{
    phys_copy_to(&m->pm, pa, buf, len);
    return EMU_OK;
}

emu_status emu_virt_read(emu_machine *m, unsigned cpu, uint64_t lin, void *buf, size_t len,
                         size_t *done)
{
    if (cpu != 0)
        return EMU_ERR_ARG;
    size_t n = cpu_read_linear(m->cpu, lin, buf, len);
    if (done)
        *done = n;
    return n == len ? EMU_OK : EMU_ERR_ARG;
}
