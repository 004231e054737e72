/* Descriptor decoding (see desc.h). */
#include "desc.h"

#include <stdio.h>
#include <string.h>

#include "../cpu/regs.h"

#define TYPE_ACCESSED    0x1
#define TYPE_RW          0x2 /* code: readable; data: writable */
#define TYPE_DC          0x4 /* code: conforming; data: expand-down */
#define TYPE_CODE        0x8
#define GATE_IST_SHIFT   32
#define GATE_IST_MASK    7
#define CALL_PARAMS_MASK 0x1f

static bool wide_type(unsigned type)
{
    return type == DESC_TYPE_LDT || type == DESC_TYPE_TSS || type == DESC_TYPE_TSS_BUSY ||
           type == DESC_TYPE_CALL || type == DESC_TYPE_INT || type == DESC_TYPE_TRAP;
}

bool desc_is_wide(uint64_t lo, bool ia32e)
{
    return ia32e && !(lo & DESC_S) && wide_type((lo >> DESC_TYPE_SHIFT) & 0xf);
}

static void common(uint64_t lo, struct desc_info *d)
{
    d->lo = lo;
    d->type = (lo >> DESC_TYPE_SHIFT) & 0xf;
    d->dpl = (lo >> DESC_DPL_SHIFT) & 3;
    d->present = (lo & DESC_P) != 0;
    d->segment = (lo & DESC_S) != 0;
}

static bool is_gate_type(unsigned type)
{
    return type == DESC_TYPE_CALL16 || type == DESC_TYPE_TASK || type == DESC_TYPE_INT16 ||
           type == DESC_TYPE_TRAP16 || type == DESC_TYPE_CALL || type == DESC_TYPE_INT ||
           type == DESC_TYPE_TRAP;
}

static void fill_gate(uint64_t lo, uint64_t hi, bool ia32e, struct desc_info *d)
{
    d->gate = true;
    d->selector = (uint16_t)(lo >> 16);
    d->offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL);
    if (d->wide) d->offset |= (hi & 0xffffffffULL) << 32;
    if (d->type == DESC_TYPE_TASK) d->offset = 0;
    if (d->type == DESC_TYPE_INT16 || d->type == DESC_TYPE_TRAP16 || d->type == DESC_TYPE_CALL16)
        d->offset &= 0xffff;
    if (ia32e && (d->type == DESC_TYPE_INT || d->type == DESC_TYPE_TRAP))
        d->ist = (lo >> GATE_IST_SHIFT) & GATE_IST_MASK;
    if (!ia32e && (d->type == DESC_TYPE_CALL || d->type == DESC_TYPE_CALL16))
        d->params = (lo >> GATE_IST_SHIFT) & CALL_PARAMS_MASK;
}

void desc_decode(uint64_t lo, uint64_t hi, bool ia32e, struct desc_info *d)
{
    memset(d, 0, sizeof(*d));
    common(lo, d);
    d->wide = desc_is_wide(lo, ia32e);
    d->hi = d->wide ? hi : 0;
    d->g = (lo & DESC_G) != 0;
    d->db = (lo & DESC_DB) != 0;
    d->l = (lo & DESC_L) != 0;
    d->avl = (lo & DESC_AVL) != 0;
    if (d->segment) {
        d->valid_type = true;
        d->base = desc_base(lo);
        d->limit = desc_limit(lo);
        return;
    }
    d->valid_type = ia32e ? wide_type(d->type)
                          : d->type != 0 && d->type != 0x8 && d->type != 0xA && d->type != 0xD;
    if (is_gate_type(d->type)) {
        fill_gate(lo, hi, ia32e, d);
        return;
    }
    d->base = desc_base(lo) | (d->wide ? (hi & 0xffffffffULL) << 32 : 0);
    d->limit = desc_limit(lo);
}

void desc_decode_gate(uint64_t lo, uint64_t hi, bool ia32e, struct desc_info *d)
{
    memset(d, 0, sizeof(*d));
    common(lo, d);
    d->wide = ia32e;
    d->hi = ia32e ? hi : 0;
    if (ia32e)
        d->valid_type = !d->segment && (d->type == DESC_TYPE_INT || d->type == DESC_TYPE_TRAP);
    else
        d->valid_type = !d->segment && (d->type == DESC_TYPE_INT || d->type == DESC_TYPE_TRAP ||
                                        d->type == DESC_TYPE_INT16 || d->type == DESC_TYPE_TRAP16 ||
                                        d->type == DESC_TYPE_TASK);
    if (!d->segment) fill_gate(lo, hi, ia32e, d);
}

static const char *system_type_name(unsigned type, bool ia32e)
{
    switch (type) {
    case DESC_TYPE_TSS16: return "16-bit TSS (available)";
    case DESC_TYPE_LDT: return "LDT";
    case DESC_TYPE_TSS16_BUSY: return "16-bit TSS (busy)";
    case DESC_TYPE_CALL16: return "16-bit call gate";
    case DESC_TYPE_TASK: return "task gate";
    case DESC_TYPE_INT16: return "16-bit interrupt gate";
    case DESC_TYPE_TRAP16: return "16-bit trap gate";
    case DESC_TYPE_TSS: return ia32e ? "64-bit TSS (available)" : "32-bit TSS (available)";
    case DESC_TYPE_TSS_BUSY: return ia32e ? "64-bit TSS (busy)" : "32-bit TSS (busy)";
    case DESC_TYPE_CALL: return ia32e ? "64-bit call gate" : "32-bit call gate";
    case DESC_TYPE_INT: return ia32e ? "64-bit interrupt gate" : "32-bit interrupt gate";
    case DESC_TYPE_TRAP: return ia32e ? "64-bit trap gate" : "32-bit trap gate";
    default: return NULL;
    }
}

const char *desc_type_name(const struct desc_info *d, bool ia32e, char *buf, size_t n)
{
    if (d->segment) {
        unsigned t = d->type;
        if (t & TYPE_CODE)
            snprintf(buf, n, "code, execute%s%s%s", (t & TYPE_RW) ? "/read" : "-only",
                     (t & TYPE_DC) ? ", conforming" : "", (t & TYPE_ACCESSED) ? ", accessed" : "");
        else
            snprintf(buf, n, "data, read%s%s%s", (t & TYPE_RW) ? "/write" : "-only",
                     (t & TYPE_DC) ? ", expand-down" : "", (t & TYPE_ACCESSED) ? ", accessed" : "");
        return buf;
    }
    const char *name = system_type_name(d->type, ia32e);
    if (!d->valid_type)
        snprintf(buf, n, "reserved (system type %#x is not valid %s)", d->type,
                 ia32e ? "in IA-32e mode" : "here");
    else
        snprintf(buf, n, "%s", name ? name : "reserved");
    return buf;
}

/* "64-bit code", "32-bit code", "16-bit code" from L and D. */
static const char *code_width(bool l, bool db, bool ia32e)
{
    if (ia32e && l) return db ? "invalid code (L=1 with D=1)" : "64-bit code";
    return db ? "32-bit code" : "16-bit code";
}

void desc_format(const struct desc_info *d, bool ia32e, char *buf, size_t n)
{
    char type[96];
    desc_type_name(d, ia32e, type, sizeof(type));
    const char *np = d->present ? "" : ", NOT PRESENT";
    if (d->gate) {
        if (d->type == DESC_TYPE_TASK)
            snprintf(buf, n, "%s, DPL %u, TSS selector %#x%s", type, d->dpl, d->selector, np);
        else {
            char ist[24] = "";
            if (d->ist) snprintf(ist, sizeof(ist), ", IST %u", d->ist);
            snprintf(buf, n, "%s, DPL %u, -> %#x:%#llx%s%s", type, d->dpl, d->selector,
                     (unsigned long long)d->offset, ist, np);
        }
        return;
    }
    if (d->segment && (d->type & TYPE_CODE)) {
        snprintf(buf, n, "%s, DPL %u, %s, base %#llx, limit %#llx%s", type, d->dpl,
                 code_width(d->l, d->db, ia32e), (unsigned long long)d->base,
                 (unsigned long long)d->limit, np);
        return;
    }
    snprintf(buf, n, "%s, DPL %u, base %#llx, limit %#llx%s%s", type, d->dpl,
             (unsigned long long)d->base, (unsigned long long)d->limit,
             d->segment && d->db ? ", 32-bit stack (B)" : "", np);
}

void desc_format_cached(uint32_t attr, bool ia32e, char *buf, size_t n)
{
    if (attr & SEG_ATTR_UNUSABLE) {
        snprintf(buf, n, "null (unusable)");
        return;
    }
    unsigned dpl = (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
    if (!(attr & SEG_ATTR_S)) {
        const char *name = system_type_name(attr & SEG_ATTR_TYPE, ia32e);
        snprintf(buf, n, "%s", name ? name : "system");
        return;
    }
    if (attr & SEG_ATTR_CODE)
        snprintf(buf, n, "%s, DPL %u%s", code_width(attr & SEG_ATTR_L, attr & SEG_ATTR_DB, ia32e),
                 dpl, (attr & SEG_ATTR_DC) ? ", conforming" : "");
    else
        snprintf(buf, n, "data %s, DPL %u", (attr & SEG_ATTR_RW) ? "read/write" : "read-only", dpl);
}
