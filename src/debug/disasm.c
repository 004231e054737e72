/* Zydis decoding and formatting for the debugger (see disasm.h). */
#include "disasm.h"

#include <stdio.h>
#include <string.h>

#include "../cpu/regs.h"

static void init_formatter(struct disasm *d, enum dis_syntax syntax)
{
    ZydisFormatter *f = &d->fmt[syntax];
    ZydisFormatterInit(f,
                       syntax == DIS_ATT ? ZYDIS_FORMATTER_STYLE_ATT : ZYDIS_FORMATTER_STYLE_INTEL);
    ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
    ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
                              ZYDIS_PADDING_DISABLED);
}

/* Appends " <symbol+offset>" for the first operand with an absolute target
 * (a relative branch, a RIP-relative or absolute memory operand). */
static void append_symbol(const struct symtab *symbols, uint64_t ip, struct dis_insn *out)
{
    for (unsigned i = 0; symbols && i < out->zi.operand_count_visible; i++) {
        const ZydisDecodedOperand *op = &out->ops[i];
        bool rel = op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative;
        bool mem = op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.index == ZYDIS_REGISTER_NONE &&
                   (op->mem.base == ZYDIS_REGISTER_RIP || op->mem.base == ZYDIS_REGISTER_EIP ||
                    (op->mem.base == ZYDIS_REGISTER_NONE && op->mem.disp.has_displacement));
        ZyanU64 addr;
        if ((!rel && !mem) || !ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&out->zi, op, ip, &addr)))
            continue;
        struct sym_loc loc;
        if (!symtab_lookup(symbols, addr, &loc) || !loc.name) return;
        size_t len = strlen(out->text);
        char name[128];
        if (loc.offset)
            snprintf(name, sizeof(name), "<%s+%#llx>", loc.name, (unsigned long long)loc.offset);
        else
            snprintf(name, sizeof(name), "<%s>", loc.name);
        if (rel)
            snprintf(out->text + len, sizeof(out->text) - len, " %s", name);
        else
            snprintf(out->text + len, sizeof(out->text) - len, "  # %#llx %s",
                     (unsigned long long)addr, name);
        return;
    }
}

void disasm_init(struct disasm *d)
{
    memset(d, 0, sizeof(*d));
    ZydisDecoderInit(&d->dec[MODE_REAL], ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d->dec[MODE_PROT16], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d->dec[MODE_PROT32], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&d->dec[MODE_COMPAT16], ZYDIS_MACHINE_MODE_LONG_COMPAT_16,
                     ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d->dec[MODE_COMPAT32], ZYDIS_MACHINE_MODE_LONG_COMPAT_32,
                     ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&d->dec[MODE_LONG64], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    init_formatter(d, DIS_INTEL);
    init_formatter(d, DIS_ATT);
}

void disasm_one(const struct disasm *d, unsigned mode, enum dis_syntax syntax,
                const struct symtab *symbols, const uint8_t *bytes, size_t avail, uint64_t ip,
                struct dis_insn *out)
{
    memset(out, 0, sizeof(*out));
    if (mode > MODE_LONG64) mode = MODE_LONG64;
    ZyanStatus st = ZydisDecoderDecodeFull(&d->dec[mode], bytes, avail, &out->zi, out->ops);
    if (!ZYAN_SUCCESS(st)) {
        out->len = avail ? 1 : 0;
        if (avail) out->bytes[0] = bytes[0];
        snprintf(out->text, sizeof(out->text), "(bad)");
        return;
    }
    out->ok = true;
    out->len = out->zi.length;
    memcpy(out->bytes, bytes, out->len);
    if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&d->fmt[syntax], &out->zi, out->ops,
                                                      out->zi.operand_count_visible, out->text,
                                                      sizeof(out->text), ip, NULL)))
        snprintf(out->text, sizeof(out->text), "(unformattable)");
    else
        append_symbol(symbols, ip, out);
}
