/* Segment descriptors and gates decoded for people (Intel SDM Vol. 3
 * §3.4.5 segment descriptors, §3.5 system descriptor types, §5.8.3 call
 * gates, §6.11 / §6.14.1 IDT gates, §7.2.3 the TSS descriptor in 64-bit
 * mode). In IA-32e mode the LDT and TSS descriptors and the call, interrupt
 * and trap gates are 16 bytes; the other system types are reserved. */
#ifndef EMU_DEBUG_DESC_H
#define EMU_DEBUG_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Descriptor bits in the low quadword (SDM Figure 3-8). */
#define DESC_S          (1ULL << 44)
#define DESC_P          (1ULL << 47)
#define DESC_AVL        (1ULL << 52)
#define DESC_L          (1ULL << 53)
#define DESC_DB         (1ULL << 54)
#define DESC_G          (1ULL << 55)
#define DESC_TYPE_SHIFT 40
#define DESC_DPL_SHIFT  45

struct desc_info {
    uint64_t lo, hi; // raw quadwords (hi: only for 16-byte descriptors)
    bool wide;       // 16 bytes (a system descriptor in IA-32e mode)
    bool segment;    // S = 1: code or data
    bool gate;       // call, interrupt, trap or task gate
    bool valid_type; // false: a type reserved in this mode
    unsigned type;   // the 4-bit type field
    unsigned dpl;
    bool present;
    uint64_t base;  // segments, LDT, TSS
    uint64_t limit; // byte granular (G applied)
    bool g, db, l, avl;
    uint16_t selector; // gates: the target code segment (task gate: the TSS)
    uint64_t offset;   // gates: the entry point
    unsigned ist;      // IA-32e interrupt/trap gates
    unsigned params;   // 32-bit call gates: parameter count
};

/* True if a descriptor of this low quadword is 16 bytes in IA-32e mode. */
bool desc_is_wide(uint64_t lo, bool ia32e);

/* Decodes a GDT/LDT entry (hi is the next quadword; used only when wide). */
void desc_decode(uint64_t lo, uint64_t hi, bool ia32e, struct desc_info *d);

/* Decodes an IDT entry: 16 bytes in IA-32e mode, else 8 (hi ignored). */
void desc_decode_gate(uint64_t lo, uint64_t hi, bool ia32e, struct desc_info *d);

/* The type in words: "code, execute/read, accessed", "64-bit TSS (busy)",
 * "64-bit interrupt gate", "reserved (type 0x1 is not valid in IA-32e mode)". */
const char *desc_type_name(const struct desc_info *d, bool ia32e, char *buf, size_t n);

/* One line describing the whole descriptor (type, DPL, present, base,
 * limit, mode of a code segment, or the gate's target). */
void desc_format(const struct desc_info *d, bool ia32e, char *buf, size_t n);

/* A segment-register cache entry (struct seg attr layout) in words:
 * "64-bit code, DPL 0" or "data read/write, DPL 3, 32-bit stack". */
void desc_format_cached(uint32_t attr, bool ia32e, char *buf, size_t n);

#endif
