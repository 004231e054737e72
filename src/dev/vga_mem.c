/* The CPU's window onto video memory at 0xA0000-0xBFFFF. The graphics
 * controller's memory map select picks the part that answers (the rest
 * reads all-ones); the addressing mode picks the plane:
 *   chain 4 (SR4 bit 3): address bits 0-1 select the plane;
 *   odd/even (GR5 bit 4, text mode): address bit 0 selects plane 0 or 1
 *     (reads add the read map select's bit 1, reaching planes 2 and 3);
 *   planar: reads come from the read map select's plane, writes go to every
 *     plane the sequencer's map mask enables.
 * Writes store the CPU's byte as it is (write mode 0 without rotation,
 * set/reset or logical operations -- what text mode and font loading use). */
#include "vga_regs.h"

#define VGA_MAP_COUNT 4

static const uint32_t map_base[VGA_MAP_COUNT] = {0x00000, 0x00000, 0x10000, 0x18000};
static const uint32_t map_len[VGA_MAP_COUNT] = {0x20000, 0x10000, 0x08000, 0x08000};

/* Offset of window address `a` in the selected map, or -1 if outside it. */
static int64_t window_offset(const struct vga *v, uint64_t a)
{
    unsigned map = (v->gr[VGA_GFX_MISC] >> VGA_GR06_MAP_SHIFT) & VGA_GR06_MAP_MASK;
    if (a < map_base[map] || a - map_base[map] >= map_len[map]) return -1;
    return (int64_t)(a - map_base[map]);
}

static uint8_t mem_read_byte(struct vga *v, uint64_t a)
{
    int64_t off = window_offset(v, a);
    if (off < 0) return 0xff;
    uint32_t o = (uint32_t)off;
    if (v->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) return *vga_plane_byte(v, o & ~3u, o & 3);
    if (v->gr[VGA_GFX_MODE] & VGA_GR05_HOST_ODD_EVEN)
        return *vga_plane_byte(v, o & ~1u, (o & 1) | (v->gr[VGA_GFX_PLANE_READ] & 2));
    return *vga_plane_byte(v, o, v->gr[VGA_GFX_PLANE_READ] & 3);
}

static void mem_write_byte(struct vga *v, uint64_t a, uint8_t val)
{
    int64_t off = window_offset(v, a);
    if (off < 0) return;
    uint32_t o = (uint32_t)off;
    uint8_t mask = v->sr[VGA_SEQ_PLANE_WRITE];
    if (v->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        if (mask & (1u << (o & 3))) *vga_plane_byte(v, o & ~3u, o & 3) = val;
        return;
    }
    if (v->gr[VGA_GFX_MODE] & VGA_GR05_HOST_ODD_EVEN) {
        if (mask & (1u << (o & 1))) *vga_plane_byte(v, o & ~1u, o & 1) = val;
        return;
    }
    for (unsigned p = 0; p < VGA_PLANES; p++)
        if (mask & (1u << p)) *vga_plane_byte(v, o, p) = val;
}

static uint64_t vga_mem_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t val = 0;
    for (unsigned i = 0; i < size && off + i < VGA_MEM_SIZE; i++)
        val |= (uint64_t)mem_read_byte(opaque, off + i) << (8 * i);
    return val;
}

static void vga_mem_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size && off + i < VGA_MEM_SIZE; i++)
        mem_write_byte(opaque, off + i, (uint8_t)(value >> (8 * i)));
}

static const struct bus_ops mem_ops = {vga_mem_read, vga_mem_write};

const struct bus_ops *vga_mem_ops(void)
{
    return &mem_ops;
}
