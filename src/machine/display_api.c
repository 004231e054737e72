/* include/emu/display.h on the board: the VGA's text screen, key events for
 * the PS/2 keyboard, and the front end's place in the run loop. */
#include <time.h>

#include "../dev/i8042.h"
#include "machine.h"

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

emu_status emu_display_text(emu_machine *m, emu_text_screen *out)
{
    if (!m || !out) return EMU_ERR_ARG;
    vga_text_screen(m->vga, out);
    return EMU_OK;
}

emu_status emu_keyboard_input(emu_machine *m, const uint8_t *set2, size_t n)
{
    if (!m || !m->kbd || !set2 || n == 0) return EMU_ERR_ARG;
    i8042_key(m->kbd, set2, n);
    return EMU_OK;
}

static const char *mode_name(const struct cpu *cpu)
{
    switch (cpu->mode) {
    case MODE_REAL: return "real";
    case MODE_PROT16: return (cpu->rflags & RFLAGS_VM) ? "virtual-8086" : "protected-16";
    case MODE_PROT32: return "protected-32";
    case MODE_COMPAT16: return "compat-16";
    case MODE_COMPAT32: return "compat-32";
    case MODE_LONG64: return "64-bit";
    }
    return "?";
}

emu_status emu_machine_get_status(emu_machine *m, emu_machine_status *out)
{
    if (!m || !out) return EMU_ERR_ARG;
    *out = (emu_machine_status){
        .insns = m->cpu->icount,
        .time_ns = vclock_now(&m->clock),
        .cpl = m->cpu->cpl,
        .mode = mode_name(m->cpu),
        .halted = m->cpu->halted,
    };
    return EMU_OK;
}

const uint8_t (*emu_builtin_font(void))[16]
{
    return vga_font8x16;
}

emu_status emu_set_frontend(emu_machine *m, const emu_frontend *fe)
{
    if (!m) return EMU_ERR_ARG;
    m->frontend = fe ? *fe : (emu_frontend){0};
    m->frontend_last_ns = host_ns();
    return EMU_OK;
}

void frontend_tick(struct machine *m)
{
    if (!m->frontend.poll) return;
    uint64_t now = host_ns();
    if (now - m->frontend_last_ns < m->frontend.interval_ns) return;
    m->frontend_last_ns = now;
    m->frontend.poll(m->frontend.ctx, m);
}

bool frontend_wait(struct machine *m, uint64_t next)
{
    uint64_t now = vclock_now(&m->clock);
    uint64_t timeout = next == VCLOCK_NEVER ? UINT64_MAX : next > now ? next - now : 0;
    m->frontend.wait(m->frontend.ctx, m, timeout);
    m->frontend_last_ns = host_ns();
    return !m->stop && !cpu_can_wake(m->cpu) && next != VCLOCK_NEVER;
}
