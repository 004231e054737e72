#include "disasm.h"

#define TEXT_MAX 160

void tdis_init(struct tdis *d)
{
    static const struct {
        ZydisMachineMode mode;
        ZydisStackWidth width;
    } modes[DIS_MODES] = {
        [DIS_REAL16] = {ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16},
        [DIS_PROT16] = {ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16},
        [DIS_PROT32] = {ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32},
        [DIS_COMPAT16] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16},
        [DIS_COMPAT32] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32},
        [DIS_LONG64] = {ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64},
    };
    for (int i = 0; i < DIS_MODES; i++)
        ZydisDecoderInit(&d->dec[i], modes[i].mode, modes[i].width);
    ZydisFormatterInit(&d->fmt, ZYDIS_FORMATTER_STYLE_INTEL);
    ZydisFormatterSetProperty(&d->fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
}

void tdis_format(const struct tdis *d, struct sbuf *b, enum dis_mode mode, const uint8_t *bytes,
                 size_t len, uint64_t rip)
{
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[TEXT_MAX];
    if ((unsigned)mode >= DIS_MODES ||
        !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d->dec[mode], bytes, len, &insn, ops)) ||
        !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(
            &d->fmt, &insn, ops, insn.operand_count_visible, text, sizeof(text), rip, ZYAN_NULL))) {
        sb_puts(b, "(bad)");
        return;
    }
    sb_puts(b, text);
}
