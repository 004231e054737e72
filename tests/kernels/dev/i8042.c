/* The i8042 PS/2 controller: status and command byte as the BIOS leaves
 * them, self-tests, the command byte written and read back, keyboard
 * commands and their (translated) replies, a byte injected as if typed
 * raising IRQ 1, and the auxiliary (mouse) port. */
#include "devlib.h"

#define DATA 0x60
#define CMD 0x64
#define ST_OBF 0x01
#define ST_AUX 0x20
#define V_KBD (PIC_VEC1 + 1)

static uint8_t kbd_data_in_handler;

static void hook(unsigned v)
{
    if (v == V_KBD) {
        kbd_data_in_handler = inb(DATA);
        outb(PIC1_CMD, PIC_EOI);
    }
}

/* The next byte of the output buffer, or -1 if none comes. */
static int next(void)
{
    for (unsigned i = 0; i < 100000; i++)
        if (inb(CMD) & ST_OBF)
            return inb(DATA);
    return -1;
}

static void command(uint8_t c)
{
    outb(CMD, c);
}

/* Sends a keyboard command and prints every reply byte. */
static void kbd(const char *name, const uint8_t *bytes, unsigned n)
{
    kprintf("%s:", name);
    for (unsigned i = 0; i < n; i++)
        outb(DATA, bytes[i]);
    for (int b; (b = next()) >= 0;)
        kprintf(" %02x", b);
    kprintf("\n");
}

static void controller(void)
{
    kprintf("status=%02x", inb(CMD));
    command(0x20);
    kprintf(" ccb=%02x", next());
    command(0xAA);
    kprintf(" self-test=%02x", next());
    command(0xAB);
    kprintf(" kbd-test=%02x", next());
    command(0xA9);
    kprintf(" aux-test=%02x status=%02x\n", next(), inb(CMD));
    command(0x60);
    outb(DATA, 0x45);
    command(0x20);
    int ccb = next();
    command(0x60);
    outb(DATA, 0x61);
    command(0xD0);
    int out = next();
    kprintf("ccb written 45 reads %02x; output port bit a20=%u reset=%u\n", ccb, (out >> 1) & 1,
            out & 1);
}

static void keyboard(void)
{
    static const uint8_t identify[] = {0xF2}, echo[] = {0xEE}, leds[] = {0xED, 0x07},
                         set_query[] = {0xF0, 0x00}, reset[] = {0xFF}, disable[] = {0xF5},
                         enable[] = {0xF4};
    kbd("identify", identify, 1);
    kbd("echo", echo, 1);
    kbd("leds", leds, 2);
    kbd("scancode set?", set_query, 2);
    kbd("reset", reset, 1);
    kbd("disable", disable, 1);
    kbd("enable", enable, 1);
}

static void injected_key(void)
{
    pic_mask(0xFD, 0xFF);
    command(0xD2);
    outb(DATA, 0x1E);
    while (irq_count[V_KBD] == 0)
        wait_irq();
    pic_mask(0xFF, 0xFF);
    kprintf("irq1: count=%u data=%02x status=%02x\n", irq_count[V_KBD], kbd_data_in_handler,
            inb(CMD));
}

/* Sends bytes to the mouse (each through command 0xD4) and prints every
 * reply byte. */
static void mouse(const char *name, const uint8_t *bytes, unsigned n)
{
    kprintf("aux %s:", name);
    for (unsigned i = 0; i < n; i++) {
        command(0xD4);
        outb(DATA, bytes[i]);
    }
    for (int b; (b = next()) >= 0;)
        kprintf(" %02x", b);
    kprintf("\n");
}

static void aux(void)
{
    static const uint8_t identify[] = {0xF2}, wheel[] = {0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2},
                         settings[] = {0xE8, 0x03, 0xF3, 40, 0xE7, 0xF0, 0xE9},
                         wrap[] = {0xEE, 0x42, 0xEC}, poll[] = {0xEB}, reset[] = {0xFF};
    command(0xA8);
    command(0xD4);
    outb(DATA, 0xF2);
    kprintf("aux identify status=%02x\n", inb(CMD));
    next();
    next();
    mouse("identify", identify, 1);
    mouse("intellimouse", wheel, 7);
    mouse("settings", settings, 7);
    mouse("wrap", wrap, 3);
    mouse("poll", poll, 1);
    mouse("reset", reset, 1);
    command(0xA7);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    controller();
    keyboard();
    injected_key();
    aux();
    return 0;
}
