/* Keeps the list of unimplemented opcodes in docs/cpu.md true: scans the
 * legacy opcode space (no prefix / 66 / F3 / F2, REX.W, the 1-byte, 0F,
 * 0F38 and 0F3A maps, every ModRM byte) in 64-bit and 32-bit decoding, and
 * the VEX (C4) space in 64-bit decoding, through emu's decoder front end;
 * every instruction Zydis accepts but emu turns into #UD is listed -- by
 * mnemonic for the base architecture and for extensions emu implements in
 * part, by name for extensions it does not implement at all -- and
 * compared with the block between the markers in docs/cpu.md.
 *
 *   test_unimplemented DOC           check (exit 1 and a diff on mismatch)
 *   test_unimplemented DOC --rebase  rewrite the block in DOC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"

#define BEGIN_MARK "<!-- unimplemented:begin -->\n"
#define END_MARK   "<!-- unimplemented:end -->"
#define LIST_MAX   8192

struct scan {
    struct decoders dec;
    ZydisDecoder zd[2];
    uint8_t base[ZYDIS_MNEMONIC_MAX_VALUE + 1];       // bit 0: 64-bit, bit 1: 32-bit
    uint8_t ext_missing[ZYDIS_ISA_EXT_MAX_VALUE + 1]; // some instruction raises #UD
    uint8_t ext_present[ZYDIS_ISA_EXT_MAX_VALUE + 1]; // some instruction is implemented
    uint8_t missing[ZYDIS_MNEMONIC_MAX_VALUE + 1];    // isa_ext + 1 of a form raising #UD
};

static const unsigned modes[2] = {MODE_LONG64, MODE_PROT32};

static void probe(struct scan *s, int mi, const uint8_t *b)
{
    ZydisDecodedInstruction zi;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&s->zd[mi], NULL, b, 15, &zi))) return;
    struct insn in;
    if (!ZYAN_SUCCESS(decode_insn(&s->dec, modes[mi], b, 15, &in))) return;
    if (in.fn != op_ud) {
        s->ext_present[zi.meta.isa_ext] = 1;
        return;
    }
    if (zi.mnemonic == ZYDIS_MNEMONIC_UD0 || zi.mnemonic == ZYDIS_MNEMONIC_UD1 ||
        zi.mnemonic == ZYDIS_MNEMONIC_UD2)
        return; /* #UD is what they are for */
    bool base = zi.meta.isa_ext == ZYDIS_ISA_EXT_BASE || zi.meta.isa_ext == ZYDIS_ISA_EXT_LONGMODE;
    if (base) {
        s->base[zi.mnemonic] |= (uint8_t)(1u << mi);
    } else {
        s->ext_missing[zi.meta.isa_ext] = 1;
        s->missing[zi.mnemonic] = (uint8_t)(zi.meta.isa_ext + 1);
    }
}

static void scan_legacy(struct scan *s, int mi)
{
    static const uint8_t maps[4][2] = {{0}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}};
    static const unsigned maplen[4] = {0, 1, 2, 2};
    static const uint8_t pfx[4] = {0, 0x66, 0xf3, 0xf2};
    for (unsigned map = 0; map < 4; map++)
        for (unsigned p = 0; p < 4; p++)
            for (unsigned w = 0; w < (mi == 0 ? 2u : 1u); w++)
                for (unsigned op = 0; op < 256; op++)
                    for (unsigned modrm = 0; modrm < 256; modrm++) {
                        uint8_t b[32] = {0};
                        unsigned n = 0;
                        if (pfx[p]) b[n++] = pfx[p];
                        if (w) b[n++] = 0x48;
                        memcpy(b + n, maps[map], maplen[map]);
                        n += maplen[map];
                        b[n++] = (uint8_t)op;
                        b[n] = (uint8_t)modrm;
                        probe(s, mi, b);
                    }
}

/* C4 RXB.mmmmm W.vvvv.L.pp opcode modrm, maps 0F/0F38/0F3A (64-bit only). */
static void scan_vex(struct scan *s)
{
    for (unsigned mmmmm = 1; mmmmm <= 3; mmmmm++)
        for (unsigned wlpp = 0; wlpp < 16; wlpp++)
            for (unsigned op = 0; op < 256; op++)
                for (unsigned modrm = 0; modrm < 256; modrm++) {
                    unsigned w = wlpp >> 3, l = (wlpp >> 2) & 1, pp = wlpp & 3;
                    uint8_t b[32] = {0xc4, (uint8_t)(0xe0 | mmmmm),
                                     (uint8_t)((w << 7) | 0x78 | (l << 2) | pp), (uint8_t)op,
                                     (uint8_t)modrm};
                    probe(s, 0, b);
                }
}

struct out {
    char *p;
    size_t n, cap;
    unsigned col;
};

static void put(struct out *o, const char *fmt, const char *arg)
{
    if (o->n < o->cap) o->n += (size_t)snprintf(o->p + o->n, o->cap - o->n, fmt, arg);
}

/* A word in a filled paragraph indented by four spaces. */
static void word(struct out *o, const char *w)
{
    if (o->col && o->col + strlen(w) > 72) {
        put(o, "%s", "\n");
        o->col = 0;
    }
    put(o, o->col ? " %s" : "    %s", w);
    o->col += (unsigned)strlen(w) + (o->col ? 1 : 4);
}

static void end_paragraph(struct out *o)
{
    if (o->col) put(o, "%s", "\n");
    o->col = 0;
}

static void render(const struct scan *s, char *buf, size_t cap)
{
    struct out o = {buf, 0, cap, 0};
    put(&o, "%s", "Base instructions (64: in 64-bit mode, 32: in 32-bit modes):\n");
    for (unsigned m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++) {
        if (!s->base[m]) continue;
        char line[64];
        snprintf(line, sizeof(line), "    %-12s %s%s%s\n", ZydisMnemonicGetString((ZydisMnemonic)m),
                 (s->base[m] & 1) ? "64" : "", s->base[m] == 3 ? ", " : "",
                 (s->base[m] & 2) ? "32" : "");
        put(&o, "%s", line);
    }
    for (unsigned e = 0; e <= ZYDIS_ISA_EXT_MAX_VALUE; e++) {
        if (!s->ext_missing[e] || !s->ext_present[e]) continue;
        put(&o, "Partly implemented extension %s, missing:\n",
            ZydisISAExtGetString((ZydisISAExt)e));
        for (unsigned m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++)
            if (s->missing[m] == e + 1) word(&o, ZydisMnemonicGetString((ZydisMnemonic)m));
        end_paragraph(&o);
    }
    put(&o, "%s", "Extensions not implemented at all (Zydis names):\n");
    for (unsigned e = 0; e <= ZYDIS_ISA_EXT_MAX_VALUE; e++)
        if (s->ext_missing[e] && !s->ext_present[e]) word(&o, ZydisISAExtGetString((ZydisISAExt)e));
    end_paragraph(&o);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[len] = 0;
    fclose(f);
    return buf;
}

/* Compares (or with `rebase` replaces) the block between the markers. */
static int check(const char *path, const char *list, bool rebase)
{
    char *doc = read_file(path);
    char *b = doc ? strstr(doc, BEGIN_MARK) : NULL;
    char *e = b ? strstr(b, END_MARK) : NULL;
    if (!e) {
        fprintf(stderr, "%s: no unimplemented:begin/end block\n", path);
        free(doc);
        return 1;
    }
    b += strlen(BEGIN_MARK);
    int rc = 0;
    if (rebase) {
        FILE *f = fopen(path, "wb");
        rc = !f || fprintf(f, "%.*s%s%s", (int)(b - doc), doc, list, e) < 0;
        if (f) fclose(f);
    } else if ((size_t)(e - b) != strlen(list) || memcmp(b, list, strlen(list)) != 0) {
        fprintf(stderr,
                "%s is out of date; emu's unimplemented opcodes are:\n%s"
                "(run with --rebase to update the document)\n",
                path, list);
        rc = 1;
    }
    free(doc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_unimplemented DOC [--rebase]\n");
        return 2;
    }
    struct scan *s = calloc(1, sizeof(*s));
    char *list = malloc(LIST_MAX);
    if (!s || !list) return 1;
    decoders_init(&s->dec);
    ZydisDecoderInit(&s->zd[0], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecoderInit(&s->zd[1], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    scan_legacy(s, 0);
    scan_legacy(s, 1);
    scan_vex(s);
    render(s, list, LIST_MAX);
    int rc = check(argv[1], list, argc > 2 && !strcmp(argv[2], "--rebase"));
    free(list);
    free(s);
    return rc;
}
