/* The VGA's registers and memory window as a text-mode kernel sees them,
 * printed so the harness compares emu with QEMU's VGA: the mode 3 state a
 * VGA BIOS leaves (sequencer, graphics controller, attribute controller,
 * CRTC, DAC), the writable bits of each register, the CRTC's CR0-CR7 write
 * protection, the attribute controller's index/data flip-flop, DAC
 * auto-increment, word-wide OUTs, the memory map select, and plane 2
 * (fonts) reached by the font-loading sequence without disturbing the
 * text in planes 0 and 1.
 *
 * Left out: the cursor location and the screen contents (SeaBIOS has
 * printed on QEMU's screen before the kernel starts), the font itself
 * (QEMU's is IBM's, emu's is its own), and input status 1's retrace bits
 * (QEMU toggles them on every read; emu times them on the virtual clock):
 * only that polling for retrace ends is checked. */
#include "klib.h"

#define MISC_R       0x3CC
#define SEQ_I        0x3C4
#define GFX_I        0x3CE
#define ATT_W        0x3C0
#define ATT_R        0x3C1
#define CRT_I        0x3D4
#define IS1          0x3DA
#define DAC_RI       0x3C7
#define DAC_WI       0x3C8
#define DAC_D        0x3C9
#define ATT_PAS      0x20
#define CR11_PROTECT 0x80
#define TEXT         ((volatile uint8_t *)0xB8000)
#define LOWMEM       ((volatile uint8_t *)0xA0000)

static uint8_t idx_read(uint16_t port, uint8_t index)
{
    outb(port, index);
    return inb(port + 1);
}

static void idx_write(uint16_t port, uint8_t index, uint8_t v)
{
    outb(port, index);
    outb(port + 1, v);
}

static uint8_t att_read(uint8_t index)
{
    inb(IS1);
    outb(ATT_W, index | ATT_PAS);
    uint8_t v = inb(ATT_R);
    inb(IS1);
    return v;
}

static void att_write(uint8_t index, uint8_t v)
{
    inb(IS1);
    outb(ATT_W, index | ATT_PAS);
    outb(ATT_W, v);
}

static void dump(const char *name, uint16_t port, unsigned first, unsigned n)
{
    kprintf("%s:", name);
    for (unsigned i = first; i < first + n; i++)
        kprintf(" %02x", port == ATT_W ? att_read((uint8_t)i) : idx_read(port, (uint8_t)i));
    kprintf("\n");
}

/* Writes all-ones to each register, prints what sticks, restores it. */
static void writable(const char *name, uint16_t port, unsigned n)
{
    kprintf("%s writable:", name);
    for (unsigned i = 0; i < n; i++) {
        uint8_t old = port == ATT_W ? att_read((uint8_t)i) : idx_read(port, (uint8_t)i);
        if (port == ATT_W) {
            att_write((uint8_t)i, 0xff);
            kprintf(" %02x", att_read((uint8_t)i));
            att_write((uint8_t)i, old);
        } else {
            idx_write(port, (uint8_t)i, 0xff);
            kprintf(" %02x", idx_read(port, (uint8_t)i));
            idx_write(port, (uint8_t)i, old);
        }
    }
    kprintf("\n");
}

static void crtc_protection(void)
{
    uint8_t cr1 = idx_read(CRT_I, 1), cr7 = idx_read(CRT_I, 7), cr11 = idx_read(CRT_I, 0x11);
    idx_write(CRT_I, 0x11, cr11 | CR11_PROTECT);
    idx_write(CRT_I, 1, 0x27);
    idx_write(CRT_I, 7, 0xff);
    kprintf("protected: cr1=%02x cr7=%02x\n", idx_read(CRT_I, 1), idx_read(CRT_I, 7));
    idx_write(CRT_I, 0x11, cr11 & ~CR11_PROTECT);
    idx_write(CRT_I, 1, 0x27);
    kprintf("unprotected: cr1=%02x\n", idx_read(CRT_I, 1));
    idx_write(CRT_I, 1, cr1);
    idx_write(CRT_I, 7, cr7);
    idx_write(CRT_I, 0x11, cr11);
    outw(CRT_I, 0x3c0e); /* word OUT: index 0x0e, data 0x3c */
    kprintf("outw: cr0e=%02x index=%02x\n", idx_read(CRT_I, 0x0e), inb(CRT_I));
}

static void dac(void)
{
    outb(DAC_RI, 0);
    uint32_t crc = 0;
    for (int i = 0; i < 256 * 3; i++) {
        uint8_t c = inb(DAC_D);
        crc = crc32(crc, &c, 1);
    }
    kprintf("dac crc=%08x state=%02x\n", crc, inb(DAC_RI));
    outb(DAC_WI, 200);
    for (int i = 0; i < 6; i++)
        outb(DAC_D, (uint8_t)(10 + i));
    kprintf("dac write index=%02x state=%02x\n", inb(DAC_WI), inb(DAC_RI));
    outb(DAC_RI, 200);
    kprintf("dac 200..201:");
    for (int i = 0; i < 6; i++)
        kprintf(" %02x", inb(DAC_D));
    kprintf(" state=%02x\n", inb(DAC_RI));
}

static void attribute_flip_flop(void)
{
    inb(IS1);
    outb(ATT_W, 0x10 | ATT_PAS);
    uint8_t data = inb(ATT_R);
    inb(IS1);
    kprintf("att data=%02x index after reset=%02x\n", data, inb(ATT_W));
}

/* Font loading: plane 2 through a planar window at 0xA0000. */
static void plane2(void)
{
    TEXT[0] = 'T';
    TEXT[1] = 0x1e;
    uint8_t sr2 = idx_read(SEQ_I, 2), sr4 = idx_read(SEQ_I, 4);
    uint8_t gr4 = idx_read(GFX_I, 4), gr5 = idx_read(GFX_I, 5), gr6 = idx_read(GFX_I, 6);
    idx_write(SEQ_I, 2, 0x04);
    idx_write(SEQ_I, 4, 0x07);
    idx_write(GFX_I, 4, 0x02);
    idx_write(GFX_I, 5, 0x00);
    idx_write(GFX_I, 6, 0x04);
    uint8_t saved[4];
    for (int i = 0; i < 4; i++) {
        saved[i] = LOWMEM[0x1000 + i];
        LOWMEM[0x1000 + i] = (uint8_t)(0xa5 ^ i);
    }
    kprintf("plane2: %02x %02x %02x %02x b8000=%02x\n", LOWMEM[0x1000], LOWMEM[0x1001],
            LOWMEM[0x1002], LOWMEM[0x1003], TEXT[0]);
    for (int i = 0; i < 4; i++)
        LOWMEM[0x1000 + i] = saved[i];
    idx_write(SEQ_I, 2, sr2);
    idx_write(SEQ_I, 4, sr4);
    idx_write(GFX_I, 4, gr4);
    idx_write(GFX_I, 5, gr5);
    idx_write(GFX_I, 6, gr6);
    kprintf("text: %c %02x a0000=%02x\n", TEXT[0], TEXT[1], LOWMEM[0]);
}

static void retrace(void)
{
    unsigned long n = 0;
    while ((inb(IS1) & 8) && n < 100000000ul)
        n++;
    while (!(inb(IS1) & 8) && n < 100000000ul)
        n++;
    kprintf("retrace %s\n", n < 100000000ul ? "seen" : "never");
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    inb(IS1);
    kprintf("misc=%02x\n", inb(MISC_R));
    dump("seq", SEQ_I, 0, 5);
    dump("gfx", GFX_I, 0, 9);
    dump("att palette", ATT_W, 0, 16);
    dump("att", ATT_W, 0x10, 5);
    dump("crtc", CRT_I, 0, 0x0e);
    dump("crtc", CRT_I, 0x10, 9);
    writable("seq", SEQ_I, 5);
    writable("gfx", GFX_I, 9);
    writable("att", ATT_W, 0x15);
    crtc_protection();
    attribute_flip_flop();
    dac();
    plane2();
    retrace();
    return 0;
}
