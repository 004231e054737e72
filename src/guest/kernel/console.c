/* The console. */
#include "console.h"

#include "printk.h"
#include "uart.h"

void console_putc(char c)
{
    if (c == '\n') uart_putc('\r');
    uart_putc(c);
    vga_putc(c);
}

void console_init_vga(void)
{
    static char early[LOG_BUF_SIZE];
    u64 n = printk_read_log(early, sizeof(early));
    vga_init();
    for (u64 i = 0; i < n; i++)
        vga_putc(early[i]);
}
