/* The VGA's registers at ports 0x3B0-0x3DF. Masks and read-back follow the
 * IBM VGA reference as QEMU's VGA models it, so a kernel that probes them
 * sees the same values on both machines (tests/kernels/dev/vga_regs.c). */
#include "vga_regs.h"

#include <stdlib.h>

/* Writable bits of the sequencer and graphics controller registers. */
static const uint8_t sr_mask[VGA_SEQ_C] = {0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff};
static const uint8_t gr_mask[VGA_GFX_C] = {0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff};

/* Mode 3 timing: a 28.322 MHz dot clock, 900 dots a line (720 shown), 449
 * lines a frame (400 shown, vertical retrace on lines 412-413): 70 Hz. */
#define VGA_LINE_NS        31778ULL
#define VGA_FRAME_LINES    449
#define VGA_ACTIVE_LINES   400
#define VGA_ACTIVE_LINE_NS 25422ULL /* 720 of 900 dots */
#define VGA_VRETRACE_FIRST 412
#define VGA_VRETRACE_LINES 2

struct vga *vga_new(const struct vclock *clock)
{
    struct vga *v = calloc(1, sizeof(*v));
    if (!v) return NULL;
    v->clock = clock;
    vga_reset(v);
    return v;
}

void vga_free(struct vga *v)
{
    free(v);
}

/* Input status 1: where the beam is, from virtual time. */
static uint8_t input_status1(const struct vga *v)
{
    uint64_t t = v->clock ? vclock_now(v->clock) : 0;
    uint64_t in_frame = t % (VGA_LINE_NS * VGA_FRAME_LINES);
    uint64_t line = in_frame / VGA_LINE_NS;
    uint8_t st = 0;
    if (line >= VGA_ACTIVE_LINES || in_frame % VGA_LINE_NS >= VGA_ACTIVE_LINE_NS)
        st |= VGA_ST01_DISP_ENABLE;
    if (line >= VGA_VRETRACE_FIRST && line < VGA_VRETRACE_FIRST + VGA_VRETRACE_LINES)
        st |= VGA_ST01_V_RETRACE;
    return st;
}

/* True if `port` is the CRTC or status port of the address set not selected. */
static bool other_address_set(const struct vga *v, uint64_t port)
{
    bool mono_port = port == VGA_CRT_IM || port == VGA_CRT_DM || port == VGA_IS1_RM;
    bool color_port = port == VGA_CRT_IC || port == VGA_CRT_DC || port == VGA_IS1_RC;
    bool color = v->msr & VGA_MIS_COLOR;
    return (mono_port && color) || (color_port && !color);
}

static uint8_t dac_read(struct vga *v)
{
    uint8_t val = v->dac[v->dac_read_index][v->dac_sub_index];
    if (++v->dac_sub_index == 3) {
        v->dac_sub_index = 0;
        v->dac_read_index++;
    }
    return val;
}

static void dac_write(struct vga *v, uint8_t val)
{
    v->dac_cache[v->dac_sub_index] = val & VGA_DAC_MASK;
    if (++v->dac_sub_index == 3) {
        for (int i = 0; i < 3; i++)
            v->dac[v->dac_write_index][i] = v->dac_cache[i];
        v->dac_sub_index = 0;
        v->dac_write_index++;
    }
}

static uint8_t attr_read(const struct vga *v, uint64_t port)
{
    unsigned index = v->ar_index & VGA_AR_INDEX_MASK;
    if (port == VGA_ATT_W) return v->ar_flip_flop ? 0 : v->ar_index;
    return index < VGA_ATC_C ? v->ar[index] : 0;
}

static uint8_t io_read_byte(struct vga *v, uint64_t port)
{
    if (other_address_set(v, port)) return 0xff;
    switch (port) {
    case VGA_ATT_W:
    case VGA_ATT_R: return attr_read(v, port);
    case VGA_MIS_W: return 0; /* input status 0 */
    case VGA_SEQ_I: return v->sr_index;
    case VGA_SEQ_D: return v->sr[v->sr_index];
    case VGA_PEL_MSK: return 0xff;
    case VGA_PEL_IR: return v->dac_state;
    case VGA_PEL_IW: return v->dac_write_index;
    case VGA_PEL_D: return dac_read(v);
    case VGA_FTC_R: return v->fcr;
    case VGA_MIS_R: return v->msr;
    case VGA_GFX_I: return v->gr_index;
    case VGA_GFX_D: return v->gr_index < VGA_GFX_C ? v->gr[v->gr_index] : 0;
    case VGA_CRT_IM:
    case VGA_CRT_IC: return v->cr_index;
    case VGA_CRT_DM:
    case VGA_CRT_DC: return v->cr[v->cr_index];
    case VGA_IS1_RM:
    case VGA_IS1_RC: v->ar_flip_flop = false; return input_status1(v);
    default: return 0xff;
    }
}

static void attr_write(struct vga *v, uint8_t val)
{
    if (!v->ar_flip_flop) {
        v->ar_index = val & 0x3f;
        v->ar_flip_flop = true;
        return;
    }
    unsigned index = v->ar_index & VGA_AR_INDEX_MASK;
    if (index < VGA_ATC_PALETTE_COUNT)
        v->ar[index] = val & 0x3f;
    else if (index == VGA_ATC_MODE)
        v->ar[index] = val & ~0x10;
    else if (index == VGA_ATC_OVERSCAN)
        v->ar[index] = val;
    else if (index == VGA_ATC_PLANE_ENABLE)
        v->ar[index] = val & ~0xc0;
    else if (index == VGA_ATC_PEL || index == VGA_ATC_COLOR_PAGE)
        v->ar[index] = val & ~0xf0;
    v->ar_flip_flop = false;
}

/* CR0-CR7 are read-only while CR11 bit 7 is set, except CR7's line-compare bit. */
static void crtc_write(struct vga *v, uint8_t val)
{
    if ((v->cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7) && v->cr_index <= VGA_CRTC_OVERFLOW) {
        if (v->cr_index == VGA_CRTC_OVERFLOW)
            v->cr[VGA_CRTC_OVERFLOW] = (v->cr[VGA_CRTC_OVERFLOW] & ~VGA_CR07_LINE_COMPARE8) |
                                       (val & VGA_CR07_LINE_COMPARE8);
        return;
    }
    v->cr[v->cr_index] = val;
}

static void io_write_byte(struct vga *v, uint64_t port, uint8_t val)
{
    if (other_address_set(v, port)) return;
    switch (port) {
    case VGA_ATT_W: attr_write(v, val); break;
    case VGA_MIS_W: v->msr = val & ~0x10; break;
    case VGA_SEQ_I: v->sr_index = val & 7; break;
    case VGA_SEQ_D: v->sr[v->sr_index] = val & sr_mask[v->sr_index]; break;
    case VGA_PEL_IR:
        v->dac_read_index = val;
        v->dac_sub_index = 0;
        v->dac_state = VGA_DAC_STATE_READ;
        break;
    case VGA_PEL_IW:
        v->dac_write_index = val;
        v->dac_sub_index = 0;
        v->dac_state = VGA_DAC_STATE_WRITE;
        break;
    case VGA_PEL_D: dac_write(v, val); break;
    case VGA_GFX_I: v->gr_index = val & 0x0f; break;
    case VGA_GFX_D:
        if (v->gr_index < VGA_GFX_C) v->gr[v->gr_index] = val & gr_mask[v->gr_index];
        break;
    case VGA_CRT_IM:
    case VGA_CRT_IC: v->cr_index = val; break;
    case VGA_CRT_DM:
    case VGA_CRT_DC: crtc_write(v, val); break;
    case VGA_IS1_RM:
    case VGA_IS1_RC: v->fcr = val & 0x10; break;
    default: break;
    }
}

/* Wider accesses are byte accesses to consecutive ports, lowest first
 * (outw 0x3D4, 0x0E0F: index 0x0F, then data 0x0E). */
static uint64_t vga_io_read(void *opaque, uint64_t port, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && port + i < VGA_PORT_COUNT; i++)
        v |= (uint64_t)io_read_byte(opaque, port + i) << (8 * i);
    return v;
}

static void vga_io_write(void *opaque, uint64_t port, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size && port + i < VGA_PORT_COUNT; i++)
        io_write_byte(opaque, port + i, (uint8_t)(value >> (8 * i)));
}

static const struct bus_ops io_ops = {vga_io_read, vga_io_write};

const struct bus_ops *vga_io_ops(void)
{
    return &io_ops;
}
