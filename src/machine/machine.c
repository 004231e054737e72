/* Machine lifecycle and the run loop (DESIGN.md §1, §3; docs/clock.md): the
 * CPU runs up to the next timer deadline; due timers fire; a halted CPU jumps
 * virtual time to the next event, or sleeps in poll() on the serial input
 * while the input could still wake it. */
#include "machine.h"
#include "layout.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dev/uart.h"

#define INPUT_POLL_NS    1000000ULL /* serial input is polled every virtual ms */
#define HOST_SLICE_INSNS 100000ULL  /* --clock host: check timers this often */

void machine_request_stop(struct machine *m, emu_stop_reason reason, int status)
{
    if (m->stop) return;
    m->stop = true;
    m->stop_reason = reason;
    m->exit_status = status;
    cpu_request_exit(m->cpu);
}

void emu_machine_quit(emu_machine *m)
{
    machine_request_stop(m, EMU_STOP_QUIT, EXIT_POWEROFF);
}

static void sync_icount(void *ctx)
{
    cpu_sync_icount(ctx);
}

/* A device armed a timer earlier than the deadline cpu_exec was given:
 * have it return so the run loop computes a new limit. (A single step
 * needs nothing: the loop looks at the timers after every step.) */
static void timer_earlier(void *ctx)
{
    struct machine *m = ctx;
    if (m->in_exec && m->cpu->cur) cpu_kick(m->cpu);
}

emu_status emu_machine_create(const emu_config *config, emu_machine **out)
{
    *out = NULL;
    struct machine *m = calloc(1, sizeof(*m));
    if (!m) return EMU_ERR_NOMEM;
    if (config) m->cfg = *config;
    if (m->cfg.ram_size == 0) m->cfg.ram_size = MACHINE_DEFAULT_RAM;
    if (m->cfg.ram_size < MACHINE_MIN_RAM || m->cfg.ram_size > MACHINE_MAX_RAM ||
        m->cfg.clock > EMU_CLOCK_HOST || !board_layout(m->cfg.board)) {
        free(m);
        return EMU_ERR_ARG;
    }
    if (phys_init(&m->pm, m->cfg.ram_size) < 0) {
        free(m);
        return EMU_ERR_NOMEM;
    }
    const struct board_layout *layout = board_layout(m->cfg.board);
    phys_split_low(&m->pm, layout->lowmem_split_at, layout->lowmem_split);
    bus_init(&m->io);
    struct cpu_env env = board_cpu_env(m);
    m->cpu = cpu_new(&m->pm, &env, 0);
    if (!m->cpu) {
        emu_machine_destroy(m);
        return EMU_ERR_NOMEM;
    }
    vclock_init(&m->clock, &m->cpu->icount);
    hooks_init(&m->hooks);
    m->clock.sync = sync_icount;
    m->clock.sync_ctx = m->cpu;
    m->clock.earlier = timer_earlier;
    m->clock.earlier_ctx = m;
    if (m->cfg.clock == EMU_CLOCK_HOST) vclock_set_host(&m->clock);
    m->idle_icount = UINT64_MAX;
    if (machine_faults_init(m) < 0 || board_attach(m) < 0) {
        emu_machine_destroy(m);
        return EMU_ERR_NOMEM;
    }
    *out = m;
    return EMU_OK;
}

void emu_machine_destroy(emu_machine *m)
{
    if (!m) return;
    board_destroy(m);
    cpu_free(m->cpu);
    phys_destroy(&m->pm);
    free(m);
}

/* ---- running ------------------------------------------------------------- */

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Instruction count at which the CPU must stop to let the earliest timer
 * fire or the input be polled. */
static uint64_t icount_limit(const struct machine *m, uint64_t cap)
{
    uint64_t icount = m->cpu->icount;
    if (m->frontend.poll) cap = earliest(cap, icount + FRONTEND_SLICE_INSNS);
    if (m->clock.host) return earliest(cap, icount + HOST_SLICE_INSNS);
    uint64_t deadline = vclock_next_deadline(&m->clock);
    if (m->input.live) deadline = earliest(deadline, m->input.next_poll);
    if (deadline == VCLOCK_NEVER) return cap;
    uint64_t skipped = m->clock.skipped_ns;
    uint64_t at = deadline > skipped ? (deadline - skipped) / VCLOCK_NS_PER_INSN : 0;
    return earliest(cap, at);
}

/* Fires due timers and polls the serial input when its time has come. */
static void service(struct machine *m)
{
    vclock_run_due(&m->clock);
    uint64_t now = vclock_now(&m->clock);
    if (m->input.live && now >= m->input.next_poll) {
        board_pump_input(m);
        m->input.next_poll = now + INPUT_POLL_NS;
    }
}

/* Can the serial input wake the halted CPU? (It is alive, the UART has room
 * and the CPU takes interrupts.) */
static bool input_can_wake(struct machine *m)
{
    return m->input.live && m->input.fd >= 0 && (m->cpu->rflags & RFLAGS_IF) &&
           uart_rx_space(m->uart) > 0;
}

/* Sleeps until the input is readable or `ns` of wall time have passed
 * (VCLOCK_NEVER: no limit). Returns the wall time slept. */
static uint64_t wait_input(struct machine *m, uint64_t ns)
{
    struct pollfd pfd = {.fd = m->input.fd, .events = POLLIN};
    struct timespec ts = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
    uint64_t start = vclock_host_ns();
    int r = ppoll(&pfd, 1, ns == VCLOCK_NEVER ? NULL : &ts, NULL);
    if (r < 0 && errno != EINTR) m->input.live = false;
    return vclock_host_ns() - start;
}

static void sleep_until(struct machine *m, uint64_t t)
{
    uint64_t now = vclock_now(&m->clock);
    if (t <= now) return;
    struct timespec ts = {(time_t)((t - now) / 1000000000ULL), (long)((t - now) % 1000000000ULL)};
    nanosleep(&ts, NULL);
}

/* A halted CPU: wait for the input or jump time to the next event; stop if
 * nothing can wake it (docs/clock.md). */
static void idle(struct machine *m)
{
    if (cpu_can_wake(m->cpu)) return;
    if (m->cpu->icount != m->idle_icount) {
        vclock_new_epoch(&m->clock);
        m->idle_icount = m->cpu->icount;
    }
    uint64_t now = vclock_now(&m->clock);
    uint64_t next = vclock_next_deadline(&m->clock);
    if (input_can_wake(m)) {
        /* with the host clock, time moved on since service(): next may be past */
        uint64_t limit = next == VCLOCK_NEVER ? VCLOCK_NEVER : next > now ? next - now : 0;
        if (m->frontend.wait) limit = earliest(limit, m->frontend.interval_ns);
        uint64_t slept = wait_input(m, limit);
        vclock_skip_to(&m->clock, earliest(next, now + slept));
        board_pump_input(m);
        service(m);
        return;
    }
    bool dead = next == VCLOCK_NEVER || vclock_all_fired_twice(&m->clock);
    if (m->frontend.wait && !frontend_wait(m, dead ? VCLOCK_NEVER : next)) return;
    if (dead) {
        machine_request_stop(m, EMU_STOP_HALTED, EXIT_HALTED);
        return;
    }
    if (m->clock.host) sleep_until(m, next);
    vclock_skip_to(&m->clock, next);
    service(m);
}

static void finish(struct machine *m, emu_run_result *r)
{
    r->reason = m->stop_reason;
    r->exit_status = m->exit_status;
    r->insns = m->cpu->icount;
    r->triple_fault = m->triple_fault;
}

/* Runs until stop or until `cap` instructions have retired in all. */
static void run_until(struct machine *m, uint64_t cap, bool stepping)
{
    while (!m->stop) {
        if (m->cpu->icount >= cap) {
            if (!stepping) machine_request_stop(m, EMU_STOP_MAX_INSNS, EXIT_MAX_INSNS);
            return;
        }
        m->in_exec = !stepping;
        enum cpu_exit e = stepping ? cpu_step(m->cpu) : cpu_exec(m->cpu, icount_limit(m, cap));
        m->in_exec = false;
        service(m);
        frontend_tick(m);
        if (e == CPU_EXIT_SHUTDOWN)
            machine_shutdown(m);
        else if (e == CPU_EXIT_HALT)
            idle(m);
        else if (e == CPU_EXIT_STUCK)
            machine_request_stop(m, EMU_STOP_STUCK, EXIT_HALTED);
        if (stepping) return;
    }
}

emu_status emu_machine_run(emu_machine *m, emu_run_result *result)
{
    uint64_t cap = m->cfg.max_insns ? m->cfg.max_insns : UINT64_MAX;
    m->stop = false;
    run_until(m, cap, false);
    finish(m, result);
    return EMU_OK;
}

emu_status emu_machine_run_until(emu_machine *m, uint64_t icount, emu_run_result *result)
{
    uint64_t cap = m->cfg.max_insns && m->cfg.max_insns < icount ? m->cfg.max_insns : icount;
    m->stop = false;
    run_until(m, cap, false);
    finish(m, result);
    return EMU_OK;
}

void emu_machine_request_stop(emu_machine *m)
{
    machine_request_stop(m, EMU_STOP_REQUESTED, 0);
}

emu_status emu_machine_step(emu_machine *m, uint64_t n, emu_run_result *result)
{
    m->stop = false;
    m->stop_reason = EMU_STOP_STEPPED;
    m->exit_status = 0;
    for (uint64_t i = 0; i < n && !m->stop; i++)
        run_until(m, UINT64_MAX, true);
    finish(m, result);
    return EMU_OK;
}
