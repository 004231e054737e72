/* The board: which device sits where and how the interrupt lines run, as on
 * QEMU's q35 machine after SeaBIOS (docs/devices.md).
 *
 *   ISA IRQ n --+--> 8259 pair input n --INT--> LAPIC LINT0 (ExtINT) --> CPU INTR
 *               +--> I/O APIC pin n (IRQ 0 -> pin 2) --APIC bus--> LAPIC
 *   PIT ch0 -> IRQ 0, i8042 -> IRQ 1 and 12, COM1 -> IRQ 4, RTC -> IRQ 8. */
#include <stdio.h>
#include <stdlib.h>

#include "../apic/ioapic.h"
#include "../apic/lapic.h"
#include "../apic/pic.h"
#include "../dev/i8042.h"
#include "../dev/pit.h"
#include "../dev/rtc.h"
#include "../dev/uart.h"
#include "machine.h"
#include "layout.h"

_Static_assert(APIC_MAXPHYADDR == MMU_MAXPHYADDR, "IA32_APIC_BASE width follows MAXPHYADDR");

#define ISA_IRQ0_GSI 2 /* the PIT's IRQ 0 arrives at I/O APIC pin 2 (ACPI override) */
#define INPUT_CHUNK  64

/* ---- interrupt lines -------------------------------------------------------- */

static void isa_irq_set(void *opaque, int irq, int level)
{
    struct machine *m = opaque;
    uint16_t bit = (uint16_t)(1u << irq);
    if (level && !(m->isa_levels & bit)) machine_irq_raised(m, EMU_IRQ_ISA, irq, -1);
    m->isa_levels = level ? (uint16_t)(m->isa_levels | bit) : (uint16_t)(m->isa_levels & ~bit);
    pic_set_irq(m->pic, irq, level);
    ioapic_set_irq(m->ioapic, irq == 0 ? ISA_IRQ0_GSI : irq, level);
}

/* ---- the local APIC's view of its CPU --------------------------------------- */

static void port_set_intr(void *ctx, bool level)
{
    struct machine *m = ctx;
    cpu_set_intr(m->cpu, level);
}

static void port_nmi(void *ctx)
{
    struct machine *m = ctx;
    cpu_raise_nmi(m->cpu);
}

/* INIT of the only CPU: there is no firmware to restart it, so the machine
 * stops as on a reset (docs/devices.md). */
static void port_init(void *ctx)
{
    struct machine *m = ctx;
    machine_request_stop(m, EMU_STOP_RESET, EXIT_RESET);
}

static void port_sipi(void *ctx, uint8_t vector)
{
    (void)ctx;
    (void)vector; /* the BSP never waits for a start-up IPI */
}

static void port_set_cr8(void *ctx, uint8_t cr8)
{
    struct machine *m = ctx;
    m->cpu->cr8 = cr8;
}

static uint64_t port_tsc(void *ctx)
{
    struct machine *m = ctx;
    return cpu_tsc(m->cpu);
}

static void port_apic_present(void *ctx, bool on)
{
    struct machine *m = ctx;
    if (on)
        m->cpu->features |= CPU_FEAT_APIC;
    else
        m->cpu->features &= ~(uint32_t)CPU_FEAT_APIC;
}

static void port_mmio_moved(void *ctx)
{
    struct machine *m = ctx;
    mmu_flush_all(&m->cpu->mmu);
}

/* ---- the CPU's view of the board ------------------------------------------- */

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
    struct machine *m = opaque;
    return lapic_intr_ack(m->lapic);
}

static int env_msr_read(void *opaque, uint32_t msr, uint64_t *value)
{
    struct machine *m = opaque;
    return lapic_msr_read(m->lapic, msr, value);
}

static int env_msr_write(void *opaque, uint32_t msr, uint64_t value)
{
    struct machine *m = opaque;
    return lapic_msr_write(m->lapic, msr, value);
}

static void env_cr8_write(void *opaque, uint8_t cr8)
{
    struct machine *m = opaque;
    lapic_write_cr8(m->lapic, cr8);
}

/* The local APIC's sources as the hook API names them. */
static const emu_irq_source apic_sources[] = {
    [APIC_SRC_UNKNOWN] = EMU_IRQ_UNKNOWN, [APIC_SRC_EXTINT] = EMU_IRQ_PIC,
    [APIC_SRC_IOAPIC] = EMU_IRQ_IOAPIC,   [APIC_SRC_TIMER] = EMU_IRQ_LAPIC_TIMER,
    [APIC_SRC_LINT] = EMU_IRQ_LAPIC_LINT, [APIC_SRC_ERROR] = EMU_IRQ_LAPIC_ERROR,
    [APIC_SRC_IPI] = EMU_IRQ_IPI,         [APIC_SRC_OTHER_LVT] = EMU_IRQ_UNKNOWN,
};

/* A vector became pending in the local APIC (EMU_EV_IRQ_RAISE). */
static void port_irq_pending(void *ctx, unsigned vector, uint8_t src, int pin)
{
    emu_irq_source s = src < sizeof(apic_sources) / sizeof(apic_sources[0]) ? apic_sources[src]
                                                                            : EMU_IRQ_UNKNOWN;
    machine_irq_raised(ctx, s, pin, (int)vector);
}

/* Who raised the interrupt the CPU just acknowledged (for traces). */
static int env_intr_source(void *opaque, unsigned vector, int *pin)
{
    const emu_irq_source *map = apic_sources;
    struct machine *m = opaque;
    *pin = -1;
    int src = lapic_ack_source(m->lapic, vector, pin);
    if (src == APIC_SRC_UNKNOWN) return vector == EXC_NMI ? EMU_IRQ_NMI : EMU_IRQ_UNKNOWN;
    if (src == APIC_SRC_EXTINT) *pin = pic_last_irq(m->pic);
    return map[src];
}

static uint64_t env_now(void *opaque)
{
    struct machine *m = opaque;
    return vclock_now(&m->clock);
}

struct cpu_env board_cpu_env(struct machine *m)
{
    return (struct cpu_env){
        .opaque = m,
        .io_in = env_io_in,
        .io_out = env_io_out,
        .intr_ack = env_intr_ack,
        .msr_read = env_msr_read,
        .msr_write = env_msr_write,
        .now = env_now,
        .cr8_write = env_cr8_write,
        .intr_source = env_intr_source,
    };
}

/* ---- assembly ---------------------------------------------------------------- */

static void stdout_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

static void sysctl_request(void *ctx, enum sysctl_event ev, int status)
{
    struct machine *m = ctx;
    switch (ev) {
    case SYSCTL_POWEROFF: machine_request_stop(m, EMU_STOP_POWEROFF, status); break;
    case SYSCTL_RESET: machine_request_stop(m, EMU_STOP_RESET, EXIT_RESET); break;
    default: machine_request_stop(m, EMU_STOP_DEBUG_EXIT, status); break;
    }
}

static int create_interrupt_controllers(struct machine *m)
{
    apic_bus_init(&m->apic_bus);
    struct lapic_cpu_port port = {
        .ctx = m,
        .set_intr = port_set_intr,
        .nmi = port_nmi,
        .init = port_init,
        .sipi = port_sipi,
        .set_cr8 = port_set_cr8,
        .tsc = port_tsc,
        .apic_present = port_apic_present,
        .mmio_moved = port_mmio_moved,
        .irq_pending = port_irq_pending,
    };
    m->lapic = lapic_new(0, true, &m->clock, &m->pm.mmio, &m->apic_bus, &port);
    m->ioapic = ioapic_new(&m->apic_bus);
    struct irq_line lint0 = {lapic_lint, m->lapic, 0};
    m->pic = m->lapic ? pic_new(lint0) : NULL;
    if (!m->lapic || !m->ioapic || !m->pic) return -1;
    m->apic_bus.eoi = ioapic_eoi;
    m->apic_bus.eoi_ctx = m->ioapic;
    lapic_set_extint(m->lapic, (struct lapic_extint){pic_intack, m->pic});
    m->cpu->features |= CPU_FEAT_APIC | CPU_FEAT_X2APIC | CPU_FEAT_TSC_DEADLINE;
    for (int i = 0; i < ISA_IRQS; i++)
        irq_connect(&m->isa_irq[i], isa_irq_set, m, i);
    return 0;
}

static int create_devices(struct machine *m)
{
    emu_output_fn out = m->cfg.serial_out ? m->cfg.serial_out : stdout_write;
    int64_t epoch = m->cfg.rtc_epoch ? m->cfg.rtc_epoch : RTC_DEFAULT_EPOCH;
    m->sysctl = (struct sysctl_sink){sysctl_request, m};
    m->port_a = (struct port_a){&m->sysctl, PORT_A_A20};
    m->uart =
        uart_new((struct char_sink){out, m->cfg.serial_ctx}, m->isa_irq[UART_COM1_IRQ], &m->clock);
    m->pit = pit_new(&m->clock, m->isa_irq[0]);
    m->rtc = rtc_new(&m->clock, m->isa_irq[RTC_IRQ], epoch);
    m->kbd = i8042_new(m->isa_irq[I8042_KBD_IRQ], m->isa_irq[I8042_AUX_IRQ], &m->sysctl);
    m->vga = vga_new(&m->clock);
    if (!m->uart || !m->pit || !m->rtc || !m->kbd || !m->vga) return -1;
    rtc_set_memory_sizes(m->rtc, m->pm.lowmem, m->pm.ram_size - m->pm.lowmem);
    rtc_set_floppy(m->rtc, board_layout(m->cfg.board)->floppy_types);
    return 0;
}

static int register_ports(struct machine *m)
{
    struct bus *io = &m->io;
    int rc = 0;
    rc |= bus_register(io, PIC_MASTER_BASE, PIC_NPORTS, pic_master_ops(), m->pic, "pic-master");
    rc |= bus_register(io, PIC_SLAVE_BASE, PIC_NPORTS, pic_slave_ops(), m->pic, "pic-slave");
    rc |= bus_register(io, PIC_ELCR_BASE, PIC_ELCR_NPORTS, pic_elcr_ops(), m->pic, "elcr");
    rc |= bus_register(io, PIT_BASE, PIT_NPORTS, pit_ops(), m->pit, "pit");
    rc |= bus_register(io, PIT_PORT_B, 1, pit_port_b_ops(), m->pit, "port-b");
    rc |= bus_register(io, I8042_DATA_PORT, 1, i8042_data_ops(), m->kbd, "i8042-data");
    rc |= bus_register(io, I8042_CMD_PORT, 1, i8042_cmd_ops(), m->kbd, "i8042-cmd");
    rc |= bus_register(io, RTC_BASE, RTC_NPORTS, rtc_ops(), m->rtc, "rtc");
    rc |= bus_register(io, PORT_A_PORT, 1, port_a_ops(), &m->port_a, "port-a");
    rc |= bus_register(io, UART_COM1_BASE, UART_NREGS, uart_ops(), m->uart, "uart0");
    rc |= bus_register(io, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, debug_exit_ops(), &m->sysctl,
                       "isa-debug-exit");
    rc |= bus_register(io, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_SIZE, acpi_pm_ops(), &m->sysctl,
                       "acpi-pm");
    rc |=
        bus_register(&m->pm.mmio, IOAPIC_BASE, IOAPIC_MMIO_SIZE, ioapic_ops(), m->ioapic, "ioapic");
    rc |= bus_register(io, VGA_PORT_BASE, VGA_PORT_COUNT, vga_io_ops(), m->vga, "vga");
    rc |= phys_map_mmio(&m->pm, VGA_MEM_BASE, VGA_MEM_SIZE, vga_mem_ops(), m->vga, "vga-mem");
    return rc;
}

/* The machine as SeaBIOS hands it to a Multiboot kernel on QEMU q35. */
static void bios_init(struct machine *m)
{
    lapic_bios_init(m->lapic);
    pic_bios_init(m->pic);
    pit_bios_init(m->pit);
}

int board_attach(struct machine *m)
{
    if (create_interrupt_controllers(m) < 0 || create_devices(m) < 0 || register_ports(m) < 0)
        return -1;
    bios_init(m);
    m->input = (struct machine_input){
        .read = m->cfg.serial_in,
        .ctx = m->cfg.serial_in_ctx,
        .fd = m->cfg.serial_in ? m->cfg.serial_in_fd : -1,
        .live = m->cfg.serial_in != NULL,
    };
    return 0;
}

void board_destroy(struct machine *m)
{
    i8042_free(m->kbd);
    vga_free(m->vga);
    rtc_free(m->rtc);
    pit_free(m->pit);
    uart_free(m->uart);
    pic_free(m->pic);
    ioapic_free(m->ioapic);
    lapic_free(m->lapic);
}

void board_pump_input(struct machine *m)
{
    struct machine_input *in = &m->input;
    size_t space = in->live ? uart_rx_space(m->uart) : 0;
    if (space == 0) return;
    uint8_t buf[INPUT_CHUNK];
    long n = in->read(in->ctx, buf, space < sizeof(buf) ? space : sizeof(buf));
    if (n < 0)
        in->live = false;
    else if (n > 0)
        uart_receive(m->uart, buf, (size_t)n);
}
