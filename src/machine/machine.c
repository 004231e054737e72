/* Board assembly and the run loop (DESIGN.md §1, §3): the CPU runs up to the
 * next timer deadline; due timers fire; a halted CPU jumps virtual time to
 * the next event. */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stdout_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

/* ---- the CPU's view of the board ----------------------------------------- */

static uint64_t env_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct machine *m = opaque;
    return bus_read(&m->io, port, size);
}

static void env_io_out(void *opaque, uint16_t port, uint64_t value, unsigned size)
{
    struct machine *m = opaque;
    bus_write(&m->io, port, value, size);
}

static int env_intr_ack(void *opaque)
{
    (void)opaque;
    return -1;
}

static uint64_t env_now(void *opaque)
{
    struct machine *m = opaque;
    return vclock_now(&m->clock);
}

void machine_request_stop(struct machine *m, emu_stop_reason reason, int status)
{
    if (m->stop)
        return;
    m->stop = true;
    m->stop_reason = reason;
    m->exit_status = status;
    cpu_request_exit(m->cpu);
}

static void sysctl_request(void *ctx, enum sysctl_event ev, int status)
{
    struct machine *m = ctx;
    machine_request_stop(m, ev == SYSCTL_POWEROFF ? EMU_STOP_POWEROFF : EMU_STOP_DEBUG_EXIT,
                         status);
}

/* ---- assembly ------------------------------------------------------------ */

static int attach_devices(struct machine *m)
{
    emu_output_fn out = m->cfg.serial_out ? m->cfg.serial_out : stdout_write;
    m->uart = uart_new((struct char_sink){out, m->cfg.serial_ctx}, (struct irq_line){0});
    if (!m->uart)
        return -1;
    m->sysctl = (struct sysctl_sink){sysctl_request, m};
    int rc = 0;
    rc |= bus_register(&m->io, UART_COM1_BASE, UART_NREGS, uart_ops(), m->uart, "uart0");
    rc |= bus_register(&m->io, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, debug_exit_ops(), &m->sysctl,
                       "isa-debug-exit");
    rc |= bus_register(&m->io, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_SIZE, acpi_pm_ops(),
                       &m->sysctl, "acpi-pm");
    return rc;
}

emu_status emu_machine_create(const emu_config *config, emu_machine **out)
{
    *out = NULL;
    struct machine *m = calloc(1, sizeof(*m));
    if (!m)
        return EMU_ERR_NOMEM;
    if (config)
        m->cfg = *config;
    if (m->cfg.ram_size == 0)
        m->cfg.ram_size = MACHINE_DEFAULT_RAM;
    if (m->cfg.ram_size < MACHINE_MIN_RAM || m->cfg.ram_size > MACHINE_MAX_RAM) {
        free(m);
        return EMU_ERR_ARG;
    }
    if (phys_init(&m->pm, m->cfg.ram_size) < 0) {
        free(m);
        return EMU_ERR_NOMEM;
    }
    bus_init(&m->io);
    struct cpu_env env = {
        .opaque = m, .io_in = env_io_in, .io_out = env_io_out, .intr_ack = env_intr_ack,
        .now = env_now,
    };
    m->cpu = cpu_new(&m->pm, &env, 0);
    if (!m->cpu || attach_devices(m) < 0) {
        emu_machine_destroy(m);
        return EMU_ERR_NOMEM;
    }
    vclock_init(&m->clock, &m->cpu->icount);
    hooks_init(&m->hooks);
    if (machine_faults_init(m) < 0) {
        emu_machine_destroy(m);
        return EMU_ERR_NOMEM;
    }
    *out = m;
    return EMU_OK;
}

void emu_machine_destroy(emu_machine *m)
{
    if (!m)
        return;
    cpu_free(m->cpu);
    uart_free(m->uart);
    phys_destroy(&m->pm);
    free(m);
}

/* ---- running ------------------------------------------------------------- */

/* Instruction count at which the CPU must stop to let the earliest timer fire. */
static uint64_t icount_limit(const struct machine *m, uint64_t cap)
{
    uint64_t deadline = vclock_next_deadline(&m->clock);
    uint64_t limit = cap;
    if (deadline != VCLOCK_NEVER) {
        uint64_t skipped = m->clock.skipped_ns;
        uint64_t at = deadline > skipped ? (deadline - skipped) / VCLOCK_NS_PER_INSN : 0;
        if (at < limit)
            limit = at;
    }
    return limit;
}

/* A halted CPU: jump time to the next event, or stop if nothing can wake it. */
static void idle(struct machine *m)
{
    if (cpu_can_wake(m->cpu))
        return;
    uint64_t next = vclock_next_deadline(&m->clock);
    if (next == VCLOCK_NEVER) {
        machine_request_stop(m, EMU_STOP_HALTED, EXIT_HALTED);
        return;
    }
    vclock_skip_to(&m->clock, next);
    vclock_run_due(&m->clock);
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
            if (!stepping)
                machine_request_stop(m, EMU_STOP_MAX_INSNS, EXIT_MAX_INSNS);
            return;
        }
        enum cpu_exit e = stepping ? cpu_step(m->cpu) : cpu_exec(m->cpu, icount_limit(m, cap));
        vclock_run_due(&m->clock);
        if (e == CPU_EXIT_SHUTDOWN)
            machine_shutdown(m);
        else if (e == CPU_EXIT_HALT)
            idle(m);
        if (stepping)
            return;
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
